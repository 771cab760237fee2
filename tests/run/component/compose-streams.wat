;; Stream and future ends passed by sync calls between component
;; instances: Wasmtime 49's adapter moves each end with its `stream` or
;; `future` transfer intrinsic, and so does Kiln's adapter (through the
;; runtime's handle built-in), whose callee then runs as a task of its
;; own. `boom` passes a handle that is not there: the trap is the
;; transfer's, in the adapter's frame; `boom-callee` passes a new stream's
;; readable end to a callee that traps two frames down, below the
;; adapter's frame. Both print Wasmtime's stderr; `s2` moves a list of
;; futures through memory.
;; kiln-test: invoke = "go()"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "boom()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 0"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "boom-callee()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (type $s (stream u8))
    (type $f (future u32))
    (core module $m
      (memory (export "memory") 1)
      (global $next (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $next))
        (global.set $next (i32.add (global.get $next) (local.get 3)))
        (local.get $p))
      (func $deep (param i32) (result i32) unreachable)
      (func (export "s1") (param i32) (result i32) (call $deep (local.get 0)))
      (func (export "s2") (param i32 i32))
      (func (export "one") (result i32) (i32.const 1)))
    (core instance $i (instantiate $m))
    (func (export "s1") (param "x" $s) (result u32)
      (canon lift (core func $i "s1")))
    (func (export "s2") (param "xs" (list $f))
      (canon lift (core func $i "s2") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
    (func (export "one") (result u32)
      (canon lift (core func $i "one"))))
  (instance $lib (instantiate $lib))
  (core module $mm (memory (export "memory") 1))
  (core instance $mm (instantiate $mm))
  (core func $s1 (canon lower (func $lib "s1")))
  (core func $s2 (canon lower (func $lib "s2") (memory (core memory $mm "memory"))))
  (core func $one (canon lower (func $lib "one")))
  (type $s8 (stream u8))
  (core func $snew (canon stream.new $s8))
  (core module $main
    (import "" "s1" (func $s1 (param i32) (result i32)))
    (import "" "s2" (func $s2 (param i32 i32)))
    (import "" "one" (func $one (result i32)))
    (import "" "snew" (func $snew (result i64)))
    (func (export "go") (result i32) (call $one))
    (func (export "boom") (result i32) (call $s1 (i32.const 0)))
    ;; Passes a new stream's readable end: the callee traps.
    (func (export "boom-callee") (result i32)
      (call $s1 (i32.wrap_i64 (call $snew)))))
  (core instance $main (instantiate $main (with "" (instance
    (export "s1" (func $s1)) (export "s2" (func $s2)) (export "one" (func $one)) (export "snew" (func $snew))))))
  (func (export "go") (result u32) (canon lift (core func $main "go")))
  (func (export "boom") (result u32) (canon lift (core func $main "boom")))
  (func (export "boom-callee") (result u32) (canon lift (core func $main "boom-callee"))))
