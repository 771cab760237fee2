;; Component-model async options are recorded (the runtime side decides
;; what it supports): an async lower of a host import and a lift with a
;; callback.
(component
  (import "host:demo/slow@1.0.0" (instance $h
    (export "wait" (func async (param "ms" u32)))
  ))
  (core module $mm
    (memory (export "memory") 1)
    (func (export "cb") (param i32 i32 i32) (result i32) i32.const 0)
    (func (export "run") (result i32) i32.const 0)
  )
  (core instance $m (instantiate $mm))
  (core func $wait (canon lower (func $h "wait") async (memory (core memory $m "memory"))))
  (core module $use
    (import "" "wait" (func (param i32) (result i32)))
  )
  (core instance $u (instantiate $use (with "" (instance (export "wait" (func $wait))))))
  (func (export "run") async
    (canon lift (core func $m "run") async (callback (core func $m "cb"))))
)

;; component instances: 1
;; module 0: 0x3c..0x8c (0 imports)
;; module 1: 0xb4..0xdc (1 imports)
;; import 0: instance "host:demo/slow@1.0.0"
;;   uses "wait"
;; instance 0: module 0 in component 0
;; instance 1: module 1 in component 0
;;   "" "wait" func <- trampoline 0
;; trampoline 0: lower import 0 "host:demo/slow@1.0.0" "wait": async func(ms: u32) [component 0, utf8, memory instance 0 "memory", async]
;; export "run": instance 0 "run" async func() [component 0, utf8, callback instance 0 "cb", async]
