;; A variant passed flat (in core values, not memory) through a fused
;; adapter whose payloads are all scalars, enums, flags or records of them:
;; the adapter branches with a `br_table` into a block per case, each
;; pushing its discriminant, its payload and zeros for the unused slots,
;; and the values stay on the stack for the callee's call, as in Wasmtime's
;; adapters. Kiln tested each case in turn and went through locals, 15
;; bytes longer than Wasmtime's code from the discriminant check to the
;; call, so the check's frame kept Kiln's offset. The caller's core code
;; passes the raw values: a bad discriminant, a bad `char` or enum in a
;; payload.
;; kiln-test: invoke = "joined(0,1069547520)"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "joined(4,0)"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "joined(1,1114112)"
;; kiln-test: trap = "invalid `char` bit pattern"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "joined(2,7)"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "joined(2,2)"
;; kiln-test: expect = "2"
(component
  (component $callee
    (type $e (enum "a" "b" "c")) (export $e' "e" (type $e))
    (type $r (record (field "x" char) (field "y" u8))) (export $r' "r" (type $r))
    (type $v (variant (case "f" f32) (case "r" $r') (case "e" $e') (case "none")))
    (export $v' "v" (type $v))
    (core module $m
      ;; The discriminant.
      (func (export "take") (param i32 i32 i32) (result i32) (local.get 0))
    )
    (core instance $i (instantiate $m))
    (func (export "take") (param "v" $v') (result u32) (canon lift (core func $i "take"))))
  (instance $c (instantiate $callee))
  (type $e (enum "a" "b" "c")) (export $e' "e" (type $e))
  (type $r (record (field "x" char) (field "y" u8))) (export $r' "r" (type $r))
  (type $v (variant (case "f" f32) (case "r" $r') (case "e" $e') (case "none")))
  (export $v' "v" (type $v))
  (core func $take (canon lower (func $c "take")))
  (core module $fwd
    (import "" "take" (func $take (param i32 i32 i32) (result i32)))
    ;; The core values as the caller passes them, unchecked.
    (func (export "joined") (param i32 i32) (result i32)
      (call $take (local.get 0) (local.get 1) (i32.const 0))))
  (core instance $f (instantiate $fwd (with "" (instance (export "take" (func $take))))))
  (func (export "joined") (param "d" u32) (param "p" u32) (result u32)
    (canon lift (core func $f "joined")))
)
