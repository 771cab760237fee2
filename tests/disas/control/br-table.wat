;; kiln-test: target = "x86_64"
;; br_table without values jumps directly; with values it goes through
;; one edge block per distinct target.
(module
  (func (param i32) (result i32)
    (block (block
      (br_table 0 1 0 (local.get 0)))
      (return (i32.const 1)))
    (i32.const 2))
  (func (param i32) (result i32)
    (block (result i32)
      (block (result i32)
        (br_table 0 1 1 (i32.const 5) (local.get 0)))
      (i32.const 1) (i32.add))))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0019                               jump block1
;;
;;                                 block1:
;; @0020                               br_table v1, block4, [block4, block3]
;;
;;                                 block4:
;; @0026                               v3 = iconst.i32 1
;; @0028                               return v3  ; v3 = 1
;;
;;                                 block3:
;; @002a                               v4 = iconst.i32 2
;; @002c                               jump block2(v4)  ; v4 = 2
;;
;;                                 block2(v2: i32):
;; @002c                               return v2
;; }
;;
;; function u0:1(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @002e                               jump block1
;;
;;                                 block1:
;; @0033                               v5 = iconst.i32 5
;; @0037                               br_table v1, block6, [block5, block6]
;;
;;                                 block5:
;; @0037                               jump block4(v5)  ; v5 = 5
;;
;;                                 block6:
;; @0037                               jump block3(v5)  ; v5 = 5
;;
;;                                 block4(v4: i32):
;; @003d                               v6 = iconst.i32 1
;; @003f                               v7 = iadd v4, v6  ; v6 = 1
;; @0040                               jump block3(v7)
;;
;;                                 block3(v3: i32):
;; @0041                               jump block2(v3)
;;
;;                                 block2(v2: i32):
;; @0041                               return v2
;; }
