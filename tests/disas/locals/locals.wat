;; kiln-test: target = "x86_64"
;; Parameters and zero-initialized locals are variables; the prologue checks
;; the stack limit loaded from vmctx.
(module
  (func (param i32) (result i64) (local i64 f32 externref)
    (local.set 0 (i32.const 3))
    (local.get 1)))

;; function u0:0(i64 vmctx, i32) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0018                               v2 = iconst.i64 0
;; @0018                               v3 = f32const 0.0
;; @0018                               v4 = iconst.i64 0
;; @0018                               jump block1
;;
;;                                 block1:
;; @001f                               v6 = iconst.i32 3
;; @0025                               jump block2(v2)  ; v2 = 0
;;
;;                                 block2(v5: i64):
;; @0025                               return v5
;; }
