;; kiln-test: target = "x86_64"
;; Code after `unreachable`/`br`/`return` is skipped, nested blocks included.
(module
  (func (param i32) (result i32)
    (block (result i32)
      (br 0 (i32.const 1))
      (block (loop (if (local.get 0) (then (br 2)))))
      (i32.const 4)))
  (func (result i32)
    unreachable))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001d                               jump block1
;;
;;                                 block1:
;; @0020                               v4 = iconst.i32 1
;; @0022                               jump block3(v4)  ; v4 = 1
;;
;;                                 block3(v3: i32):
;; @0034                               jump block2(v3)
;;
;;                                 block2(v2: i32):
;; @0034                               return v2
;; }
;;
;; function u0:1(i64 vmctx) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @0036                               jump block1
;;
;;                                 block1:
;; @0037                               trap user10
;; }
