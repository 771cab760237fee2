;; A function that calls itself is inlined into its own body once
;; (`pipeline/inline.rs`, `MAX_SELF_BYTES`): every other level of a
;; recursion runs in the caller's frame. Backtraces still show a frame per
;; call, as Wasmtime's: traps at the bottom of recursions of odd and even
;; depth (the trap in the inlined copy, or in a called one), a division
;; by zero deep in a recursion that also loops, a load out of bounds;
;; results are unchanged, and a recursion too deep still exhausts the
;; stack cleanly, with Wasmtime's backtrace (its innermost frames). A
;; function on a cycle through another (`$ping`/`$pong`) is not inlined at
;; all.
;; kiln-test: invoke = "down 4"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "down 5"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "sum 100"
;; kiln-test: expect = "5050"
;; kiln-test: invoke = "fib 20"
;; kiln-test: expect = "6765"
;; kiln-test: invoke = "divs 6 3"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "divs 7 3"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "peek 3 65528"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "ping 7"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "forever 1"
;; kiln-test: trap = "call stack exhausted"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "fib 100000"
;; kiln-test: trap = "call stack exhausted"
;; kiln-test: stderr-like-wasmtime
(module
  (memory 1)
  (func $down (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "down") (param i32) (result i32) (call $down (local.get 0)))

  (func $sum (export "sum") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (local.get 0) (call $sum (i32.sub (local.get 0) (i32.const 1)))))))

  ;; As rustc -O shapes recursive Fibonacci: one call in a loop.
  (func $fib (export "fib") (param i32) (result i64)
    (local i64)
    (block
      (br_if 0 (i32.lt_u (local.get 0) (i32.const 2)))
      (loop
        (local.set 1 (i64.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (local.get 1)))
        (local.tee 0 (i32.sub (local.get 0) (i32.const 2)))
        (br_if 0 (i32.gt_u (i32.const 1)))))
    (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))

  ;; 100 divided by n - d at each level, down to n = 0.
  (func $divs (export "divs") (param $n i32) (param $d i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else
        (i32.add
          (i32.div_s (i32.const 100) (i32.sub (local.get $n) (local.get $d)))
          (call $divs (i32.sub (local.get $n) (i32.const 1)) (local.get $d))))))

  ;; Loads at addr + 4n, ..., addr.
  (func $peek (export "peek") (param $n i32) (param $a i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.load (local.get $a)))
      (else
        (i32.add
          (i32.load (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
          (call $peek (i32.sub (local.get $n) (i32.const 1)) (local.get $a))))))

  (func $ping (export "ping") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (i32.add (call $pong (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
  (func $pong (param i32) (result i32)
    (i32.add (call $ping (local.get 0)) (i32.const 2)))

  (func $forever (export "forever") (param i32) (result i32)
    (i32.add (call $forever (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
)
