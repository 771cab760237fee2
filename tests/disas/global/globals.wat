;; kiln-test: target = "x86_64"
;; Defined globals live in the VMContext (imported ones, reached through a
;; pointer, are covered by unit tests: phase 1 only imports WASI functions).
;; Immutable globals are loaded with `readonly can_move`.
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
  (global $c i64 (i64.const 7))
  (global $m (mut i32) (i32.const 0))
  (global $r (mut funcref) (ref.null func))
  (func (result i64)
    (global.set $m (i32.const 1))
    (global.set $r (global.get $r))
    (global.get $c)))

;; function u0:1(i64 vmctx) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @0055                               jump block1
;;
;;                                 block1:
;; @0056                               v2 = iconst.i32 1
;; @0058                               store notrap aligned little v2, v0+80  ; v2 = 1
;; @005a                               v3 = load.i64 notrap aligned little v0+96
;; @005c                               store notrap aligned little v3, v0+96
;; @005e                               v4 = load.i64 notrap aligned readonly can_move little v0+64
;; @0060                               jump block2(v4)
;;
;;                                 block2(v1: i64):
;; @0060                               return v1
;; }
