;; Tables: call_indirect (success, null entry, signature mismatch, out of
;; bounds), table.get/set/size/grow/fill/copy/init, ref.is_null, ref.func.
(module
  (type $i2i (func (param i32) (result i32)))
  (type $v2i (func (result i32)))
  (table $t 4 8 funcref)
  (table $e 2 externref)
  (elem (table $t) (i32.const 0) func $double $triple)
  (elem $passive func $forty_two $double)

  (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $forty_two (result i32) (i32.const 42))

  (func (export "call") (param i32 i32) (result i32)
    (call_indirect $t (type $i2i) (local.get 1) (local.get 0)))
  (func (export "call_v") (param i32) (result i32)
    (call_indirect $t (type $v2i) (local.get 0)))

  (func (export "size") (result i32) (table.size $t))
  (func (export "grow") (result i32)
    (drop (table.grow $t (ref.func $triple) (i32.const 2)))
    ;; Entry 5 is $triple now.
    (i32.add
      (i32.mul (table.size $t) (i32.const 100))
      (call_indirect $t (type $i2i) (i32.const 1) (i32.const 5))))
  (func (export "grow_fail") (result i32) (table.grow $t (ref.null func) (i32.const 5)))

  (func (export "get_set") (result i32)
    (table.set $t (i32.const 3) (table.get $t (i32.const 1)))
    (call_indirect $t (type $i2i) (i32.const 5) (i32.const 3)))
  (func (export "is_null") (param i32) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
  (func (export "extern_null") (result i32)
    (ref.is_null (table.get $e (i32.const 1))))

  (func (export "fill") (result i32)
    (table.fill $t (i32.const 1) (ref.func $double) (i32.const 3))
    (call_indirect $t (type $i2i) (i32.const 7) (i32.const 3)))
  (func (export "copy") (result i32)
    (table.copy $t $t (i32.const 2) (i32.const 0) (i32.const 2))
    (call_indirect $t (type $i2i) (i32.const 7) (i32.const 3)))
  (func (export "init") (result i32)
    (table.init $t $passive (i32.const 2) (i32.const 0) (i32.const 2))
    (call_indirect $t (type $v2i) (i32.const 2)))
  (func (export "init_after_drop")
    (elem.drop $passive)
    (table.init $t $passive (i32.const 0) (i32.const 0) (i32.const 1)))

  (func (export "get_oob") (result i32) (ref.is_null (table.get $t (i32.const 4))))
  (func (export "fill_oob") (table.fill $t (i32.const 3) (ref.null func) (i32.const 2))))

;; kiln-test: invoke = "call 0 5"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "call 1 5"
;; kiln-test: expect = "15"
;; kiln-test: invoke = "call 2 5"
;; kiln-test: trap = "uninitialized element"
;; kiln-test: invoke = "call 4 5"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "call -1 5"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "call_v 0"
;; kiln-test: trap = "indirect call type mismatch"
;; kiln-test: invoke = "size"
;; kiln-test: expect = "4"
;; kiln-test: invoke = "grow"
;; kiln-test: expect = "603"
;; kiln-test: invoke = "grow_fail"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "get_set"
;; kiln-test: expect = "15"
;; kiln-test: invoke = "is_null 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "is_null 3"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "extern_null"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "fill"
;; kiln-test: expect = "14"
;; kiln-test: invoke = "copy"
;; kiln-test: expect = "21"
;; kiln-test: invoke = "init"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "init_after_drop"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "get_oob"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "fill_oob"
;; kiln-test: trap = "out of bounds table access"
