;; Small functions are inlined into their callers (`pipeline/inline.rs`),
;; but backtraces show every call, as Wasmtime's (which does not inline):
;; a trap two inlined callees deep, a trap in a function called from
;; inlined code (its return address lies in the inlined body), a load out
;; of bounds inside inlined code, the same callee inlined at two calls of
;; one function, and exceptions thrown through inlined code into the
;; caller's `try_table`.
;; kiln-test: invoke = "div 7 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "div 7 2"
;; kiln-test: expect = "4"
;; kiln-test: invoke = "deep 0"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "load 65536"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "twice 1"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "twice 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "twice 2"
;; kiln-test: expect = "18"
;; kiln-test: invoke = "catch 5"
;; kiln-test: expect = "105"
;; kiln-test: invoke = "catch 0"
;; kiln-test: expect = "-1"
(module
  (memory 1)
  (tag $e (param i32))
  (func $leaf (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $mid (param i32 i32) (result i32)
    (i32.add (call $leaf (local.get 0) (local.get 1)) (i32.const 1)))
  (func (export "div") (param i32 i32) (result i32)
    (call $mid (local.get 0) (local.get 1)))

  ;; Too big to inline: it traps on its own frame, called from inlined code.
  (func $big (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (local.set 0 (i32.mul (local.get 0) (i32.const 3)))
    (local.set 0 (i32.add (local.get 0) (i32.const 5)))
    (local.set 0 (i32.mul (local.get 0) (i32.const 7)))
    (local.set 0 (i32.add (local.get 0) (i32.const 11)))
    (local.set 0 (i32.xor (local.get 0) (i32.const 13)))
    (local.set 0 (i32.rotl (local.get 0) (i32.const 17)))
    (local.set 0 (i32.sub (local.get 0) (i32.const 19)))
    (local.set 0 (i32.or (local.get 0) (i32.const 23)))
    (local.get 0))
  (func $calls_big (param i32) (result i32)
    (i32.add (call $big (local.get 0)) (i32.const 2)))
  (func (export "deep") (param i32) (result i32)
    (call $calls_big (local.get 0)))

  (func $peek (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load") (param i32) (result i32)
    (i32.add (call $peek (local.get 0)) (i32.const 1)))

  (func $over (param i32) (result i32) (i32.div_u (i32.const 12) (local.get 0)))
  (func (export "twice") (param i32) (result i32)
    (i32.add
      (call $over (local.get 0))
      (call $over (i32.sub (local.get 0) (i32.const 1)))))

  ;; Throws: never inlined itself, but called from an inlined function
  ;; inside the caller's `try_table`.
  (func $thrower (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const -1))))
    (i32.add (local.get 0) (i32.const 100)))
  (func $wrap (param i32) (result i32) (call $thrower (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $caught (result i32)
      (try_table (result i32) (catch $e $caught)
        (call $wrap (local.get 0))))))
