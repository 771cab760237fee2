;; kiln-test: target = "x86_64"
;; memory.size loads the current length every time; memory.grow is a libcall.
(module
  (memory 1 10)
  (func (result i32)
    (drop (memory.grow (i32.const 1)))
    (memory.size)))

;; function u0:0(i64 vmctx) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64, i32, i64) -> i64 system_v
;;     fn0 = u0:1 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @001d                               jump block1
;;
;;                                 block1:
;; @001e                               v2 = iconst.i32 1
;; @0020                               v3 = uextend.i64 v2  ; v2 = 1
;; @0020                               v4 = iconst.i32 0
;; @0020                               v5 = call fn0(v0, v4, v3)  ; v4 = 0
;; @0020                               v6 = ireduce.i32 v5
;; @0023                               v7 = load.i64 notrap aligned region1 v0+56
;; @0023                               v8 = iconst.i64 16
;; @0023                               v9 = ushr v7, v8  ; v8 = 16
;; @0023                               v10 = ireduce.i32 v9
;; @0025                               jump block2(v10)
;;
;;                                 block2(v1: i32):
;; @0025                               return v1
;; }
