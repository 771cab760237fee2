;; kiln-test: target = "x86_64"
;; kiln-test: init-refs = true
;; The reference initializer: each escaping function's `VMFuncRef` (code
;; address, type id read once per type from the interned ids, context),
;; then the static segments' slots (`ref.func` is the context plus the
;; function's `VMFuncRef` offset, `ref.null` is 0). The `global.get`
;; segment ends the prefix, so the last segment is the runtime's.
(module
  (type $v (func))
  (type $i (func (param i32)))
  (global $one i32 (i32.const 1))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $a $b)
  (elem (table $t) (i32.const 2) funcref (ref.func $c) (ref.null func))
  (elem (table $t) (global.get $one) func $c)
  (elem (table $t) (i32.const 3) func $a)
  (func $a (type $v))
  (func $b (type $i))
  (func $c (type $v)))

;; function u3:0(i64) system_v {
;;     sig0 = (i64 vmctx) tail
;;     sig1 = (i64 vmctx, i32) tail
;;     sig2 = (i64 vmctx) tail
;;     fn0 = colocated u0:0 sig0
;;     fn1 = colocated u0:1 sig1
;;     fn2 = colocated u0:2 sig2
;;
;; block0(v0: i64):
;;     v1 = load.i64 notrap aligned readonly v0+24
;;     v2 = func_addr.i64 fn0
;;     store notrap aligned v2, v0+80
;;     v3 = load.i32 notrap aligned readonly v1
;;     store notrap aligned v3, v0+88
;;     store notrap aligned v0, v0+96
;;     v4 = func_addr.i64 fn1
;;     store notrap aligned v4, v0+104
;;     v5 = load.i32 notrap aligned readonly v1+4
;;     store notrap aligned v5, v0+112
;;     store notrap aligned v0, v0+120
;;     v6 = func_addr.i64 fn2
;;     store notrap aligned v6, v0+128
;;     store notrap aligned v3, v0+136
;;     store notrap aligned v0, v0+144
;;     return
;; }
;;
;; function u3:1(i64) system_v {
;; block0(v0: i64):
;;     v1 = iconst.i64 0
;;     v2 = load.i64 notrap aligned v0+48
;;     v3 = iconst.i64 80
;;     v4 = iadd v0, v3  ; v3 = 80
;;     store notrap aligned v4, v2
;;     v5 = iconst.i64 104
;;     v6 = iadd v0, v5  ; v5 = 104
;;     store notrap aligned v6, v2+8
;;     v7 = load.i64 notrap aligned v0+48
;;     v8 = iconst.i64 128
;;     v9 = iadd v0, v8  ; v8 = 128
;;     store notrap aligned v9, v7+16
;;     store notrap aligned v1, v7+24  ; v1 = 0
;;     return
;; }
