;; kiln-test: target = "x86_64"
;; kiln-test: optimize = true
;; An `else`-less `if` branches straight to the code after its `end` (as in
;; Wasmtime); when that code only traps, the optimizer turns the branch into
;; a conditional trap at the `if`'s offset (@001d), so a backtrace of that
;; trap shows the `if` (tests/run/trap/if_then_unreachable.wat).
(module
  (func (param i32)
    (block
      (if (i32.eqz (local.get 0))
        (then (br 1)))
      (unreachable))))

;; function u0:0(i64 vmctx, i32) tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0017                               jump block1
;;
;;                                 block1:
;; @001c                               v2 = iconst.i32 0
;; @001c                               v3 = icmp.i32 eq v1, v2  ; v2 = 0
;; @001d                               trapz v3, user10
;; @001d                               jump block4
;;
;;                                 block4:
;; @001f                               jump block3
;;
;;                                 block3:
;; @0024                               jump block2
;;
;;                                 block2:
;; @0024                               return
;; }
