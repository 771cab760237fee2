;; Wasmtime 49's number of a lifted function's result tuple, which its
;; `async` adapters pass to `prepare-call`: tuple types are numbered
;; component-wide as types are converted (a function's parameters, then
;; its results, after their types), so `z`'s two tuples come first and
;; `b`'s results are tuple 3. `b` is lowered `async`, lifted sync with
;; UTF-16 strings (the encoding is passed too).
;; kiln-test: invoke = "async-b()"
;; kiln-test: expect = "16"
(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      (func (export "z") (param i32 i32))
      (func (export "b") (param i32) (result i64) (i64.extend_i32_u (local.get 0))))
    (core instance $i (instantiate $m))
    (func (export "z") (param "a" u8) (param "b" u16)
      (canon lift (core func $i "z")))
    (func (export "b") async (param "x" u32) (result u64)
      (canon lift (core func $i "b") string-encoding=utf16)))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1))
  (core instance $mm (instantiate $mm))
  (core func $b (canon lower (func $lib "b") async (memory (core memory $mm "memory"))))
  (core module $main
    (import "" "b" (func $b (param i32 i32) (result i32)))
    (import "" "memory" (memory 1))
    (func (export "async-b") (result i64)
      (drop (call $b (i32.const 16) (i32.const 64)))
      (i64.load (i32.const 64))))
  (core instance $main (instantiate $main (with "" (instance
    (export "b" (func $b))
    (export "memory" (memory $mm "memory"))))))
  (func (export "async-b") async (result u64) (canon lift (core func $main "async-b"))))
