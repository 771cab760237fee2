;; `--invoke` of component exports with WAVE arguments and results:
;; root functions of every value kind, functions of exported instances,
;; parameters past 16 flat values (through realloc), results through the
;; return pointer, and the lookup, parse and type errors. Invoke strings
;; have no spaces: the harness splits `invoke` on whitespace.
(component
  (core module $m
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "id32") (param i32) (result i32) (local.get 0))
    (func (export "id64") (param i64) (result i64) (local.get 0))
    (func (export "idf32") (param f32) (result f32) (local.get 0))
    (func (export "idf64") (param f64) (result f64) (local.get 0))
    (func (export "not") (param i32) (result i32) (i32.eqz (local.get 0)))
    (func (export "nothing"))
    (func (export "boom") (unreachable))
    ;; (ptr, len) -> retptr holding (ptr, len)
    (func (export "pair") (param i32 i32) (result i32)
      (i32.store (i32.const 256) (local.get 0))
      (i32.store (i32.const 260) (local.get 1))
      (i32.const 256))
    ;; params in memory: return the same pointer as the result
    (func (export "same") (param i32) (result i32) (local.get 0))
    ;; option<u32>: (disc, payload) -> retptr
    (func (export "opt") (param i32 i32) (result i32)
      (i32.store8 (i32.const 256) (local.get 0))
      (i32.store (i32.const 260) (local.get 1))
      (i32.const 256))
    ;; result<u32, string>: (disc, p0, p1) -> retptr
    (func (export "res") (param i32 i32 i32) (result i32)
      (i32.store8 (i32.const 256) (local.get 0))
      (i32.store (i32.const 260) (local.get 1))
      (i32.store (i32.const 264) (local.get 2))
      (i32.const 256))
    ;; 17 u32 params through memory -> tuple<u32, u32> (first, last)
    (func (export "first-last") (param i32) (result i32)
      (i32.store (i32.const 256) (i32.load (local.get 0)))
      (i32.store (i32.const 260) (i32.load offset=64 (local.get 0)))
      (i32.const 256))
    (func (export "run") (result i32) (i32.const 0))
    (func (export "get-str") (result i32)
      (i32.store (i32.const 256) (i32.const 512))
      (i32.store (i32.const 260) (i32.const 12))
      (i32.const 256))
    (data (i32.const 512) "a\"b\\c\n\t\00\e2\98\83\1b")
  )
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))

  (type $color' (enum "red" "green" "ok" "blue-ish"))
  (export $color "color" (type $color'))
  (type $perms' (flags "read" "write" "exec"))
  (export $perms "perms" (type $perms'))
  (type $shape' (variant (case "none-case") (case "circle" f32) (case "label" string) (case "big" u64) (case "err")))
  (export $shape "shape" (type $shape'))
  (type $small' (record (field "x" u32) (field "maybe" (option u8))))
  (export $small "small" (type $small'))
  (type $big' (record
     (field "s" string) (field "names" (list string)) (field "o" (option u8))
     (field "r" (result u32 (error string))) (field "t" (tuple u8 u16 u32 u64 f32 f64))
     (field "v" $shape) (field "c" $color) (field "p" $perms) (field "ch" char)
     (field "b" bool) (field "i" s8) (field "j" s16) (field "sm" $small)))
  (export $big "big" (type $big'))

  (func (export "add-one") (param "a" u32) (result u32) (canon lift (core func $i "id32")))
  (func (export "u8-id") (param "a" u8) (result u8) (canon lift (core func $i "id32")))
  (func (export "s8-id") (param "a" s8) (result s8) (canon lift (core func $i "id32")))
  (func (export "s16-id") (param "a" s16) (result s16) (canon lift (core func $i "id32")))
  (func (export "u16-id") (param "a" u16) (result u16) (canon lift (core func $i "id32")))
  (func (export "s32-id") (param "a" s32) (result s32) (canon lift (core func $i "id32")))
  (func (export "u32-id") (param "a" u32) (result u32) (canon lift (core func $i "id32")))
  (func (export "s64-id") (param "a" s64) (result s64) (canon lift (core func $i "id64")))
  (func (export "u64-id") (param "a" u64) (result u64) (canon lift (core func $i "id64")))
  (func (export "f32-id") (param "a" f32) (result f32) (canon lift (core func $i "idf32")))
  (func (export "f64-id") (param "a" f64) (result f64) (canon lift (core func $i "idf64")))
  (func (export "char-id") (param "a" char) (result char) (canon lift (core func $i "id32")))
  (func (export "not") (param "a" bool) (result bool) (canon lift (core func $i "not")))
  (func (export "nothing") (canon lift (core func $i "nothing")))
  (func (export "boom") (canon lift (core func $i "boom")))
  (func (export "color-id") (param "c" $color) (result $color) (canon lift (core func $i "id32")))
  (func (export "perms-id") (param "p" $perms) (result $perms) (canon lift (core func $i "id32")))
  (func (export "echo-string") (param "s" string) (result string)
    (canon lift (core func $i "pair") (memory $mem) (realloc $realloc)))
  (func (export "echo-list") (param "l" (list u32)) (result (list u32))
    (canon lift (core func $i "pair") (memory $mem) (realloc $realloc)))
  (func (export "echo-strings") (param "l" (list string)) (result (list string))
    (canon lift (core func $i "pair") (memory $mem) (realloc $realloc)))
  (func (export "opt-id") (param "o" (option u32)) (result (option u32))
    (canon lift (core func $i "opt") (memory $mem)))
  (func (export "res-id") (param "r" (result u32 (error string))) (result (result u32 (error string)))
    (canon lift (core func $i "res") (memory $mem) (realloc $realloc)))
  (func (export "echo-big") (param "b" $big) (result $big)
    (canon lift (core func $i "same") (memory $mem) (realloc $realloc)))
  (func (export "first-last")
    (param "a1" u32) (param "a2" u32) (param "a3" u32) (param "a4" u32) (param "a5" u32)
    (param "a6" u32) (param "a7" u32) (param "a8" u32) (param "a9" u32) (param "a10" u32)
    (param "a11" u32) (param "a12" u32) (param "a13" u32) (param "a14" u32) (param "a15" u32)
    (param "a16" u32) (param "a17" u32) (result (tuple u32 u32))
    (canon lift (core func $i "first-last") (memory $mem) (realloc $realloc)))
  (func (export "get-str") (result string) (canon lift (core func $i "get-str") (memory $mem)))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (func $run2 (param "x" u32) (result u32) (canon lift (core func $i "id32")))
  (instance $runi (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $runi))
  (instance $other (export "run" (func $run)) (export "id" (func $run2)))
  (export "my:pkg/other@1.2.3" (instance $other))
  (instance $plain (export "id" (func $run2)) (export "only-here" (func $run2)))
  (export "plain" (instance $plain))
)
;; kiln-test: invoke = "u8-id(255)"
;; kiln-test: expect = "255"
;; kiln-test: invoke = "s8-id(-128)"
;; kiln-test: expect = "-128"
;; kiln-test: invoke = "u64-id(18446744073709551615)"
;; kiln-test: expect = "18446744073709551615"
;; kiln-test: invoke = "f32-id(nan)"
;; kiln-test: expect = "nan"
;; kiln-test: invoke = "f64-id(-1.5e-10)"
;; kiln-test: expect = "-0.00000000015"
;; kiln-test: invoke = "char-id('\\u{1b}')"
;; kiln-test: expect = "'\\u{1b}'"
;; kiln-test: invoke = "not(true)"
;; kiln-test: expect = "false"
;; kiln-test: invoke = "color-id(%ok)"
;; kiln-test: expect = "%ok"
;; kiln-test: invoke = "perms-id({write,read})"
;; kiln-test: expect = "{read, write}"
;; kiln-test: invoke = "nothing()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "echo-string(\"a\\tb\\u{0}\\\"\\\\☃\")"
;; kiln-test: expect = "\"a\\tb\\u{0}\\\"\\\\☃\""
;; kiln-test: invoke = "get-str()"
;; kiln-test: expect = "\"a\\\"b\\\\c\\n\\t\\u{0}☃\\u{1b}\""
;; kiln-test: invoke = "echo-list([1,2,3,])"
;; kiln-test: expect = "[1, 2, 3]"
;; kiln-test: invoke = "echo-strings([\"a\",\"\",\"bc\"])"
;; kiln-test: expect = "[\"a\", \"\", \"bc\"]"
;; kiln-test: invoke = "opt-id(5)"
;; kiln-test: expect = "some(5)"
;; kiln-test: invoke = "opt-id(none)"
;; kiln-test: expect = "none"
;; kiln-test: invoke = "res-id(7)"
;; kiln-test: expect = "ok(7)"
;; kiln-test: invoke = "res-id(err(\"bad\"))"
;; kiln-test: expect = "err(\"bad\")"
;; kiln-test: invoke = "echo-big({s:\"x\",names:[\"p\",\"q\"],o:none,r:err(\"e\"),t:(1,2,3,4,1.5,nan),v:label(\"lbl\"),c:red,p:{exec},ch:'c',b:true,i:-1,j:-2,sm:{x:9},extra:5})"
;; kiln-test: expect = "{s: \"x\", names: [\"p\", \"q\"], r: err(\"e\"), t: (1, 2, 3, 4, 1.5, nan), v: label(\"lbl\"), c: red, p: {exec}, ch: 'c', b: true, i: -1, j: -2, sm: {x: 9}}"
;; kiln-test: invoke = "echo-big({s:\"\",names:[],o:3,r:4,t:(1,2,3,4,1.5,-inf),v:big(99),c:%ok,p:{},ch:'☃',b:false,i:1,j:2,sm:{x:9,maybe:1}})"
;; kiln-test: expect = "{s: \"\", names: [], o: some(3), r: ok(4), t: (1, 2, 3, 4, 1.5, -inf), v: big(99), c: %ok, p: {}, ch: '☃', b: false, i: 1, j: 2, sm: {x: 9, maybe: some(1)}}"
;; kiln-test: invoke = "first-last(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17)"
;; kiln-test: expect = "(1, 17)"
;; kiln-test: invoke = "wasi:cli/run.run@0.2.7()"
;; kiln-test: expect = "ok"
;; kiln-test: invoke = "plain.id(3)"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "only-here(4)"
;; kiln-test: expect = "4"
;; kiln-test: invoke = "my:pkg/other.id@1.9.0(1)"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "run()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "Multiple instances contained funcs named `run`, retry with a more specific name: `wasi:cli/run.run@0.2.0`, `my:pkg/other.run@1.2.3`"
;; kiln-test: invoke = "missing()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "No exported func named `missing` in component."
;; kiln-test: invoke = "my:pkg/other.id(5)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "No exported func named `my:pkg/other.id` in component."
;; kiln-test: invoke = "u8-id(256)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "while interpreting parameters in invoke \"u8-id(256)\"\n    1: invalid value at 6..9"
;; kiln-test: invoke = "color-id(purple)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "1: error converting Wasm value: expected a enum { red, green, ok, blue-ish }; got purple at 9..15\n    2: expected a enum { red, green, ok, blue-ish }; got purple"
;; kiln-test: invoke = "s8-id(1,2)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid params: more param(s) than expected at 8..9"
;; kiln-test: invoke = "s8-id"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "Failed to parse invoke 's8-id': See https://docs.wasmtime.dev/cli-options.html#run for syntax\n    1: unexpected end of input at 5..5"
;; kiln-test: invoke = "boom()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
