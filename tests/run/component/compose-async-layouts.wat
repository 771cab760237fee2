;; Checks of `async` adapters, as Wasmtime 49 makes them (see
;; compose-async-mixed.wat): five parameters of an `async` lowering passed
;; through memory (`bad-params`: an unaligned pointer), a call without
;; results, results moved into the caller's memory with its `realloc`
;; (`bad-retptr`: an unaligned return pointer), a sync lift's
;; `post-return` through an `async` lowering, a list and a `char` moved
;; into the callee (`bad-realloc`: its `realloc` traps, `bad-char`: a
;; surrogate), and a sync adapter after them.
;; kiln-test: invoke = "go()"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "one-item()"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "bad-params()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-retptr()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-realloc()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-char()"
;; kiln-test: trap = "invalid `char` bit pattern"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      (global $next (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (i32.eq (local.get 3) (i32.const 400)) (then unreachable))
        (local.set $p (global.get $next))
        (global.set $next (i32.add (global.get $next) (local.get 3)))
        (local.get $p))
      (func (export "n") (param i32 i32 i32 i32 i32))
      (func (export "post") (param i32))
      (func (export "l") (param i32 i32 i32))
      (func (export "str") (param i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $m))
    (func (export "n") async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32)
      (canon lift (core func $i "n")))
    (func (export "l") async (param "xs" (list u32)) (param "c" char)
      (canon lift (core func $i "l") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
    (func (export "str") async (param "x" u32) (result string)
      (canon lift (core func $i "str") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))
        (post-return (core func $i "post")))))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $p)))
  (core instance $mm (instantiate $mm))
  (core func $n (canon lower (func $lib "n") async (memory (core memory $mm "memory"))))
  (core func $str (canon lower (func $lib "str") async (memory (core memory $mm "memory")) (realloc (core func $mm "realloc"))))
  (core func $l (canon lower (func $lib "l") async (memory (core memory $mm "memory"))))
  (core func $str2 (canon lower (func $lib "str") (memory (core memory $mm "memory")) (realloc (core func $mm "realloc"))))
  (core module $main
    (import "" "n" (func $n (param i32) (result i32)))
    (import "" "str" (func $str (param i32 i32) (result i32)))
    (import "" "str2" (func $str2 (param i32 i32)))
    (import "" "l" (func $l (param i32 i32 i32) (result i32)))
    (import "" "memory" (memory 1))
    (func (export "bad-realloc") (result i32)
      (call $l (i32.const 0) (i32.const 100) (i32.const 65)))
    (func (export "bad-char") (result i32)
      (call $l (i32.const 0) (i32.const 1) (i32.const 0xd800)))
    (func (export "one-item") (result i32)
      (call $l (i32.const 0) (i32.const 1) (i32.const 65)))
    (func (export "bad-params") (result i32)
      (call $n (i32.const 65530)))
    (func (export "bad-retptr") (result i32)
      (call $str (i32.const 16) (i32.const 66)))
    (func (export "go") (result i32)
      (drop (call $n (i32.const 16)))
      (drop (call $str (i32.const 16) (i32.const 64)))
      (call $str2 (i32.const 1) (i32.const 96))
      (i32.load (i32.const 68))))
  (core instance $main (instantiate $main (with "" (instance
    (export "n" (func $n)) (export "str" (func $str)) (export "str2" (func $str2)) (export "l" (func $l))
    (export "memory" (memory $mm "memory"))))))
  (func (export "bad-realloc") async (result u32) (canon lift (core func $main "bad-realloc")))
  (func (export "bad-char") async (result u32) (canon lift (core func $main "bad-char")))
  (func (export "one-item") async (result u32) (canon lift (core func $main "one-item")))
  (func (export "bad-params") async (result u32) (canon lift (core func $main "bad-params")))
  (func (export "bad-retptr") async (result u32) (canon lift (core func $main "bad-retptr")))
  (func (export "go") async (result u32) (canon lift (core func $main "go"))))
