;; return_call_indirect: the same checks as call_indirect (bounds, null,
;; signature), deep tail recursion through the table, and a tail call of a
;; WASI host function (called, then returned: it cannot reuse the frame).
;; kiln-test: wasmtime-flags = "-W tail-call"
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "tail\n")
  (type $i2i (func (param i32) (result i32)))
  (type $v2i (func (result i32)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $down $seven $wrong)
  (func $down (type $i2i)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 42))
      (else (return_call_indirect $t (type $i2i)
        (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
  (func $seven (type $i2i) (i32.const 7))
  (func $wrong (type $v2i) (i32.const 0))
  (func (export "via") (param $idx i32) (param $x i32) (result i32)
    (return_call_indirect $t (type $i2i) (local.get $x) (local.get $idx)))
  (func $write (result i32)
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 5))
    (return_call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "_start")
    (if (call $write) (then unreachable))
    (if (i32.ne (i32.load (i32.const 8)) (i32.const 5)) (then unreachable))))
;; kiln-test: stdout = "tail\n"
;; kiln-test: invoke = "via 0 10000000"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "via 1 5"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "via 2 5"
;; kiln-test: trap = "indirect call type mismatch"
;; kiln-test: invoke = "via 3 5"
;; kiln-test: trap = "uninitialized element"
;; kiln-test: invoke = "via 4 5"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "via -1 5"
;; kiln-test: trap = "undefined element"
