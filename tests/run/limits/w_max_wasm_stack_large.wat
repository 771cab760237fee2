;; -W max-wasm-stack=16777216 (16 MiB): recursion far deeper than the
;; default 512 KiB allows (`deep 100000`) completes; the guest runs on a
;; thread with a stack that large.
;; kiln-test: flags = "-W max-wasm-stack=16777216"
(module
  (func $deep (export "deep") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "_start")
    (if (i32.ne (call $deep (i32.const 100000)) (i32.const 100000)) (then unreachable))))
;; kiln-test: invoke = "deep 100000"
;; kiln-test: expect = "100000"
