;; Floats cross a fused adapter bit for bit: a NaN payload is kept (Wasmtime
;; does not canonicalize NaNs in adapters either).
;; kiln-test: invoke = "go()"
;; kiln-test: expect = "2143289345"
;; kiln-test: invoke = "go64()"
;; kiln-test: expect = "18444492273895866659"
(component
  (component $c
    (core module $m (func (export "bits") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
      (func (export "bits64") (param f64) (result i64) (i64.reinterpret_f64 (local.get 0))))
    (core instance $i (instantiate $m))
    (func (export "bits") (param "x" f32) (result u32) (canon lift (core func $i "bits")))
    (func (export "bits64") (param "x" f64) (result u64) (canon lift (core func $i "bits64"))))
  (instance $c (instantiate $c))
  (core func $bits (canon lower (func $c "bits")))
  (core func $bits64 (canon lower (func $c "bits64")))
  (core module $n (import "" "bits" (func $b (param f32) (result i32))) (import "" "bits64" (func $b64 (param f64) (result i64)))
    (func (export "go") (result i32) (call $b (f32.reinterpret_i32 (i32.const 0x7fc00001))))
    (func (export "go64") (result i64) (call $b64 (f64.reinterpret_i64 (i64.const 0xfff8000000000123)))))
  (core instance $n (instantiate $n (with "" (instance (export "bits" (func $bits)) (export "bits64" (func $bits64))))))
  (func (export "go") (result u32) (canon lift (core func $n "go")))
  (func (export "go64") (result u64) (canon lift (core func $n "go64"))))
