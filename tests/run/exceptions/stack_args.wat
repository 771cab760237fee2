;; Calls with stack arguments and many results inside try_table (the
;; handler's stack pointer is the call's, below outgoing arguments), throws
;; of ten values through thousands of frames.
(module
  (tag $e (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32))
  (func $callee (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i64 i64 i64 i64 i64 i64)
    (if (local.get 11)
      (then (throw $e (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                      (local.get 5) (local.get 6) (local.get 7) (local.get 8) (local.get 9))))
    (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6))
  (func $deep (param i32 i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)) (local.get 1))))
      (else
          (call $callee (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6)
                        (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10) (i32.const 11) (local.get 1))
          drop drop drop drop drop drop
        (i32.const 0))))
  (func (export "f") (param i32 i32) (result i32)
    (local $s i32)
    (block $h (result i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
      (try_table (result i32) (catch $e $h)
        (call $deep (local.get 0) (local.get 1)))
      (return))
    (local.set $s)
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.add (local.get $s)))
    (local.set $s (i32.mul (i32.const 100) (i32.add (local.get $s))))
    (local.get $s))
  (func (export "g") (param i32) (result i32)
    (block $h (result i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
      (try_table (result i64 i64 i64 i64 i64 i64) (catch $e $h)
        (call $callee (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6)
                      (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10) (i32.const 11) (local.get 0)))
      drop drop drop drop drop i32.wrap_i64
      (return))
    drop drop drop drop drop drop drop drop drop
    (i32.add (i32.const 100)))
)
;; kiln-test: invoke = "f 3 0"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "f 3 1"
;; kiln-test: expect = "154"
;; kiln-test: invoke = "f 3000 1"
;; kiln-test: expect = "154"
;; kiln-test: invoke = "g 0"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "g 1"
;; kiln-test: expect = "101"
