;; kiln-test: target = "x86_64"
;; kiln-test: optimize = true
;; At -O, the memory base stays in the entry block (hoisted out of the loop)
;; and each access is one load/store with the static offset folded in.
(module
  (memory 1)
  (func (param i32 i32) (result i32) (local i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.load offset=8 (local.get 0))))
      (i32.store offset=16 (local.get 0) (local.get 2))
      (local.set 0 (i32.add (local.get 0) (i32.const 4)))
      (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
    (local.get 2)))

;; function u0:0(i64 vmctx, i32, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32, v2: i32):
;; @001e                               jump block1
;;
;;                                 block1:
;; @001e                               v3 = iconst.i32 0
;; @001e                               v7 = load.i64 notrap aligned readonly can_move v0+48
;; @003d                               v17 = iconst.i32 1
;; @0036                               v14 = iconst.i32 4
;; @0021                               jump block3(v3, v1, v2)  ; v3 = 0
;;
;;                                 block3(v5: i32, v6: i32, v16: i32):
;; @0027                               v8 = uextend.i64 v6
;; @0027                               v9 = iadd.i64 v7, v8
;; @0027                               v10 = load.i32 little region0 v9+8
;; @002a                               v11 = iadd v5, v10
;; @0031                               store little region0 v11, v9+16
;;                                     v19 = iconst.i32 1
;;                                     v20 = isub v16, v19  ; v19 = 1
;;                                     v21 = iconst.i32 4
;;                                     v22 = iadd v6, v21  ; v21 = 4
;; @0042                               brif v20, block3(v11, v22, v20), block5
;;
;;                                 block5:
;; @0044                               jump block4
;;
;;                                 block4:
;; @0047                               jump block2
;;
;;                                 block2:
;; @0047                               return v11
;; }
