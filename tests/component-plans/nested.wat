;; Nested components: a component instantiated with an aliased host
;; function, outer aliases of a core module, a type and a component,
;; synthetic core and component instances, and a wit-component-style shim
;; component that only re-exports a lifted function.
(component $root
  (import "host:demo/log@1.0.0" (instance $host
    (export "log" (func (param "msg" string)))
  ))
  (core module $mem
    (memory (export "memory") 1)
  )
  (type $run-ty (func))
  (component $inner
    (import "log" (func $log (param "msg" string)))
    (alias outer $root $mem (core module $mem2))
    (core instance $m2 (instantiate $mem2))
    (core func $lowered (canon lower (func $log) (memory (core memory $m2 "memory")) string-encoding=utf8))
    (core module $user
      (import "host" "log" (func (param i32 i32)))
      (func (export "go") i32.const 0 i32.const 0 call 0)
    )
    (core instance $bag (export "log" (func $lowered)))
    (core instance $u (instantiate $user (with "host" (instance $bag))))
    (alias outer $root $run-ty (type $run-ty2))
    (func $go (type $run-ty2) (canon lift (core func $u "go")))
    (export "go" (func $go))
  )
  (component $shim
    (import "go" (func $f))
    (export "run" (func $f))
  )
  (component $outer-user
    (import "go" (func $f))
    (alias outer $root $shim (component $shim2))
    (instance $s (instantiate $shim2 (with "go" (func $f))))
    (export "nested" (instance $s))
  )
  (alias export $host "log" (func $log))
  (instance $i (instantiate $inner (with "log" (func $log))))
  (alias export $i "go" (func $go))
  (instance $w (instantiate $shim (with "go" (func $go))))
  (instance $o (instantiate $outer-user (with "go" (func $go))))
  (instance $bag (export "run" (func $go)) (export "again" (func $go)))
  (export "demo:app/run@1.0.0" (instance $w))
  (export "demo:app/deep@1.0.0" (instance $o))
  (export "demo:app/bag@1.0.0" (instance $bag))
)

;; component instances: 5
;; module 0: 0x3b..0x61 (0 imports)
;; module 1: 0xb1..0xf8 (1 imports)
;; import 0: instance "host:demo/log@1.0.0"
;;   uses "log"
;; instance 0: module 0 in component 1
;; instance 1: module 1 in component 1
;;   "host" "log" func <- trampoline 0
;; trampoline 0: lower import 0 "host:demo/log@1.0.0" "log": func(msg: string) [component 1, utf8, memory instance 0 "memory"]
;; export "demo:app/run@1.0.0" "run": instance 1 "go" func() [component 1, utf8]
;; export "demo:app/deep@1.0.0" "nested" "run": instance 1 "go" func() [component 1, utf8]
;; export "demo:app/bag@1.0.0" "run": instance 1 "go" func() [component 1, utf8]
;; export "demo:app/bag@1.0.0" "again": instance 1 "go" func() [component 1, utf8]
