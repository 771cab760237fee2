;; Active element segments whose items mix the kinds the runtime resolves
;; at start-up: `ref.func` and `ref.null` (written straight into the table)
;; and constant expressions (`global.get` of a funcref global), in every
;; order, so that a constant expression after function references and
;; function references after a constant expression land in their slots.
;; Also a `ref.func` of an imported function and an uninitialised slot.
;; kiln-test: invoke = "call 0"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "call 1"
;; kiln-test: expect = "20"
;; kiln-test: invoke = "call 2"
;; kiln-test: expect = "30"
;; kiln-test: invoke = "call 3"
;; kiln-test: expect = "20"
;; kiln-test: invoke = "call 4"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "call 5"
;; kiln-test: expect = "30"
;; kiln-test: invoke = "nulls"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "call 6"
;; kiln-test: exit = 134
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "call 8"
;; kiln-test: expect = "40"
;; kiln-test: invoke = "call 9"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "call 10"
;; kiln-test: expect = "0"
(module
  (type $v2i (func (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (global $g funcref (ref.func $twenty))
  (global $h funcref (ref.func $thirty))
  (memory (export "memory") 1)
  (table $t 12 funcref)
  (elem (table $t) (i32.const 0) funcref
    (ref.func $ten) (ref.func $twenty) (global.get $h) (global.get $g)
    (ref.func $ten) (global.get $h) (ref.null func) (ref.null func))
  (elem (table $t) (i32.const 8) funcref
    (ref.func $forty) (ref.func $ten) (ref.func $yield))

  (func $ten (result i32) (i32.const 10))
  (func $twenty (result i32) (i32.const 20))
  (func $thirty (result i32) (i32.const 30))
  (func $forty (result i32) (i32.add (call $yield) (i32.const 40)))

  (func (export "call") (param i32) (result i32)
    (call_indirect $t (type $v2i) (local.get 0)))
  ;; Slots 6, 7 (null items) and 11 (never written) are null.
  (func (export "nulls") (result i32)
    (i32.add
      (i32.add (ref.is_null (table.get $t (i32.const 6)))
               (ref.is_null (table.get $t (i32.const 7))))
      (i32.and (ref.is_null (table.get $t (i32.const 11)))
               (i32.eqz (ref.is_null (table.get $t (i32.const 10)))))))
)
