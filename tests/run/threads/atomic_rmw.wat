;; Atomic loads, stores, read-modify-writes and cmpxchg of every width on a
;; shared memory: narrow variants operate on their bytes only and
;; zero-extend the old value.
;; kiln-test: wasmtime-flags = "-W threads,shared-memory"
(module
  (memory 1 1 shared)
  (data (i32.const 0) "\ff\ff\ff\ff\ff\ff\ff\ff")
  (func (export "load8") (param i32) (result i32) (i32.atomic.load8_u (local.get 0)))
  (func (export "load16") (param i32) (result i64) (i64.atomic.load16_u (local.get 0)))
  (func (export "load32") (param i32) (result i64) (i64.atomic.load32_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.atomic.load (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.atomic.store8 (local.get 0) (local.get 1)))
  (func (export "store32") (param i32 i64) (i64.atomic.store32 (local.get 0) (local.get 1)))
  (func (export "add8") (param i32 i32) (result i32) (i32.atomic.rmw8.add_u (local.get 0) (local.get 1)))
  (func (export "sub16") (param i32 i64) (result i64) (i64.atomic.rmw16.sub_u (local.get 0) (local.get 1)))
  (func (export "and") (param i32 i32) (result i32) (i32.atomic.rmw.and (local.get 0) (local.get 1)))
  (func (export "or64") (param i32 i64) (result i64) (i64.atomic.rmw.or (local.get 0) (local.get 1)))
  (func (export "xor32") (param i32 i64) (result i64) (i64.atomic.rmw32.xor_u (local.get 0) (local.get 1)))
  (func (export "xchg8") (param i32 i64) (result i64) (i64.atomic.rmw8.xchg_u (local.get 0) (local.get 1)))
  (func (export "cas16") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw16.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cas64") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2)))
  ;; A sequence in one call, with a fence, so state carries over.
  (func (export "sequence") (result i64)
    (i64.atomic.store (i32.const 16) (i64.const 0x0102030405060708))
    (drop (i32.atomic.rmw8.add_u (i32.const 16) (i32.const 0xff)))   ;; 08+ff = 07
    (drop (i64.atomic.rmw16.sub_u (i32.const 18) (i64.const 0x10000))) ;; operand truncated to 0: bytes unchanged
    (drop (i32.atomic.rmw16.cmpxchg_u (i32.const 20) (i32.const 0x10304) (i32.const 0xaaaa))) ;; expected truncated to 0x0304: swaps in 0xaaaa
    atomic.fence
    (i64.atomic.load (i32.const 16))))
;; kiln-test: invoke = "load8 1"
;; kiln-test: expect = "255"
;; kiln-test: invoke = "load16 2"
;; kiln-test: expect = "65535"
;; kiln-test: invoke = "load32 4"
;; kiln-test: expect = "4294967295"
;; kiln-test: invoke = "load64 0"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "add8 0 2"
;; kiln-test: expect = "255"
;; kiln-test: invoke = "sub16 0 1"
;; kiln-test: expect = "65535"
;; kiln-test: invoke = "and 0 0x0f0f"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "or64 8 5"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "xor32 4 -1"
;; kiln-test: expect = "4294967295"
;; kiln-test: invoke = "xchg8 3 0x1234"
;; kiln-test: expect = "255"
;; kiln-test: invoke = "cas16 0 65535 7"
;; kiln-test: expect = "65535"
;; kiln-test: invoke = "cas16 0 0x1ffff 7"
;; kiln-test: expect = "65535"
;; kiln-test: invoke = "cas64 0 0 1"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "sequence"
;; kiln-test: expect = "72808191196792583"
