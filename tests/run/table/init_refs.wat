;; The compiled reference and element initializers (`__kiln_init_refs`,
;; `__kiln_init_elems`): they fill the function references and apply the
;; leading element segments that are static (constant offset, defined table, `ref.func`/`ref.null` items),
;; passive and declarative segments included in that prefix; the first
;; segment that is not static (a `global.get` offset) and every one after
;; it are left to the runtime, in order, so the later `(i32.const 1)`
;; segment overwrites slot 1 after the `global.get` one wrote it. Applied
;; active segments are dropped (`table.init` from one traps), passive ones
;; stay. Type ids come from the instance's interned ids: `$inc` is declared
;; with a type equal to `$i2i` but distinct, `$neg` with another type. A
;; global's `ref.func` initializer names a reference the initializer
;; filled (globals are evaluated after it, before the tables).
;; kiln-test: invoke = "call 0 5"
;; kiln-test: expect = "6"
;; kiln-test: invoke = "call 1 5"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "call 2 5"
;; kiln-test: expect = "15"
;; kiln-test: invoke = "is_null 3"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "is_null 5"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "call 4 5"
;; kiln-test: expect = "20"
;; kiln-test: invoke = "call 6 5"
;; kiln-test: exit = 134
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "from_passive 5"
;; kiln-test: expect = "15"
;; kiln-test: invoke = "from_applied"
;; kiln-test: exit = 134
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "from_applied_empty"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "via_export 7"
;; kiln-test: expect = "14"
;; kiln-test: invoke = "via_global 7"
;; kiln-test: expect = "21"
;; kiln-test: invoke = "via_init_value 7"
;; kiln-test: expect = "28"
(module
  (type $i2i (func (param i32) (result i32)))
  (type $i2i_again (func (param i32) (result i32)))
  (type $i2l (func (param i32) (result i64)))
  (global $one i32 (i32.const 1))
  (global $g funcref (ref.func $triple))
  (table $t 8 funcref)
  (table $u 2 funcref)
  (table $v 3 funcref (ref.func $quad))
  (elem (table $t) (i32.const 0) func $inc $dbl)
  (elem $passive func $triple)
  (elem declare func $quad)
  (elem (table $t) (i32.const 2) funcref (ref.func $triple) (ref.null func))
  (elem (table $t) (global.get $one) func $quad)
  (elem (table $t) (i32.const 1) func $dbl)
  (elem (table $t) (i32.const 4) func $quad)
  (elem (table $t) (i32.const 6) func $neg)
  (elem (table $u) (i32.const 0) func $dbl)

  (func $inc (type $i2i_again) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $i2i) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (type $i2i) (i32.mul (local.get 0) (i32.const 3)))
  (func $quad (type $i2i) (i32.mul (local.get 0) (i32.const 4)))
  (func $neg (type $i2l) (i64.extend_i32_s (i32.sub (i32.const 0) (local.get 0))))

  (func (export "call") (param i32 i32) (result i32)
    (call_indirect $t (type $i2i) (local.get 1) (local.get 0)))
  (func (export "is_null") (param i32) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
  (func (export "from_passive") (param i32) (result i32)
    (table.init $t $passive (i32.const 7) (i32.const 0) (i32.const 1))
    (call_indirect $t (type $i2i) (local.get 0) (i32.const 7)))
  (func (export "from_applied")
    (table.init $t 0 (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "from_applied_empty") (result i32)
    (table.init $t 0 (i32.const 0) (i32.const 0) (i32.const 0))
    (i32.const 0))
  (func (export "via_export") (param i32) (result i32)
    (call_indirect $u (type $i2i) (local.get 0) (i32.const 0)))
  (func (export "via_global") (param i32) (result i32)
    (table.set $u (i32.const 1) (global.get $g))
    (call_indirect $u (type $i2i) (local.get 0) (i32.const 1)))
  (func (export "via_init_value") (param i32) (result i32)
    (call_indirect $v (type $i2i) (local.get 0) (i32.const 2)))
  (export "dbl" (func $dbl))
)
