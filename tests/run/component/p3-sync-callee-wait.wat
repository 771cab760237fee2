;; An async export's task calls a sync-lifted function of another
;; component instance, which waits on a waitable set: that function may
;; not block (Wasmtime 49's sync task). Kiln used to let it block on the
;; caller's behalf (a deadlock, here).
;; kiln-test: invoke = "f()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
;; kiln-test: stderr-like-wasmtime
(component
  (component $B
    (core module $mem (memory (export "m") 1))
    (core instance $mi (instantiate $mem))
    (alias core export $mi "m" (core memory $mm))
    (core func $new (canon waitable-set.new))
    (core func $wait (canon waitable-set.wait (memory $mm)))
    (core module $m
      (import "" "new" (func $new (result i32)))
      (import "" "wait" (func $wait (param i32 i32) (result i32)))
      (func (export "g") (result i32) (call $wait (call $new) (i32.const 0))))
    (core instance $i (instantiate $m (with "" (instance (export "new" (func $new)) (export "wait" (func $wait))))))
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
