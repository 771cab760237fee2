;; A string longer than the canonical ABI's host limit (2^28 - 1 bytes)
;; passes between components as in Wasmtime, whose fused adapters allow up
;; to 2^31 - 1 bytes: 2^28 + 3 UTF-8 bytes copied into the callee, and the
;; same through the runtime's transcoder (`latin1+utf16` to `latin1+utf16`,
;; Latin-1 contents). The callee answers the length it got, plus the sum
;; of the string's first and last bytes ('a' + 'z' = 219) shifted left by
;; 32. Kiln's adapters used to trap past 2^28 - 1 bytes.
;; kiln-test: invoke = "utf8()"
;; kiln-test: expect = "940866273283"
;; kiln-test: invoke = "latin1()"
;; kiln-test: expect = "940866273283"
(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      ;; One allocation, grown to fit.
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))
        (i32.const 0x10000))
      (func (export "measure") (param $p i32) (param $n i32) (result i64)
        (i64.or
          (i64.extend_i32_u (local.get $n))
          (i64.shl
            (i64.extend_i32_u
              (i32.add (i32.load8_u (local.get $p))
                       (i32.load8_u (i32.sub (i32.add (local.get $p) (local.get $n)) (i32.const 1)))))
            (i64.const 32)))))
    (core instance $i (instantiate $m))
    (func (export "utf8") (param "s" string) (result u64)
      (canon lift (core func $i "measure") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
    (func (export "latin1") (param "s" string) (result u64)
      (canon lift (core func $i "measure") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))
        string-encoding=latin1+utf16)))
  (instance $callee (instantiate $callee))
  (core module $mem (memory (export "memory") 4098))
  (core instance $mem (instantiate $mem))
  (core func $utf8 (canon lower (func $callee "utf8") (memory (core memory $mem "memory"))))
  (core func $latin1 (canon lower (func $callee "latin1") (memory (core memory $mem "memory"))
    string-encoding=latin1+utf16))
  (core module $main
    (import "" "memory" (memory 4098))
    (import "" "utf8" (func $utf8 (param i32 i32) (result i64)))
    (import "" "latin1" (func $latin1 (param i32 i32) (result i64)))
    (global $len i32 (i32.const 268435459))
    (func $fill
      (memory.fill (i32.const 0x10000) (i32.const 0x6d) (global.get $len))
      (i32.store8 (i32.const 0x10000) (i32.const 0x61))
      (i32.store8 (i32.add (i32.const 0xffff) (global.get $len)) (i32.const 0x7a)))
    (func (export "utf8") (result i64)
      (call $fill) (call $utf8 (i32.const 0x10000) (global.get $len)))
    (func (export "latin1") (result i64)
      (call $fill) (call $latin1 (i32.const 0x10000) (global.get $len))))
  (core instance $main (instantiate $main (with "" (instance
    (export "memory" (memory $mem "memory"))
    (export "utf8" (func $utf8)) (export "latin1" (func $latin1))))))
  (func (export "utf8") (result u64) (canon lift (core func $main "utf8")))
  (func (export "latin1") (result u64) (canon lift (core func $main "latin1"))))
