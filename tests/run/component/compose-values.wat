;; Fused adapters between component instances: the root forwards every
;; value type through an adapter into a nested component (`$callee`) and
;; the result back through the same adapter. Each `echo-*` takes its value
;; plus a 16-byte `pad` tuple, so the parameters travel in memory and the
;; callee's core function just returns the tuple's address (the value is
;; at offset 0): the adapter lowers every field into the callee's memory
;; with the callee's `realloc`, and lifts it back into the root's. `raw-*`
;; return what the callee's core code received for a flat scalar the root
;; passes with garbage upper bits (normalized by the adapter; in a
;; variant's joined `i64` slot, an `f32` or `s8` payload is re-encoded and
;; zero-extended), and `flat` sends many scalars flat both ways.
;; kiln-test: invoke = "echo-record({a:255,b:-32768,c:4294967295,d:-9223372036854775808,e:1.5,f:-0.25,g:'ß',h:true},(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "{a: 255, b: -32768, c: 4294967295, d: -9223372036854775808, e: 1.5, f: -0.25, g: 'ß', h: true}"
;; kiln-test: invoke = "echo-variant(empty,(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "empty"
;; kiln-test: invoke = "echo-variant(small(7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "small(7)"
;; kiln-test: invoke = "echo-variant(big(18446744073709551615),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "big(18446744073709551615)"
;; kiln-test: invoke = "echo-variant(text(\"héllo-wörld\"),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "text(\"héllo-wörld\")"
;; kiln-test: invoke = "echo-variant(pair((-2.5,65535)),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "pair((-2.5, 65535))"
;; kiln-test: invoke = "echo-enum(blue,(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "blue"
;; kiln-test: invoke = "echo-option(some(\"\"),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "some(\"\")"
;; kiln-test: invoke = "echo-option(none,(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "none"
;; kiln-test: invoke = "echo-result(ok([1,2,65535]),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "ok([1, 2, 65535])"
;; kiln-test: invoke = "echo-result(err(\"bad😀\"),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "err(\"bad😀\")"
;; kiln-test: invoke = "echo-flags({b,j},(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "{b, j}"
;; kiln-test: invoke = "echo-nested([{name:\"x\",tags:[\"a\",\"bc\"],score:some(2.5)},{name:\"\",tags:[],score:none}],(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "[{name: \"x\", tags: [\"a\", \"bc\"], score: some(2.5)}, {name: \"\", tags: []}]"
;; kiln-test: invoke = "echo-tuple((-128,40000,[0,255,3],'😀'),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "(-128, 40000, [0, 255, 3], '😀')"
;; kiln-test: invoke = "echo-u64s([0,1,18446744073709551615],(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "[0, 1, 18446744073709551615]"
;; kiln-test: invoke = "echo-bools([true,false,true],(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "[true, false, true]"
;; kiln-test: invoke = "echo-unit-result(err,(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "err"
;; kiln-test: invoke = "echo-strings([\"\",\"a\",\"ünï\",\"日本\"],(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: expect = "[\"\", \"a\", \"ünï\", \"日本\"]"
;; kiln-test: invoke = "raw-u8()"
;; kiln-test: expect = "255"
;; kiln-test: invoke = "raw-s8()"
;; kiln-test: expect = "4294967168"
;; kiln-test: invoke = "raw-u16()"
;; kiln-test: expect = "65535"
;; kiln-test: invoke = "raw-s16()"
;; kiln-test: expect = "4294934528"
;; kiln-test: invoke = "raw-bool()"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "raw-flags()"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "raw-variant-f32()"
;; kiln-test: expect = "1069547520"
;; kiln-test: invoke = "raw-variant-s8()"
;; kiln-test: expect = "4294967168"
;; kiln-test: invoke = "flat(-1,2,3.5,-4.25,'x',9,true)"
;; kiln-test: expect = "(-1, 2, 3.5, -4.25, 'x', 9, true)"
(component
  (component $callee
    (type $pad (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
    (type $record (record (field "a" u8) (field "b" s16) (field "c" u32) (field "d" s64)
      (field "e" f32) (field "f" f64) (field "g" char) (field "h" bool)))
    (type $variant (variant (case "empty") (case "small" u8) (case "big" u64) (case "text" string)
      (case "pair" (tuple f32 u16))))
    (type $enum (enum "red" "green" "blue"))
    (type $flags (flags "a" "b" "c" "d" "e" "f" "g" "h" "i" "j"))
    (type $item (record (field "name" string) (field "tags" (list string)) (field "score" (option f64))))
    (type $small-flags (flags "x" "y" "z"))
    (type $joined (variant (case "f" f32) (case "big" u64) (case "small" s8)))
    (export $pad' "pad" (type $pad))
    (export $record' "rec" (type $record))
    (export $variant' "var" (type $variant))
    (export $enum' "color" (type $enum))
    (export $flags' "fl" (type $flags))
    (export $item' "item" (type $item))
    (export $small-flags' "small-flags" (type $small-flags))
    (export $joined' "joined" (type $joined))
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "echo") (param i32) (result i32) (local.get 0))
      (func (export "raw") (param i32) (result i32) (local.get 0))
      (func (export "raw-payload") (param i32 i64) (result i64) (local.get 1))
      (func (export "echo8") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "echo16") (param i32) (result i32) (i32.load16_u (local.get 0)))
      (func (export "flat") (param i32 i64 f32 f64 i32 i32 i32) (result i32)
        (i32.store (i32.const 0x100) (local.get 0))
        (i64.store (i32.const 0x108) (local.get 1))
        (f32.store (i32.const 0x110) (local.get 2))
        (f64.store (i32.const 0x118) (local.get 3))
        (i32.store (i32.const 0x120) (local.get 4))
        (i32.store8 (i32.const 0x124) (local.get 5))
        (i32.store8 (i32.const 0x125) (local.get 6))
        (i32.const 0x100)))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "echo-record") (param "x" $record') (param "pad" $pad') (result $record')
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-variant") (param "x" $variant') (param "pad" $pad') (result $variant')
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-enum") (param "x" $enum') (param "pad" $pad') (result $enum')
      (canon lift (core func $i "echo8") (memory $mem) (realloc $realloc)))
    (func (export "echo-option") (param "x" (option string)) (param "pad" $pad') (result (option string))
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-result") (param "x" (result (list u16) (error string))) (param "pad" $pad')
      (result (result (list u16) (error string)))
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-flags") (param "x" $flags') (param "pad" $pad') (result $flags')
      (canon lift (core func $i "echo16") (memory $mem) (realloc $realloc)))
    (func (export "echo-nested") (param "x" (list $item')) (param "pad" $pad') (result (list $item'))
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-tuple") (param "x" (tuple s8 u16 (list u8) char)) (param "pad" $pad')
      (result (tuple s8 u16 (list u8) char))
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-u64s") (param "x" (list u64)) (param "pad" $pad') (result (list u64))
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-bools") (param "x" (list bool)) (param "pad" $pad') (result (list bool))
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "echo-unit-result") (param "x" (result)) (param "pad" $pad') (result (result))
      (canon lift (core func $i "echo8") (memory $mem) (realloc $realloc)))
    (func (export "echo-strings") (param "x" (list string)) (param "pad" $pad') (result (list string))
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
    (func (export "raw-u8") (param "x" u8) (result u32) (canon lift (core func $i "raw")))
    (func (export "raw-s8") (param "x" s8) (result u32) (canon lift (core func $i "raw")))
    (func (export "raw-u16") (param "x" u16) (result u32) (canon lift (core func $i "raw")))
    (func (export "raw-s16") (param "x" s16) (result u32) (canon lift (core func $i "raw")))
    (func (export "raw-bool") (param "x" bool) (result u32) (canon lift (core func $i "raw")))
    (func (export "raw-flags") (param "x" $small-flags') (result u32) (canon lift (core func $i "raw")))
    (func (export "raw-joined") (param "x" $joined') (result u64) (canon lift (core func $i "raw-payload")))
    (func (export "flat") (param "a" s32) (param "b" u64) (param "c" f32) (param "d" f64) (param "e" char)
      (param "f" u8) (param "g" bool) (result (tuple s32 u64 f32 f64 char u8 bool))
      (canon lift (core func $i "flat") (memory $mem)))
  )
  (instance $c (instantiate $callee))
  (alias export $c "pad" (type $pad))
  (alias export $c "rec" (type $record))
  (alias export $c "var" (type $variant))
  (alias export $c "color" (type $enum))
  (alias export $c "fl" (type $flags))
  (alias export $c "item" (type $item))
  (export $pad' "pad" (type $pad))
  (export $record' "rec" (type $record))
  (export $variant' "var" (type $variant))
  (export $enum' "color" (type $enum))
  (export $flags' "fl" (type $flags))
  (export $item' "item" (type $item))

  ;; The root's memory and realloc.
  (core module $mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x1000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $m (instantiate $mem))
  (alias core export $m "memory" (core memory $memory))
  (alias core export $m "realloc" (core func $realloc))
  (core func $echo (canon lower (func $c "echo-record") (memory $memory) (realloc $realloc)))
  (core func $echo-variant (canon lower (func $c "echo-variant") (memory $memory) (realloc $realloc)))
  (core func $echo-enum (canon lower (func $c "echo-enum") (memory $memory) (realloc $realloc)))
  (core func $echo-option (canon lower (func $c "echo-option") (memory $memory) (realloc $realloc)))
  (core func $echo-result (canon lower (func $c "echo-result") (memory $memory) (realloc $realloc)))
  (core func $echo-flags (canon lower (func $c "echo-flags") (memory $memory) (realloc $realloc)))
  (core func $echo-nested (canon lower (func $c "echo-nested") (memory $memory) (realloc $realloc)))
  (core func $echo-tuple (canon lower (func $c "echo-tuple") (memory $memory) (realloc $realloc)))
  (core func $echo-u64s (canon lower (func $c "echo-u64s") (memory $memory) (realloc $realloc)))
  (core func $echo-bools (canon lower (func $c "echo-bools") (memory $memory) (realloc $realloc)))
  (core func $echo-unit-result (canon lower (func $c "echo-unit-result") (memory $memory) (realloc $realloc)))
  (core func $echo-strings (canon lower (func $c "echo-strings") (memory $memory) (realloc $realloc)))
  (core func $raw-u8 (canon lower (func $c "raw-u8")))
  (core func $raw-s8 (canon lower (func $c "raw-s8")))
  (core func $raw-u16 (canon lower (func $c "raw-u16")))
  (core func $raw-s16 (canon lower (func $c "raw-s16")))
  (core func $raw-bool (canon lower (func $c "raw-bool")))
  (core func $raw-flags (canon lower (func $c "raw-flags")))
  (core func $raw-joined (canon lower (func $c "raw-joined")))
  (core func $flat (canon lower (func $c "flat") (memory $memory)))
  (core module $fwd
    (import "" "echo" (func $echo (param i32 i32)))
    (import "" "echo-variant" (func $echo-variant (param i32 i32)))
    (import "" "echo-enum" (func $echo-enum (param i32) (result i32)))
    (import "" "echo-option" (func $echo-option (param i32 i32)))
    (import "" "echo-result" (func $echo-result (param i32 i32)))
    (import "" "echo-flags" (func $echo-flags (param i32) (result i32)))
    (import "" "echo-nested" (func $echo-nested (param i32 i32)))
    (import "" "echo-tuple" (func $echo-tuple (param i32 i32)))
    (import "" "echo-u64s" (func $echo-u64s (param i32 i32)))
    (import "" "echo-bools" (func $echo-bools (param i32 i32)))
    (import "" "echo-unit-result" (func $echo-unit-result (param i32) (result i32)))
    (import "" "echo-strings" (func $echo-strings (param i32 i32)))
    (import "" "raw-u8" (func $raw-u8 (param i32) (result i32)))
    (import "" "raw-s8" (func $raw-s8 (param i32) (result i32)))
    (import "" "raw-u16" (func $raw-u16 (param i32) (result i32)))
    (import "" "raw-s16" (func $raw-s16 (param i32) (result i32)))
    (import "" "raw-bool" (func $raw-bool (param i32) (result i32)))
    (import "" "raw-flags" (func $raw-flags (param i32) (result i32)))
    (import "" "raw-joined" (func $raw-joined (param i32 i64) (result i64)))
    (import "" "flat" (func $flat (param i32 i64 f32 f64 i32 i32 i32 i32)))
    ;; Each echo's result goes to 0x100 (below the root's heap).
    (func (export "echo") (param i32) (result i32) (call $echo (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-variant") (param i32) (result i32) (call $echo-variant (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-enum") (param i32) (result i32) (call $echo-enum (local.get 0)))
    (func (export "echo-option") (param i32) (result i32) (call $echo-option (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-result") (param i32) (result i32) (call $echo-result (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-flags") (param i32) (result i32) (call $echo-flags (local.get 0)))
    (func (export "echo-nested") (param i32) (result i32) (call $echo-nested (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-tuple") (param i32) (result i32) (call $echo-tuple (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-u64s") (param i32) (result i32) (call $echo-u64s (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-bools") (param i32) (result i32) (call $echo-bools (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "echo-unit-result") (param i32) (result i32) (call $echo-unit-result (local.get 0)))
    (func (export "echo-strings") (param i32) (result i32) (call $echo-strings (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "raw-u8") (result i32) (call $raw-u8 (i32.const 0x1ff)))
    (func (export "raw-s8") (result i32) (call $raw-s8 (i32.const 0x180)))
    (func (export "raw-u16") (result i32) (call $raw-u16 (i32.const 0x1ffff)))
    (func (export "raw-s16") (result i32) (call $raw-s16 (i32.const 0x18000)))
    (func (export "raw-bool") (result i32) (call $raw-bool (i32.const 7)))
    (func (export "raw-flags") (result i32) (call $raw-flags (i32.const 0xfd)))
    ;; 1.5f32 and s8 -128 in the low bits, garbage above.
    (func (export "raw-variant-f32") (result i64) (call $raw-joined (i32.const 0) (i64.const 0x123456783fc00000)))
    (func (export "raw-variant-s8") (result i64) (call $raw-joined (i32.const 2) (i64.const 0x7777777700000180)))
    (func (export "flat") (param i32 i64 f32 f64 i32 i32 i32) (result i32)
      (call $flat (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6) (i32.const 0x100))
      (i32.const 0x100)))
  (core instance $f (instantiate $fwd (with "" (instance
    (export "echo" (func $echo)) (export "echo-variant" (func $echo-variant))
    (export "echo-enum" (func $echo-enum)) (export "echo-option" (func $echo-option))
    (export "echo-result" (func $echo-result)) (export "echo-flags" (func $echo-flags))
    (export "echo-nested" (func $echo-nested)) (export "echo-tuple" (func $echo-tuple))
    (export "echo-u64s" (func $echo-u64s)) (export "echo-bools" (func $echo-bools))
    (export "echo-unit-result" (func $echo-unit-result)) (export "echo-strings" (func $echo-strings))
    (export "raw-u8" (func $raw-u8)) (export "raw-s8" (func $raw-s8))
    (export "raw-u16" (func $raw-u16)) (export "raw-s16" (func $raw-s16))
    (export "raw-bool" (func $raw-bool)) (export "raw-flags" (func $raw-flags))
    (export "raw-joined" (func $raw-joined))
    (export "flat" (func $flat))))))
  (func (export "echo-record") (param "x" $record') (param "pad" $pad') (result $record')
    (canon lift (core func $f "echo") (memory $memory) (realloc $realloc)))
  (func (export "echo-variant") (param "x" $variant') (param "pad" $pad') (result $variant')
    (canon lift (core func $f "echo-variant") (memory $memory) (realloc $realloc)))
  (func (export "echo-enum") (param "x" $enum') (param "pad" $pad') (result $enum')
    (canon lift (core func $f "echo-enum") (memory $memory) (realloc $realloc)))
  (func (export "echo-option") (param "x" (option string)) (param "pad" $pad') (result (option string))
    (canon lift (core func $f "echo-option") (memory $memory) (realloc $realloc)))
  (func (export "echo-result") (param "x" (result (list u16) (error string))) (param "pad" $pad')
    (result (result (list u16) (error string)))
    (canon lift (core func $f "echo-result") (memory $memory) (realloc $realloc)))
  (func (export "echo-flags") (param "x" $flags') (param "pad" $pad') (result $flags')
    (canon lift (core func $f "echo-flags") (memory $memory) (realloc $realloc)))
  (func (export "echo-nested") (param "x" (list $item')) (param "pad" $pad') (result (list $item'))
    (canon lift (core func $f "echo-nested") (memory $memory) (realloc $realloc)))
  (func (export "echo-tuple") (param "x" (tuple s8 u16 (list u8) char)) (param "pad" $pad')
    (result (tuple s8 u16 (list u8) char))
    (canon lift (core func $f "echo-tuple") (memory $memory) (realloc $realloc)))
  (func (export "echo-u64s") (param "x" (list u64)) (param "pad" $pad') (result (list u64))
    (canon lift (core func $f "echo-u64s") (memory $memory) (realloc $realloc)))
  (func (export "echo-bools") (param "x" (list bool)) (param "pad" $pad') (result (list bool))
    (canon lift (core func $f "echo-bools") (memory $memory) (realloc $realloc)))
  (func (export "echo-unit-result") (param "x" (result)) (param "pad" $pad') (result (result))
    (canon lift (core func $f "echo-unit-result") (memory $memory) (realloc $realloc)))
  (func (export "echo-strings") (param "x" (list string)) (param "pad" $pad') (result (list string))
    (canon lift (core func $f "echo-strings") (memory $memory) (realloc $realloc)))
  (func (export "raw-u8") (result u32) (canon lift (core func $f "raw-u8")))
  (func (export "raw-s8") (result u32) (canon lift (core func $f "raw-s8")))
  (func (export "raw-u16") (result u32) (canon lift (core func $f "raw-u16")))
  (func (export "raw-s16") (result u32) (canon lift (core func $f "raw-s16")))
  (func (export "raw-bool") (result u32) (canon lift (core func $f "raw-bool")))
  (func (export "raw-flags") (result u32) (canon lift (core func $f "raw-flags")))
  (func (export "raw-variant-f32") (result u64) (canon lift (core func $f "raw-variant-f32")))
  (func (export "raw-variant-s8") (result u64) (canon lift (core func $f "raw-variant-s8")))
  (func (export "flat") (param "a" s32) (param "b" u64) (param "c" f32) (param "d" f64) (param "e" char)
    (param "f" u8) (param "g" bool) (result (tuple s32 u64 f32 f64 char u8 bool))
    (canon lift (core func $f "flat") (memory $memory)))
)
