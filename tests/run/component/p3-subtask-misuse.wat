;; Subtasks (an async call of the host's `wait-for`) and blocking in a
;; sync export, one sync export per case, each checked against `wasmtime
;; run --invoke`: a sync task may start async calls, poll and yield, but
;; blocking (`waitable-set.wait`, a sync call of an async function, a sync
;; `subtask.cancel`, which may wait) is Wasmtime's wasm trap; a waitable in
;; a set may not be used synchronously; a set with members cannot be
;; dropped. The async-task side is in `p3-subtask-cancel-twice.wat`.
(component
  (type $r (result))
  (import "wasi:clocks/monotonic-clock@0.3.2" (instance $clk
     (export "wait-for" (func async (param "how-long" u64)))))
  (core module $mem (memory (export "m") 1))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "m" (core memory $m))
  (core func $ret (canon task.return (result $r)))
  (core func $waita (canon lower (func $clk "wait-for") async))
  (core func $waits (canon lower (func $clk "wait-for")))
  (core func $wsnew (canon waitable-set.new))
  (core func $wswait (canon waitable-set.wait (memory $m)))
  (core func $wspoll (canon waitable-set.poll (memory $m)))
  (core func $wsdrop (canon waitable-set.drop))
  (core func $join (canon waitable.join))
  (core func $stdrop (canon subtask.drop))
  (core func $stcancel (canon subtask.cancel))
  (core func $yield (canon thread.yield))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "ret" (func $ret (param i32)))
    (import "" "waita" (func $waita (param i64) (result i32)))
    (import "" "waits" (func $waits (param i64)))
    (import "" "wsnew" (func $wsnew (result i32)))
    (import "" "wswait" (func $wswait (param i32 i32) (result i32)))
    (import "" "wspoll" (func $wspoll (param i32 i32) (result i32)))
    (import "" "wsdrop" (func $wsdrop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "stdrop" (func $stdrop (param i32)))
    (import "" "stcancel" (func $stcancel (param i32) (result i32)))
    (import "" "yield" (func $yield (result i32)))
    (global $st (mut i32) (i32.const 0))
    (global $set (mut i32) (i32.const 0))
    (func (export "block-in-wait")
      (drop (call $wswait (call $wsnew) (i32.const 0))))
    (func (export "block-in-sync-call")
      (call $waits (i64.const 1000)))
    (func (export "poll-does-not-block")
      (drop (call $wspoll (call $wsnew) (i32.const 0))))
    (func (export "yield-does-not-block")
      (drop (call $yield)))
    (func (export "drop-unresolved")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (call $stdrop (global.get $st)))
    (func (export "cancel-status")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (if (i32.ne (call $stcancel (global.get $st)) (i32.const 4)) (then unreachable)))
    (func (export "cancel-then-drop")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (drop (call $stcancel (global.get $st))) (call $stdrop (global.get $st)))
    (func (export "cancel-twice")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (drop (call $stcancel (global.get $st))) (drop (call $stcancel (global.get $st))))
    (func (export "drop-twice")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (drop (call $stcancel (global.get $st))) (call $stdrop (global.get $st)) (call $stdrop (global.get $st)))
    (func (export "cancel-in-set")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (call $join (global.get $st) (call $wsnew)) (drop (call $stcancel (global.get $st))))
    (func (export "drop-set-with-member")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (global.set $set (call $wsnew)) (call $join (global.get $st) (global.get $set)) (call $wsdrop (global.get $set)))
    (func (export "drop-set-after-leave")
      (global.set $st (i32.shr_u (call $waita (i64.const 100000000)) (i32.const 4))) (global.set $set (call $wsnew)) (call $join (global.get $st) (global.get $set)) (call $join (global.get $st) (i32.const 0)) (call $wsdrop (global.get $set))))
  (core instance $i (instantiate $main
    (with "" (instance
      (export "m" (memory $m)) (export "ret" (func $ret))
      (export "waita" (func $waita)) (export "waits" (func $waits))
      (export "wsnew" (func $wsnew)) (export "wswait" (func $wswait))
      (export "wspoll" (func $wspoll)) (export "wsdrop" (func $wsdrop)) (export "join" (func $join))
      (export "stdrop" (func $stdrop)) (export "stcancel" (func $stcancel)) (export "yield" (func $yield))))))
  (func (export "block-in-wait") (canon lift (core func $i "block-in-wait")))
  (func (export "block-in-sync-call") (canon lift (core func $i "block-in-sync-call")))
  (func (export "poll-does-not-block") (canon lift (core func $i "poll-does-not-block")))
  (func (export "yield-does-not-block") (canon lift (core func $i "yield-does-not-block")))
  (func (export "drop-unresolved") (canon lift (core func $i "drop-unresolved")))
  (func (export "cancel-status") (canon lift (core func $i "cancel-status")))
  (func (export "cancel-then-drop") (canon lift (core func $i "cancel-then-drop")))
  (func (export "cancel-twice") (canon lift (core func $i "cancel-twice")))
  (func (export "drop-twice") (canon lift (core func $i "drop-twice")))
  (func (export "cancel-in-set") (canon lift (core func $i "cancel-in-set")))
  (func (export "drop-set-with-member") (canon lift (core func $i "drop-set-with-member")))
  (func (export "drop-set-after-leave") (canon lift (core func $i "drop-set-after-leave"))))
;; kiln-test: invoke = "block-in-wait()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
;; kiln-test: invoke = "block-in-sync-call()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
;; kiln-test: invoke = "poll-does-not-block()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "yield-does-not-block()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "drop-unresolved()"
;; kiln-test: trap = "cannot drop a subtask which has not yet resolved"
;; kiln-test: invoke = "cancel-status()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
;; kiln-test: invoke = "cancel-then-drop()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
;; kiln-test: invoke = "cancel-twice()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
;; kiln-test: invoke = "drop-twice()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
;; kiln-test: invoke = "cancel-in-set()"
;; kiln-test: trap = "waitable cannot be used synchronously while added to a waitable set"
;; kiln-test: invoke = "drop-set-with-member()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: resource has children\n"
;; kiln-test: invoke = "drop-set-after-leave()"
;; kiln-test: expect = "()"
