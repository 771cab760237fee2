;; kiln-test: target = "x86_64"
;; A call inside a try_table is a `try_call` whose exception table carries
;; the frame's vmctx as context and one handler per clause (innermost
;; try_table first); each handler loads the tag's values from the exception
;; object (at +16, 16 bytes per value) and branches to the clause's label.
;; A `throw` in the same function compares tag addresses inline and calls
;; the `throw_ref` libcall with its frame pointer when nothing matches.
(module
  (tag $e (param i32))
  (tag $f)
  (func $callee)
  (func (param i32) (result i32)
    (block $h (result i32)
      (block $all
        (try_table (catch $e $h) (catch_all $all)
          (call $callee)
          (throw $e (local.get 0))))
      (i32.const 1))))

;; function u0:0(i64 vmctx) tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @0027                               jump block1
;;
;;                                 block1:
;; @0028                               jump block2
;;
;;                                 block2:
;; @0028                               return
;; }
;;
;; function u0:1(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx) tail
;;     sig1 = (i64, i64, i32) -> i64 system_v
;;     fn0 = colocated u0:0 sig0
;;     fn1 = u0:16 sig1
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @002a                               jump block1
;;
;;                                 block1:
;; @0037                               try_call fn0(v0), sig0, block8, [ context v0, tag0: block6(exn0), default: block7(exn0) ]
;;
;;                                 block6(v4: i64):
;; @0037                               v6 = load.i32 notrap aligned v4+16
;; @0037                               jump block3(v6)
;;
;;                                 block7(v5: i64):
;; @0037                               jump block4
;;
;;                                 block8:
;; @003b                               v7 = load.i64 notrap aligned readonly can_move v0+96
;; @003b                               v8 = iconst.i32 1
;; @003b                               v9 = call fn1(v0, v7, v8)  ; v8 = 1
;; @003b                               store.i32 notrap aligned v1, v9+16
;; @003b                               jump block6(v9)
;;
;;                                 block4:
;; @003f                               v10 = iconst.i32 1
;; @0041                               jump block3(v10)  ; v10 = 1
;;
;;                                 block3(v3: i32):
;; @0042                               jump block2(v3)
;;
;;                                 block2(v2: i32):
;; @0042                               return v2
;; }
