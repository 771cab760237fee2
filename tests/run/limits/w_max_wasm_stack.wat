;; -W max-wasm-stack=32768: recursion that fits the default 512 KiB wasm
;; stack (`deep 8000`) now exhausts it; shallow recursion still works.
;; (Wasmtime 49 exhausts 32 KiB about 2,030 calls deep here; Kiln, which
;; inlines `$deep` into itself once, about 4,000.)
;; kiln-test: flags = "-W max-wasm-stack=32768"
;; kiln-test: trap = "call stack exhausted"
(module
  (func $deep (export "deep") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "_start") (drop (call $deep (i32.const 8000)))))
;; kiln-test: invoke = "deep 100"
;; kiln-test: expect = "100"
;; kiln-test: invoke = "deep 8000"
;; kiln-test: trap = "call stack exhausted"
