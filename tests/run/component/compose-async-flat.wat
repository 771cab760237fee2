;; Values an `async` call moves that can fail a check: a `char`, an enum
;; and a stream end, each the only parameter of an `async` lowering of a
;; sync lift. Wasmtime 49 checks them in the adapter's `[async-start]`
;; function, whose frame alone a trap shows (it runs on the callee's
;; fiber); Kiln's generated parameters' half does the same. (Kiln's
;; runtime once moved such values itself, unchecked: a surrogate `char`
;; and a discriminant past the last case went through.)
;; kiln-test: invoke = "good-char()"
;; kiln-test: expect = "65"
;; kiln-test: invoke = "good-enum()"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "bad-char()"
;; kiln-test: trap = "invalid `char` bit pattern"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-enum()"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-stream()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 0"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (type $s (stream u8))
    (type $e (enum "a" "b" "c"))
    (core module $m
      (memory (export "memory") 1)
      (func (export "s1") (param i32) (result i32) (i32.const 7))
      (func (export "c1") (param i32) (result i32) (local.get 0))
      (func (export "e1") (param i32) (result i32) (local.get 0)))
    (core instance $i (instantiate $m))
    (export $e2 "e" (type $e))
    (func (export "s1") async (param "x" $s) (result u32)
      (canon lift (core func $i "s1")))
    (func (export "c1") async (param "x" char) (result u32)
      (canon lift (core func $i "c1")))
    (func (export "e1") async (param "x" $e2) (result u32)
      (canon lift (core func $i "e1"))))
  (instance $lib (instantiate $lib))
  (core module $mm (memory (export "memory") 1))
  (core instance $mm (instantiate $mm))
  (core func $s1 (canon lower (func $lib "s1") async (memory (core memory $mm "memory"))))
  (core func $c1 (canon lower (func $lib "c1") async (memory (core memory $mm "memory"))))
  (core func $e1 (canon lower (func $lib "e1") async (memory (core memory $mm "memory"))))
  (core module $main
    (import "" "s1" (func $s1 (param i32 i32) (result i32)))
    (import "" "c1" (func $c1 (param i32 i32) (result i32)))
    (import "" "e1" (func $e1 (param i32 i32) (result i32)))
    (import "" "memory" (memory 1))
    (func (export "bad-stream") (result i32) (call $s1 (i32.const 0) (i32.const 16)))
    (func (export "bad-char") (result i32) (call $c1 (i32.const 0xd800) (i32.const 16)))
    (func (export "bad-enum") (result i32) (call $e1 (i32.const 3) (i32.const 16)))
    (func (export "good-char") (result i32)
      (drop (call $c1 (i32.const 0x41) (i32.const 16)))
      (i32.load (i32.const 16)))
    (func (export "good-enum") (result i32)
      (drop (call $e1 (i32.const 2) (i32.const 16)))
      (i32.load (i32.const 16))))
  (core instance $main (instantiate $main (with "" (instance
    (export "s1" (func $s1)) (export "c1" (func $c1)) (export "e1" (func $e1))
    (export "memory" (memory $mm "memory"))))))
  (func (export "bad-stream") async (result u32) (canon lift (core func $main "bad-stream")))
  (func (export "bad-char") async (result u32) (canon lift (core func $main "bad-char")))
  (func (export "bad-enum") async (result u32) (canon lift (core func $main "bad-enum")))
  (func (export "good-char") async (result u32) (canon lift (core func $main "good-char")))
  (func (export "good-enum") async (result u32) (canon lift (core func $main "good-enum"))))
