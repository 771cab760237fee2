;; kiln-test: target = "x86_64"
;; if/else with a result, and an `if` with params but no `else` (its `brif`
;; passes the params straight to the block after `end`, as Wasmtime does).
(module
  (func (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.const 1))
      (else (i32.const 2))))
  (func (param i32) (result i32 i32)
    (i32.const 1) (i32.const 2)
    (if (param i32 i32) (result i32 i32) (local.get 0)
      (then (drop) (i32.const 3)))))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0026                               jump block1
;;
;;                                 block1:
;; @0029                               brif.i32 v1, block3, block5
;;
;;                                 block3:
;; @002b                               v4 = iconst.i32 1
;; @002d                               jump block4(v4)  ; v4 = 1
;;
;;                                 block5:
;; @002e                               v5 = iconst.i32 2
;; @0030                               jump block4(v5)  ; v5 = 2
;;
;;                                 block4(v3: i32):
;; @0031                               jump block2(v3)
;;
;;                                 block2(v2: i32):
;; @0031                               return v2
;; }
;;
;; function u0:1(i64 vmctx, i32) -> i32, i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0033                               jump block1
;;
;;                                 block1:
;; @0034                               v4 = iconst.i32 1
;; @0036                               v5 = iconst.i32 2
;; @003a                               brif.i32 v1, block3, block4(v4, v5)  ; v4 = 1, v5 = 2
;;
;;                                 block3:
;; @003d                               v8 = iconst.i32 3
;; @003f                               jump block4(v4, v8)  ; v4 = 1, v8 = 3
;;
;;                                 block4(v6: i32, v7: i32):
;; @0040                               jump block2(v6, v7)
;;
;;                                 block2(v2: i32, v3: i32):
;; @0040                               return v2, v3
;; }
