;; kiln-test: target = "x86_64"
;; WASI imports are called directly in the platform convention, vmctx first.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (i32.const 3))))

;; function u0:1(i64 vmctx) tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64, i32) system_v
;;     fn0 = u0:61 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @005a                               jump block1
;;
;;                                 block1:
;; @005b                               v1 = iconst.i32 3
;; @005d                               call fn0(v0, v1)  ; v1 = 3
;; @005f                               jump block2
;;
;;                                 block2:
;; @005f                               return
;; }
