;; -W fuel in a component: every core instance has fuel checks and burns
;; the same counter. `count(n)` needs 9n + 2 units, as in Wasmtime (whose
;; lift and lower trampolines burn none either): with 92, `count(10)` has
;; just enough and `count(11)` runs out; the loop in the second core
;; instance runs out too.
;; kiln-test: flags = "-W fuel=92"
(component
  ;; Two core instances: `$m` calls into `$o`, which has its own memory.
  (core module $other
    (memory (export "memory") 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "spin") (loop $l (br $l))))
  (core module $main
    (import "other" "grow" (func $grow-other (param i32) (result i32)))
    (import "other" "spin" (func $spin-other))
    (memory 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow-other") (param i32) (result i32) (call $grow-other (local.get 0)))
    (func (export "spin-other") (call $spin-other))
    (func (export "count") (param $n i32) (result i32) (local $i i32)
      (block $done
        (loop $l
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
      (local.get $i)))
  (core instance $o (instantiate $other))
  (core instance $m (instantiate $main (with "other" (instance $o))))
  (func (export "grow") (param "pages" u32) (result s32) (canon lift (core func $m "grow")))
  (func (export "grow-other") (param "pages" u32) (result s32) (canon lift (core func $m "grow-other")))
  (func (export "spin-other") (canon lift (core func $m "spin-other")))
  (func (export "count") (param "n" u32) (result u32) (canon lift (core func $m "count"))))
;; kiln-test: invoke = "count(10)"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "count(11)"
;; kiln-test: trap = "all fuel consumed by WebAssembly"
;; kiln-test: invoke = "spin-other()"
;; kiln-test: trap = "all fuel consumed by WebAssembly"
;; kiln-test: stderr-contains = "    0:     0x4d - other!<wasm function 1>\n    1:     0xe8 - main!<wasm function 4>\n"
