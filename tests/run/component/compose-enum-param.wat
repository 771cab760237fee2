;; An `enum` parameter passed in memory with an invalid discriminant (the
;; caller's core code overwrites it with 255 before the call): the adapter
;; traps `invalid variant discriminant` before the call, as Wasmtime 49's
;; does.
;; kiln-test: invoke = "echo((e1,7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
(component
  (component $callee
    (type $n0 (enum "e0" "e1" "e2" "e3" "e4")) (export $n0' "n0" (type $n0))
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (local.get 0) (then (if (i32.le_u (local.get 3) (local.get 1)) (then (return (local.get 0))))))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
          (then (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))))
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
        (local.get $p))
      (func (export "echo") (param i32) (result i32) (local.get 0)))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "x" (tuple $n0' u64)) (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8)) (result (tuple $n0' u64))
      (canon lift (core func $i "echo") (memory (core memory $i "memory")) (realloc (core func $i "realloc")) string-encoding=utf8)))
  (instance $c (instantiate $callee))
  (type $n0 (enum "e0" "e1" "e2" "e3" "e4")) (export $n0' "n0" (type $n0))
  (core module $mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x1000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (if (local.get 0) (then (if (i32.le_u (local.get 3) (local.get 1)) (then (return (local.get 0))))))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))))
      (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
      (local.get $p)))
  (core instance $m (instantiate $mem))
  (alias core export $m "memory" (core memory $memory))
  (alias core export $m "realloc" (core func $realloc))
  (core func $echo (canon lower (func $c "echo") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core module $fwd
    (import "" "echo" (func $echo (param i32 i32)))
    (import "m" "memory" (memory 1))
    (func (export "echo") (param i32) (result i32) (i32.store8 (local.get 0) (i32.const 255)) (call $echo (local.get 0) (i32.const 0x100)) (i32.const 0x100)))
  (core instance $f (instantiate $fwd (with "" (instance (export "echo" (func $echo)))) (with "m" (instance (export "memory" (memory $memory))))))
  (func (export "echo") (param "x" (tuple $n0' u64)) (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8)) (result (tuple $n0' u64))
    (canon lift (core func $f "echo") (memory $memory) (realloc $realloc) string-encoding=utf8))
)
