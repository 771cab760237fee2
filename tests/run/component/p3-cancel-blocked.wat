;; An async `subtask.cancel` the callee does not answer at once returns
;; BLOCKED; the callee, told TASK_CANCELLED, yields once more and then
;; calls `task.cancel`, and the caller's set gets the subtask event
;; CANCELLED_BEFORE_RETURNED. Compared with `wasmtime run --invoke`
;; (Wasmtime 49 gates the async cancel behind the flag below; Kiln always
;; accepts it).
;; kiln-test: flags = "-W component-model-more-async-builtins=y"
(component
  (component $Callee
    (core func $tcancel (canon task.cancel))
    (core module $main
      (import "" "tcancel" (func $tcancel))
      (global $cancelled (mut i32) (i32.const 0))
      (global $turns (mut i32) (i32.const 0))
      (func (export "work") (result i32) (i32.const 1))
      (func (export "cb") (param $ev i32) (param i32 i32) (result i32)
        (global.set $turns (i32.add (global.get $turns) (i32.const 1)))
        (if (i32.eq (local.get $ev) (i32.const 6))
          (then (global.set $cancelled (i32.const 1)) (return (i32.const 1))))
        (if (global.get $cancelled)
          (then (call $tcancel) (return (i32.const 0))))
        (i32.const 1)))
    (core instance $i (instantiate $main (with "" (instance (export "tcancel" (func $tcancel))))))
    (func (export "work") async (result u32)
      (canon lift (core func $i "work") async (callback (core func $i "cb")))))
  (component $Caller
    (import "work" (func $work async (result u32)))
    (core module $mm (memory (export "m") 1))
    (core instance $mi (instantiate $mm))
    (alias core export $mi "m" (core memory $m))
    (core func $work-a (canon lower (func $work) async (memory $m)))
    (core func $cancel (canon subtask.cancel async))
    (core func $retu (canon task.return (result u32)))
    (core func $wsnew (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $stdrop (canon subtask.drop))
    (core module $main
      (import "" "m" (memory 1))
      (import "" "work-a" (func $work-a (param i32) (result i32)))
      (import "" "cancel" (func $cancel (param i32) (result i32)))
      (import "" "retu" (func $retu (param i32)))
      (import "" "wsnew" (func $wsnew (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "stdrop" (func $stdrop (param i32)))
      (global $r (mut i32) (i32.const 0))
      (global $st (mut i32) (i32.const 0))
      (func (export "go") (result i32)
        (local $set i32)
        (global.set $st (call $work-a (i32.const 100)))
        (global.set $r (call $cancel (i32.shr_u (global.get $st) (i32.const 4))))
        (local.set $set (call $wsnew))
        (call $join (i32.shr_u (global.get $st) (i32.const 4)) (local.get $set))
        (i32.or (i32.const 2) (i32.shl (local.get $set) (i32.const 4))))
      ;; the event code, its status, STARTED at the call (1), and the
      ;; cancel's BLOCKED (-1)
      (func (export "cb") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (call $retu (i32.add (i32.mul (local.get $ev) (i32.const 1000))
          (i32.add (i32.mul (local.get $p) (i32.const 100))
            (i32.add (i32.mul (i32.and (global.get $st) (i32.const 15)) (i32.const 10))
              (i32.eq (global.get $r) (i32.const -1))))))
        (i32.const 0)))
    (core instance $i (instantiate $main
      (with "" (instance (export "m" (memory $m)) (export "work-a" (func $work-a))
        (export "cancel" (func $cancel)) (export "retu" (func $retu))
        (export "wsnew" (func $wsnew)) (export "join" (func $join)) (export "stdrop" (func $stdrop))))))
    (func (export "go") async (result u32)
      (canon lift (core func $i "go") async (callback (core func $i "cb")))))
  (instance $e (instantiate $Callee))
  (instance $c (instantiate $Caller (with "work" (func $e "work"))))
  (export "go" (func $c "go"))
)

;; SUBTASK event (1), CANCELLED_BEFORE_RETURNED (4), STARTED at the call
;; (1), and the cancel returned BLOCKED (1).
;; kiln-test: invoke = "go()"
;; kiln-test: expect = "1411"
