;; call_indirect through a table whose maximum is its minimum (wasm-ld's
;; indirect function table): the compiler bounds-checks against the
;; constant size and loads the element base once per function; a null
;; entry traps where the callee's type id is loaded (a fault in the first
;; page, reported as Wasmtime does, backtrace included). The table still
;; changes through table.set and refuses to grow.
(module
  (type $i2i (func (param i32) (result i32)))
  (table $t 3 3 funcref)
  (elem (table $t) (i32.const 0) func $inc $dbl)
  (func $inc (type $i2i) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $i2i) (i32.mul (local.get 0) (i32.const 2)))
  (func $call (param $idx i32) (param $x i32) (result i32)
    (call_indirect $t (type $i2i) (local.get $x) (local.get $idx)))
  (func (export "unary") (param $idx i32) (param $x i32) (result i32)
    (call $call (local.get $idx) (local.get $x)))
  (func (export "size") (result i32) (table.size $t))
  ;; Growing fails (-1), by 0 succeeds (3); calls work as before.
  (func (export "grow_then_call") (result i32)
    (i32.add
      (i32.add (table.grow $t (ref.null func) (i32.const 1))
               (table.grow $t (ref.null func) (i32.const 0)))
      (call_indirect $t (type $i2i) (i32.const 20) (i32.const 1))))
  ;; Fill the null slot at run time, call through it, clear it again.
  (func (export "set_then_call") (result i32)
    (local $r i32)
    (table.set $t (i32.const 2) (ref.func $dbl))
    (local.set $r (call_indirect $t (type $i2i) (i32.const 50) (i32.const 2)))
    (table.set $t (i32.const 2) (ref.null func))
    (local.get $r))
  ;; Calls in a loop through alternating entries.
  (func (export "loop") (param $n i32) (result i32)
    (local $acc i32) (local $i i32)
    (local.set $acc (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (call_indirect $t (type $i2i) (local.get $acc) (i32.and (local.get $i) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "_start") (drop (call $call (i32.const 2) (i32.const 7)))))
;; kiln-test: trap = "uninitialized element"
;; kiln-test: invoke = "unary 0 41"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "unary 1 21"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "unary 2 1"
;; kiln-test: trap = "uninitialized element"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "unary 3 1"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "unary -1 1"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "size"
;; kiln-test: expect = "3"
;; -1 + 3 + dbl(20)
;; kiln-test: invoke = "grow_then_call"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "set_then_call"
;; kiln-test: expect = "100"
;; i even: inc, i odd: dbl. 1 -> 2 -> 4 -> 5 -> 10 -> 11 -> 22
;; kiln-test: invoke = "loop 6"
;; kiln-test: expect = "22"
