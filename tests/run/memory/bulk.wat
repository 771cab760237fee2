;; Bulk memory: memory.copy with overlap in both directions, memory.fill,
;; memory.init from a passive segment, data.drop, and the bounds rules
;; (a trapping bulk operation writes nothing; zero-length operations at
;; exactly the end are fine, one past the end traps).
(module
  (memory 1)
  (data $p "0123456789")
  (data (i32.const 100) "abcdefgh")
  ;; Reads 8 bytes at `addr` as an i64 (little-endian).
  (func $peek (param $addr i32) (result i64) (i64.load (local.get $addr)))
  (func (export "copy_forward") (result i64)
    ;; abcdefgh at 100 -> copy 100..106 to 102: ababcdef
    (memory.copy (i32.const 102) (i32.const 100) (i32.const 6))
    (call $peek (i32.const 100)))
  (func (export "copy_backward") (result i64)
    ;; copy 102..108 to 100: cdefghgh
    (memory.copy (i32.const 100) (i32.const 102) (i32.const 6))
    (call $peek (i32.const 100)))
  (func (export "fill") (result i64)
    (memory.fill (i32.const 101) (i32.const 0x5a) (i32.const 3))
    (call $peek (i32.const 100)))
  (func (export "fill_value_truncated") (result i32)
    (memory.fill (i32.const 0) (i32.const 0x1234) (i32.const 4))
    (i32.load (i32.const 0)))
  (func (export "init") (result i64)
    (memory.init $p (i32.const 200) (i32.const 2) (i32.const 8))
    (call $peek (i32.const 200)))
  (func (export "init_dropped") (result i32)
    (data.drop $p)
    ;; Zero length from a dropped segment is fine...
    (memory.init $p (i32.const 0) (i32.const 0) (i32.const 0))
    (i32.const 7))
  (func (export "init_dropped_nonzero")
    (data.drop $p)
    (memory.init $p (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "init_segment_oob")
    (memory.init $p (i32.const 0) (i32.const 5) (i32.const 6)))
  (func (export "copy_oob_writes_nothing")
    ;; Destination runs past the end: trap before writing anything.
    (memory.copy (i32.const 65530) (i32.const 100) (i32.const 8)))
  (func (export "fill_oob") (memory.fill (i32.const 65535) (i32.const 1) (i32.const 2)))
  (func (export "fill_at_end") (result i32)
    (memory.fill (i32.const 65536) (i32.const 1) (i32.const 0))
    (i32.const 1))
  (func (export "fill_past_end_zero")
    (memory.fill (i32.const 65537) (i32.const 1) (i32.const 0)))
  (func (export "copy_huge_len")
    (memory.copy (i32.const 0) (i32.const 0) (i32.const -1)))
  (func (export "copy_big") (result i32)
    ;; A copy larger than any small-copy fast path: 40000 bytes.
    (memory.fill (i32.const 0) (i32.const 7) (i32.const 40000))
    (memory.copy (i32.const 20000) (i32.const 0) (i32.const 40000))
    (i32.add (i32.load8_u (i32.const 59999)) (i32.load8_u (i32.const 60000))))
)
;; Little-endian i64 of the 8 bytes, printed as signed decimal.
;; kiln-test: invoke = "copy_forward"
;; kiln-test: expect = "7378413942531514977"
;; kiln-test: invoke = "copy_backward"
;; kiln-test: expect = "7523096495854543971"
;; kiln-test: invoke = "fill"
;; kiln-test: expect = "7523094288039303777"
;; kiln-test: invoke = "fill_value_truncated"
;; kiln-test: expect = "875836468"
;; kiln-test: invoke = "init"
;; kiln-test: expect = "4123106164818064178"
;; kiln-test: invoke = "init_dropped"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "init_dropped_nonzero"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "init_segment_oob"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_oob_writes_nothing"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "fill_oob"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "fill_at_end"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "fill_past_end_zero"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_huge_len"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_big"
;; kiln-test: expect = "7"
