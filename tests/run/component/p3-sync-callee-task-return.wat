;; An async export's task calls a sync-lifted function of another
;; component instance, which calls task.return: Wasmtime 49 runs that
;; function as a sync task of its own and refuses it. Kiln keeps no task
;; for it and used to settle the caller's task with the callee's value
;; (the caller's own task.return then trapped as a second one).
;; kiln-test: invoke = "f()"
;; kiln-test: trap = "invalid `task.return` signature and/or options for current task"
;; kiln-test: stderr-like-wasmtime
(component
  (component $B
    (core func $ret (canon task.return (result u32)))
    (core module $m
      (import "" "ret" (func $ret (param i32)))
      (func (export "g") (result i32) (call $ret (i32.const 99)) (i32.const 1)))
    (core instance $i (instantiate $m (with "" (instance (export "ret" (func $ret))))))
    (func (export "g") (result u32) (canon lift (core func $i "g"))))
  (instance $b (instantiate $B))
  (core func $g (canon lower (func $b "g")))
  (core func $ret (canon task.return (result u32)))
  (core module $m
    (import "" "g" (func $g (result i32)))
    (import "" "ret" (func $ret (param i32)))
    (func (export "f") (result i32) (call $ret (i32.add (call $g) (i32.const 40))) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m (with "" (instance (export "g" (func $g)) (export "ret" (func $ret))))))
  (func (export "f") async (result u32) (canon lift (core func $i "f") async (callback (core func $i "cb")))))
