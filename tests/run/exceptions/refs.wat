;; exnref values live in locals, tables and globals and are rethrown
;; from there later; a null exnref in a table reads as null.
(module
  (tag $e (param i32))
  (table $t 2 exnref)
  (global $g (mut exnref) (ref.null exn))
  (func $throw (param i32) (throw $e (local.get 0)))
  (func $catch (param i32) (result exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (call $throw (local.get 0)))
      (unreachable))
    (local.set 0 (i32.const 0))
    (drop (local.get 0))
    (return)
    )
  (func (export "store") (param i32)
    (local exnref)
    (local.set 1 (call $catch (i32.const 0)))
    (drop (local.get 0))
    (table.set $t (i32.const 1) (call $catch (local.get 0)))
    (global.set $g (call $catch (i32.add (local.get 0) (i32.const 1)))))
  (func (export "rethrow-table") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (table.get $t (i32.const 1))))
      (i32.const -1)))
  (func (export "rethrow-global") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (global.get $g)))
      (i32.const -1)))
  (func (export "null-in-table") (result i32)
    (ref.is_null (table.get $t (i32.const 0))))
  (func (export "get") (result exnref) (global.get $g))
  (func (export "seq") (result i32)
    (call 2 (i32.const 5))
    (i32.add (call 3) (i32.mul (i32.const 100) (call 4))))
)
;; kiln-test: invoke = "seq"
;; kiln-test: expect = "605"
;; kiln-test: invoke = "null-in-table"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "get"
;; kiln-test: expect = "<null exnref>"
