;; Tasks of one component instance that interleave on the event loop: a
;; caller instance starts two async calls of an async export of another
;; instance before either finishes (each task waits on a timer; the one
;; started second finishes first), calls that wait behind
;; `backpressure.inc` (STARTING, then a STARTED event, in call order), and
;; `subtask.cancel` of a guest callee: STARTING (cancelled before it
;; starts), STARTED and answering `task.cancel`, STARTED and returning
;; anyway. Each export encodes what its caller saw in one number,
;; compared with `wasmtime run --invoke`.
(component
  (import "wasi:clocks/monotonic-clock@0.3.2" (instance $clk
     (export "wait-for" (func async (param "how-long" u64)))))
  (component $Callee
    (import "clk" (instance $clk (export "wait-for" (func async (param "how-long" u64)))))
    (core module $mem (memory (export "m") 1))
    (core instance $mi (instantiate $mem))
    (alias core export $mi "m" (core memory $m))
    (core func $retu (canon task.return (result u32)))
    (core func $waita (canon lower (func $clk "wait-for") async))
    (core func $wsnew (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $stdrop (canon subtask.drop))
    (core func $ctxget (canon context.get i32 0))
    (core func $ctxset (canon context.set i32 0))
    (core func $bpinc (canon backpressure.inc))
    (core func $bpdec (canon backpressure.dec))
    (core func $stcancel (canon subtask.cancel))
    (core func $tcancel (canon task.cancel))
    (core module $main
      (import "" "retu" (func $retu (param i32)))
      (import "" "waita" (func $waita (param i64) (result i32)))
      (import "" "wsnew" (func $wsnew (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "stdrop" (func $stdrop (param i32)))
      (import "" "ctxget" (func $ctxget (result i32)))
      (import "" "ctxset" (func $ctxset (param i32)))
      (import "" "bpinc" (func $bpinc))
      (import "" "bpdec" (func $bpdec))
      (import "" "stcancel" (func $stcancel (param i32) (result i32)))
      (import "" "tcancel" (func $tcancel))
      (global $sub (mut i32) (i32.const 0))
      (func $start (param $x i32) (param $ms i32) (result i32)
        (local $st i32) (local $set i32)
        (call $ctxset (local.get $x))
        (local.set $st (call $waita (i64.mul (i64.extend_i32_u (local.get $ms)) (i64.const 1000000))))
        (global.set $sub (i32.shr_u (local.get $st) (i32.const 4)))
        (local.set $set (call $wsnew))
        (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $set))
        (i32.or (i32.const 2) (i32.shl (local.get $set) (i32.const 4))))
      (func (export "f") (param $x i32) (param $ms i32) (result i32)
        (call $start (local.get $x) (local.get $ms)))
      (func (export "g") (param $x i32) (param $ms i32) (result i32)
        (call $bpinc)
        (call $start (local.get $x) (local.get $ms)))
      (func (export "cb") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (call $retu (i32.mul (call $ctxget) (i32.const 10)))
        (i32.const 0))
      ;; Cancelled: stop the timer, then `task.cancel` (or, with $ret,
      ;; return 99 anyway).
      (func $on-cancel (param $ret i32) (result i32)
        (call $join (global.get $sub) (i32.const 0))
        (drop (call $stcancel (global.get $sub)))
        (call $stdrop (global.get $sub))
        (if (local.get $ret) (then (call $retu (i32.const 99))) (else (call $tcancel)))
        (i32.const 0))
      (func (export "cb-h") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        (if (i32.eq (local.get $ev) (i32.const 6)) (then (return (call $on-cancel (i32.const 0)))))
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (call $retu (i32.mul (call $ctxget) (i32.const 10)))
        (i32.const 0))
      (func (export "cb-k") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        (if (i32.eq (local.get $ev) (i32.const 6)) (then (return (call $on-cancel (i32.const 1)))))
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (call $retu (i32.mul (call $ctxget) (i32.const 10)))
        (i32.const 0))
      (func (export "cb-g") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        (call $bpdec)
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (call $retu (i32.mul (call $ctxget) (i32.const 10)))
        (i32.const 0)))
    (core instance $i (instantiate $main
      (with "" (instance
        (export "retu" (func $retu)) (export "waita" (func $waita)) (export "wsnew" (func $wsnew))
        (export "join" (func $join)) (export "stdrop" (func $stdrop)) (export "ctxget" (func $ctxget))
        (export "ctxset" (func $ctxset)) (export "bpinc" (func $bpinc)) (export "bpdec" (func $bpdec))
        (export "stcancel" (func $stcancel)) (export "tcancel" (func $tcancel))))))
    (func (export "f") async (param "x" u32) (param "ms" u32) (result u32)
      (canon lift (core func $i "f") async (callback (core func $i "cb"))))
    (func (export "g") async (param "x" u32) (param "ms" u32) (result u32)
      (canon lift (core func $i "g") async (callback (core func $i "cb-g"))))
    (func (export "h") async (param "x" u32) (param "ms" u32) (result u32)
      (canon lift (core func $i "f") async (callback (core func $i "cb-h"))))
    (func (export "k") async (param "x" u32) (param "ms" u32) (result u32)
      (canon lift (core func $i "f") async (callback (core func $i "cb-k")))))
  (component $Caller
    (import "f" (func $f async (param "x" u32) (param "ms" u32) (result u32)))
    (core module $mem (memory (export "m") 1))
    (core instance $mi (instantiate $mem))
    (alias core export $mi "m" (core memory $m))
    (core func $fa (canon lower (func $f) async (memory $m)))
    (core func $retu (canon task.return (result u32)))
    (core func $wsnew (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $stdrop (canon subtask.drop))
    (core func $cancel (canon subtask.cancel))
    (core module $main
      (import "" "m" (memory 1))
      (import "" "fa" (func $fa (param i32 i32 i32) (result i32)))
      (import "" "retu" (func $retu (param i32)))
      (import "" "wsnew" (func $wsnew (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "stdrop" (func $stdrop (param i32)))
      (import "" "cancel" (func $cancel (param i32) (result i32)))
      (global $status (mut i32) (i32.const 0))
      (global $h1 (mut i32) (i32.const 0))
      (global $set (mut i32) (i32.const 0))
      (global $n (mut i32) (i32.const 2))
      (global $order (mut i32) (i32.const 0))
      (global $started (mut i32) (i32.const 0))
      ;; Cancels a started call: its status (or, BLOCKED, its event's)
      ;; times 1000 plus the value it stored.
      (func (export "cancel") (result i32)
        (local $s i32) (local $r i32)
        (local.set $s (call $fa (i32.const 1) (i32.const 1000) (i32.const 100)))
        (global.set $h1 (i32.shr_u (local.get $s) (i32.const 4)))
        (local.set $r (call $cancel (global.get $h1)))
        (if (i32.eq (local.get $r) (i32.const -1))
          (then
            (global.set $set (call $wsnew))
            (call $join (global.get $h1) (global.get $set))
            (return (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))))
        (call $stdrop (global.get $h1))
        (call $retu (i32.add (i32.mul (local.get $r) (i32.const 1000)) (i32.load (i32.const 100))))
        (i32.const 0))
      (func (export "cb-cancel") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (call $retu (i32.add (i32.add (i32.const 500000) (i32.mul (local.get $p) (i32.const 1000)))
          (i32.load (i32.const 100))))
        (i32.const 0))
      ;; Behind backpressure: the second call is STARTING and its cancel
      ;; gives CANCELLED_BEFORE_STARTED; the first still returns.
      (func (export "cancel-starting") (result i32)
        (local $s1 i32) (local $s2 i32) (local $r i32)
        (local.set $s1 (call $fa (i32.const 1) (i32.const 30) (i32.const 100)))
        (local.set $s2 (call $fa (i32.const 2) (i32.const 10) (i32.const 104)))
        (local.set $r (call $cancel (i32.shr_u (local.get $s2) (i32.const 4))))
        (call $stdrop (i32.shr_u (local.get $s2) (i32.const 4)))
        (global.set $status (i32.add (i32.mul (i32.and (local.get $s1) (i32.const 15)) (i32.const 100))
          (i32.add (i32.mul (i32.and (local.get $s2) (i32.const 15)) (i32.const 10)) (local.get $r))))
        (global.set $set (call $wsnew))
        (call $join (i32.shr_u (local.get $s1) (i32.const 4)) (global.get $set))
        (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))
      (func (export "cb-starting") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (call $retu (i32.add (i32.mul (global.get $status) (i32.const 1000)) (i32.load (i32.const 100))))
        (i32.const 0))
      (func (export "go") (result i32)
        (local $s1 i32) (local $s2 i32)
        (local.set $s1 (call $fa (i32.const 1) (i32.const 60) (i32.const 100)))
        (local.set $s2 (call $fa (i32.const 2) (i32.const 10) (i32.const 104)))
        (global.set $status (i32.or (i32.shl (i32.and (local.get $s1) (i32.const 15)) (i32.const 4))
                                    (i32.and (local.get $s2) (i32.const 15))))
        (global.set $h1 (i32.shr_u (local.get $s1) (i32.const 4)))
        (global.set $set (call $wsnew))
        (call $join (i32.shr_u (local.get $s1) (i32.const 4)) (global.get $set))
        (call $join (i32.shr_u (local.get $s2) (i32.const 4)) (global.get $set))
        (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))
      (func (export "cb") (param $ev i32) (param $h i32) (param $p i32) (result i32)
        ;; a subtask that waited (STARTING) reports STARTED first
        (if (i32.ne (local.get $p) (i32.const 2))
          (then (global.set $started (i32.add (global.get $started) (i32.const 1)))
                (return (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))))
        (global.set $order (i32.add (i32.mul (global.get $order) (i32.const 100))
          (i32.load (select (i32.const 100) (i32.const 104) (i32.eq (local.get $h) (global.get $h1))))))
        (call $join (local.get $h) (i32.const 0))
        (call $stdrop (local.get $h))
        (global.set $n (i32.sub (global.get $n) (i32.const 1)))
        (if (result i32) (global.get $n)
          (then (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))
          (else
            (call $retu (i32.add (i32.add (i32.mul (global.get $started) (i32.const 1000000))
              (i32.mul (global.get $status) (i32.const 10000))) (global.get $order)))
            (i32.const 0)))))
    (core instance $i (instantiate $main
      (with "" (instance
        (export "m" (memory $m)) (export "fa" (func $fa)) (export "retu" (func $retu))
        (export "wsnew" (func $wsnew)) (export "join" (func $join)) (export "stdrop" (func $stdrop))
        (export "cancel" (func $cancel))))))
    (func (export "go") async (result u32)
      (canon lift (core func $i "go") async (callback (core func $i "cb"))))
    (func (export "cancel") async (result u32)
      (canon lift (core func $i "cancel") async (callback (core func $i "cb-cancel"))))
    (func (export "cancel-starting") async (result u32)
      (canon lift (core func $i "cancel-starting") async (callback (core func $i "cb-starting")))))
  ;; Sync lowerings of an async function: the caller's task waits while
  ;; the callee's runs (behind backpressure too).
  (component $SyncCaller
    (import "f" (func $f async (param "x" u32) (param "ms" u32) (result u32)))
    (core module $mem (memory (export "m") 1))
    (core instance $mi (instantiate $mem))
    (alias core export $mi "m" (core memory $m))
    (core func $fs (canon lower (func $f)))
    (core func $retu (canon task.return (result u32)))
    (core module $main
      (import "" "m" (memory 1))
      (import "" "fs" (func $fs (param i32 i32) (result i32)))
      (import "" "retu" (func $retu (param i32)))
      (func (export "go") (result i32)
        (local $a i32) (local $b i32)
        (local.set $a (call $fs (i32.const 3) (i32.const 10)))
        (local.set $b (call $fs (i32.const 4) (i32.const 5)))
        (call $retu (i32.add (i32.mul (local.get $a) (i32.const 1000)) (local.get $b)))
        (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $main
      (with "" (instance
        (export "m" (memory $m)) (export "fs" (func $fs))
        (export "retu" (func $retu))))))
    (func (export "go") async (result u32)
      (canon lift (core func $i "go") async (callback (core func $i "cb")))))
  (instance $e (instantiate $Callee (with "clk" (instance $clk))))
  (instance $c1 (instantiate $Caller (with "f" (func $e "f"))))
  (instance $c2 (instantiate $Caller (with "f" (func $e "g"))))
  (instance $c3 (instantiate $Caller (with "f" (func $e "g"))))
  (instance $c4 (instantiate $Caller (with "f" (func $e "h"))))
  (instance $c5 (instantiate $Caller (with "f" (func $e "k"))))
  (instance $s1 (instantiate $SyncCaller (with "f" (func $e "f"))))
  (instance $s2 (instantiate $SyncCaller (with "f" (func $e "g"))))
  (export "concurrent" (func $c1 "go"))
  (export "sync-calls" (func $s1 "go"))
  (export "sync-calls-backpressure" (func $s2 "go"))
  (export "backpressure" (func $c2 "go"))
  (export "cancel-starting" (func $c3 "cancel-starting"))
  (export "cancel-started" (func $c4 "cancel"))
  (export "cancel-then-return" (func $c5 "cancel"))
)

;; concurrent: statuses STARTED, STARTED (0x11 = 17); values 20 then 10.
;; kiln-test: invoke = "concurrent()"
;; kiln-test: expect = "172010"
;; backpressure: one STARTED event; statuses STARTED, STARTING (0x10);
;; values 10 then 20.
;; kiln-test: invoke = "backpressure()"
;; kiln-test: expect = "1161020"
;; cancel-starting: STARTED, STARTING, CANCELLED_BEFORE_STARTED; value 10.
;; kiln-test: invoke = "cancel-starting()"
;; kiln-test: expect = "103010"
;; cancel-started: CANCELLED_BEFORE_RETURNED, nothing stored.
;; kiln-test: invoke = "cancel-started()"
;; kiln-test: expect = "4000"
;; sync-calls: 30 and 40 from two sync calls, one after the other.
;; kiln-test: invoke = "sync-calls()"
;; kiln-test: expect = "30040"
;; kiln-test: invoke = "sync-calls-backpressure()"
;; kiln-test: expect = "30040"
;; cancel-then-return: RETURNED with 99.
;; kiln-test: invoke = "cancel-then-return()"
;; kiln-test: expect = "2099"
