;; Exceptions carry their tag's values across several frames: i32, i64,
;; f32, f64 and several values at once, caught by `catch` and `catch_ref`.
(module
  (tag $i32 (param i32))
  (tag $i64 (param i64))
  (tag $f32 (param f32))
  (tag $f64 (param f64))
  (tag $many (param i32 i64 f32 f64))

  (func $throw-i32 (param i32) (throw $i32 (local.get 0)))
  (func $throw-i64 (param i64) (throw $i64 (local.get 0)))
  (func $throw-f32 (param f32) (throw $f32 (local.get 0)))
  (func $throw-f64 (param f64) (throw $f64 (local.get 0)))
  (func $deep (param i32 i32)
    ;; Recurses `depth` frames, then throws.
    (if (i32.eqz (local.get 1))
      (then (call $throw-i32 (local.get 0)))
      (else (call $deep (local.get 0) (i32.sub (local.get 1) (i32.const 1))))))

  (func (export "i32") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $i32 $h) (call $deep (local.get 0) (i32.const 10)))
      (i32.const -1)))
  (func (export "i64") (param i64) (result i64)
    (block $h (result i64)
      (try_table (catch $i64 $h) (call $throw-i64 (local.get 0)))
      (i64.const -1)))
  (func (export "f32") (param f32) (result f32)
    (block $h (result f32)
      (try_table (catch $f32 $h) (call $throw-f32 (local.get 0)))
      (f32.const -1)))
  (func (export "f64") (param f64) (result f64)
    (block $h (result f64 exnref)
      (try_table (catch_ref $f64 $h) (call $throw-f64 (local.get 0)))
      (return (f64.const -1)))
    (drop))
  (func (export "many") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
    (block $h (result i32 i64 f32 f64)
      (try_table (catch $many $h)
        (throw $many (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (unreachable)))
)
;; kiln-test: invoke = "i32 42"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "i64 -9000000000"
;; kiln-test: expect = "-9000000000"
;; kiln-test: invoke = "f32 1.5"
;; kiln-test: expect = "1.5"
;; kiln-test: invoke = "f64 -2.25"
;; kiln-test: expect = "-2.25"
;; kiln-test: invoke = "many 7 8 9.5 10.25"
;; kiln-test: expect = "7\n8\n9.5\n10.25"
