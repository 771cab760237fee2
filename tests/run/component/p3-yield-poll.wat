;; `thread.yield` and `waitable-set.poll` called (sync) by a task of one
;; instance while a task of another instance is ready (it yielded): the
;; caller counts the turns it takes until its subtask's RETURNED event
;; shows in the poll, compared with `wasmtime run --invoke`.
(component
  (component $Callee
    (core func $retu (canon task.return (result u32)))
    (core module $main
      (import "" "retu" (func $retu (param i32)))
      (func (export "work") (result i32) (i32.const 1))
      (func (export "cb") (param i32 i32 i32) (result i32) (call $retu (i32.const 7)) (i32.const 0)))
    (core instance $i (instantiate $main (with "" (instance (export "retu" (func $retu))))))
    (func (export "work") async (result u32)
      (canon lift (core func $i "work") async (callback (core func $i "cb")))))
  (component $Caller
    (import "work" (func $work async (result u32)))
    (core module $mm (memory (export "m") 1))
    (core instance $mi (instantiate $mm))
    (alias core export $mi "m" (core memory $m))
    (core func $work-a (canon lower (func $work) async (memory $m)))
    (core func $yield (canon thread.yield))
    (core func $poll (canon waitable-set.poll (memory $m)))
    (core func $retu (canon task.return (result u32)))
    (core func $wsnew (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $stdrop (canon subtask.drop))
    (core module $main
      (import "" "m" (memory 1))
      (import "" "work-a" (func $work-a (param i32) (result i32)))
      (import "" "yield" (func $yield (result i32)))
      (import "" "poll" (func $poll (param i32 i32) (result i32)))
      (import "" "retu" (func $retu (param i32)))
      (import "" "wsnew" (func $wsnew (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "stdrop" (func $stdrop (param i32)))
      ;; Up to 20 turns (yield first if $y): turns * 1000 + status * 100 +
      ;; the value.
      (func $run (param $y i32) (result i32)
        (local $st i32) (local $set i32) (local $i i32) (local $code i32) (local $got i32)
        (local.set $st (call $work-a (i32.const 100)))
        (local.set $set (call $wsnew))
        (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $set))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $i) (i32.const 20)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (local.get $y) (then (drop (call $yield))))
          (local.set $code (call $poll (local.get $set) (i32.const 200)))
          (local.set $got (i32.and (i32.eq (local.get $code) (i32.const 1))
            (i32.eq (i32.load (i32.const 204)) (i32.const 2))))
          (br_if $done (local.get $got))
          (br $l)))
        ;; an unresolved subtask stays (dropping it would trap)
        (if (local.get $got) (then
          (call $join (i32.shr_u (local.get $st) (i32.const 4)) (i32.const 0))
          (call $stdrop (i32.shr_u (local.get $st) (i32.const 4)))))
        (call $retu (i32.add (i32.mul (local.get $i) (i32.const 1000))
          (i32.add (i32.mul (i32.and (local.get $st) (i32.const 15)) (i32.const 100))
            (i32.load (i32.const 100)))))
        (i32.const 0))
      (func (export "yield") (result i32) (call $run (i32.const 1)))
      (func (export "poll") (result i32) (call $run (i32.const 0)))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $main
      (with "" (instance (export "m" (memory $m)) (export "work-a" (func $work-a))
        (export "yield" (func $yield)) (export "poll" (func $poll)) (export "retu" (func $retu))
        (export "wsnew" (func $wsnew)) (export "join" (func $join)) (export "stdrop" (func $stdrop))))))
    (func (export "yield") async (result u32)
      (canon lift (core func $i "yield") async (callback (core func $i "cb"))))
    (func (export "poll") async (result u32)
      (canon lift (core func $i "poll") async (callback (core func $i "cb")))))
  (instance $e (instantiate $Callee))
  (instance $c1 (instantiate $Caller (with "work" (func $e "work"))))
  (instance $c2 (instantiate $Caller (with "work" (func $e "work"))))
  (export "yield" (func $c1 "yield"))
  (export "poll" (func $c2 "poll"))
)

;; yield: the other instance's yielded task runs during the first
;; `thread.yield`, so the first poll sees RETURNED (1 turn, STARTED at the
;; call, value 7).
;; kiln-test: invoke = "yield()"
;; kiln-test: expect = "1107"
;; poll: `waitable-set.poll` alone gives no other task a turn in Wasmtime
;; 49 (20 polls, no event, no value).
;; kiln-test: invoke = "poll()"
;; kiln-test: expect = "20100"
