;; kiln-test: target = "x86_64"
;; A loop with a parameter: branches go to the header with its arguments.
(module
  (func (param i32) (result i32)
    (i32.const 10)
    (loop (param i32) (result i32)
      (i32.const 1) (i32.sub)
      (local.tee 0) (local.get 0) (br_if 0))))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0018                               jump block1
;;
;;                                 block1:
;; @0019                               v3 = iconst.i32 10
;; @001b                               jump block3(v3)  ; v3 = 10
;;
;;                                 block3(v4: i32):
;; @001d                               v6 = iconst.i32 1
;; @001f                               v7 = isub v4, v6  ; v6 = 1
;; @0024                               brif v7, block3(v7), block5
;;
;;                                 block5:
;; @0026                               jump block4(v7)
;;
;;                                 block4(v5: i32):
;; @0027                               jump block2(v5)
;;
;;                                 block2(v2: i32):
;; @0027                               return v2
;; }
