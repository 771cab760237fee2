;; A defined shared memory (each invoke is a fresh process): exported,
;; grown up to its maximum and not beyond, data segments applied, plain and atomic accesses agree, and a wait with a
;; huge timeout still answers "not equal" at once.
;; kiln-test: wasmtime-flags = "-W threads,shared-memory"
(module
  (memory (export "memory") 1 3 shared)
  (data (i32.const 65532) "\01\02\03\04")
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "last") (result i32) (i32.atomic.load (i32.const 65532)))
  (func (export "poke") (param i32) (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (local.get 0) (i32.const 0x11223344))
    (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
  (func (export "wait_ne") (result i32)
    (memory.atomic.wait64 (i32.const 65528) (i64.const 1) (i64.const 0x7fffffffffffffff))))
;; kiln-test: invoke = "size"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "last"
;; kiln-test: expect = "67305985"
;; kiln-test: invoke = "grow 2"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "grow 3"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow 0"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "poke 131068"
;; kiln-test: expect = "287454020"
;; kiln-test: invoke = "poke 131072"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait_ne"
;; kiln-test: expect = "1"
