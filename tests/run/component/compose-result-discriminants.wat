;; A variant, `option` or `result` returned through memory with an invalid
;; discriminant (the callee's core code overwrites it with 255 before
;; returning): the adapter traps `invalid variant discriminant` through
;; its `br_table`'s default, as Wasmtime 49's does. Found by comparing
;; random types echoed between two components with `wasmtime run`.
;; kiln-test: invoke = "opt((some({a:[1,2],b:e0,c:\"x\"}),7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "res((err(e0),7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "nested((err(c0(e1)),7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "nested((ok({g1,g8}),7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
(component
  (component $callee
    (type $e (enum "e0" "e1")) (export $e' "e" (type $e))
    (type $r (record (field "a" (list s8)) (field "b" $e') (field "c" string)))
    (export $r' "r" (type $r))
    (type $fl (flags "g0" "g1" "g2" "g3" "g4" "g5" "g6" "g7" "g8")) (export $fl' "fl" (type $fl))
    (type $v (variant (case "c0" $e') (case "c1" u32))) (export $v' "v" (type $v))
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      ;; The parameters' tuple is returned as the results': its first
      ;; byte, the discriminant, overwritten.
      (func (export "echo-bad") (param i32) (result i32)
        (i32.store8 (local.get 0) (i32.const 255))
        (local.get 0)))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "opt") (param "x" (tuple (option $r') u64))
      (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
      (result (tuple (option $r') u64))
      (canon lift (core func $i "echo-bad") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "res") (param "x" (tuple (result (error $e')) u64))
      (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
      (result (tuple (result (error $e')) u64))
      (canon lift (core func $i "echo-bad") (memory $mem) (realloc $realloc)))
    (func (export "nested") (param "x" (tuple (result $fl' (error $v')) u64))
      (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
      (result (tuple (result $fl' (error $v')) u64))
      (canon lift (core func $i "echo-bad") (memory $mem) (realloc $realloc)))
  )
  (instance $c (instantiate $callee))
  (type $e (enum "e0" "e1")) (export $e' "e" (type $e))
  (type $r (record (field "a" (list s8)) (field "b" $e') (field "c" string)))
  (export $r' "r" (type $r))
  (type $fl (flags "g0" "g1" "g2" "g3" "g4" "g5" "g6" "g7" "g8")) (export $fl' "fl" (type $fl))
  (type $v (variant (case "c0" $e') (case "c1" u32))) (export $v' "v" (type $v))
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
  (core func $opt (canon lower (func $c "opt") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core func $res (canon lower (func $c "res") (memory $memory) (realloc $realloc)))
  (core func $nested (canon lower (func $c "nested") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core module $fwd
    (import "" "opt" (func $opt (param i32 i32)))
    (import "" "res" (func $res (param i32 i32)))
    (import "" "nested" (func $nested (param i32 i32)))
    (func (export "opt") (param i32) (result i32) (call $opt (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "res") (param i32) (result i32) (call $res (local.get 0) (i32.const 0x100)) (i32.const 0x100))
    (func (export "nested") (param i32) (result i32) (call $nested (local.get 0) (i32.const 0x100)) (i32.const 0x100)))
  (core instance $f (instantiate $fwd (with "" (instance
    (export "opt" (func $opt)) (export "res" (func $res)) (export "nested" (func $nested))))))
  (func (export "opt") (param "x" (tuple (option $r') u64))
    (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
    (result (tuple (option $r') u64))
    (canon lift (core func $f "opt") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (func (export "res") (param "x" (tuple (result (error $e')) u64))
    (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
    (result (tuple (result (error $e')) u64))
    (canon lift (core func $f "res") (memory $memory) (realloc $realloc)))
  (func (export "nested") (param "x" (tuple (result $fl' (error $v')) u64))
    (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
    (result (tuple (result $fl' (error $v')) u64))
    (canon lift (core func $f "nested") (memory $memory) (realloc $realloc) string-encoding=utf16))
)
