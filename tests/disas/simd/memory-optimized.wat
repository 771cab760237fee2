;; kiln-test: target = "x86_64"
;; kiln-test: optimize = true
;; SIMD memory accesses use the scalar addressing: one little-endian heap
;; access each, trapping with heap_oob, the static offset folded in.
(module
  (memory 1)
  (func (param i32) (result v128)
    (v128.store offset=16 (local.get 0)
      (v128.load32_splat offset=4 (local.get 0)))
    (v128.load8_lane 3 (local.get 0) (v128.load (local.get 0)))))

;; function u0:0(i64 vmctx, i32) -> i8x16 tail {
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
;; @001d                               v3 = load.i64 notrap aligned readonly can_move v0+48
;; @0022                               v4 = uextend.i64 v1
;; @0022                               v5 = iadd v3, v4
;; @0022                               v6 = load.i32 little region0 v5+4
;; @0022                               v7 = splat.i32x4 v6
;; @0022                               v8 = bitcast.i8x16 little v7
;; @0026                               store little region0 v8, v5+16
;; @002e                               v13 = load.i8x16 little region0 v5
;; @0032                               v16 = load.i8 little region0 v5
;; @0037                               jump block2
;;
;;                                 block2:
;; @0032                               v17 = insertlane.i8x16 v13, v16, 3
;; @0037                               return v17
;; }
