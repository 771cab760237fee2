;; Borrows in async calls between component instances: the caller lends an
;; own handle to the call (it cannot drop it until the call resolves), the
;; callee gets a borrow handle counted on the call's scope, which stays
;; open while the callee waits and other code runs, and must be dropped
;; before `task.return`.
(component
  (type $R (resource (rep i32)))
  (component $Lib
    (import "r" (type $R (sub resource)))
    (core func $drop (canon resource.drop $R))
    (core func $ret (canon task.return (result u32)))
    (core module $m
      (import "" "drop" (func $drop (param i32)))
      (import "" "ret" (func $ret (param i32)))
      (global $x (mut i32) (i32.const 0))
      (global $keep (mut i32) (i32.const 0))
      ;; Takes the borrow, then yields once.
      (func (export "go") (param $x i32) (result i32)
        (global.set $x (local.get $x))
        (i32.const 1))
      (func (export "keep") (param $x i32) (result i32)
        (global.set $keep (i32.const 1))
        (global.set $x (local.get $x))
        (i32.const 1))
      ;; Resumed: drops the borrow (unless keeping it) and returns.
      (func (export "cb") (param i32 i32 i32) (result i32)
        (if (i32.eqz (global.get $keep)) (then (call $drop (global.get $x))))
        (call $ret (i32.add (i32.const 100) (global.get $x)))
        (i32.const 0)))
    (core instance $i (instantiate $m
      (with "" (instance (export "drop" (func $drop)) (export "ret" (func $ret))))))
    (func (export "go") async (param "x" (borrow $R)) (result u32)
      (canon lift (core func $i "go") async (callback (core func $i "cb"))))
    (func (export "keep") async (param "x" (borrow $R)) (result u32)
      (canon lift (core func $i "keep") async (callback (core func $i "cb")))))
  (instance $lib (instantiate $Lib (with "r" (type $R))))
  (core module $mem (memory (export "m") 1))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "m" (core memory $m))
  (core func $go (canon lower (func $lib "go") async (memory $m)))
  (core func $keep (canon lower (func $lib "keep") async (memory $m)))
  (core func $rnew (canon resource.new $R))
  (core func $rdrop (canon resource.drop $R))
  (core func $ret (canon task.return (result u32)))
  (core func $wsnew (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $stdrop (canon subtask.drop))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "go" (func $go (param i32 i32) (result i32)))
    (import "" "keep" (func $keep (param i32 i32) (result i32)))
    (import "" "rnew" (func $rnew (param i32) (result i32)))
    (import "" "rdrop" (func $rdrop (param i32)))
    (import "" "ret" (func $ret (param i32)))
    (import "" "wsnew" (func $wsnew (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "stdrop" (func $stdrop (param i32)))
    (global $h (mut i32) (i32.const 0))
    (global $state (mut i32) (i32.const 0))
    ;; Waits for subtask status `st`; 0 as the callback code if it already
    ;; returned.
    (func $wait (param $st i32) (result i32)
      (local $ws i32)
      (global.set $state (i32.and (local.get $st) (i32.const 15)))
      (local.set $ws (call $wsnew))
      (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "ok") (result i32)
      (global.set $h (call $rnew (i32.const 42)))
      (call $wait (call $go (global.get $h) (i32.const 8))))
    (func (export "drop-lent") (result i32)
      (global.set $h (call $rnew (i32.const 42)))
      (drop (call $go (global.get $h) (i32.const 8)))
      (call $rdrop (global.get $h))
      (i32.const 0))
    (func (export "keep") (result i32)
      (global.set $h (call $rnew (i32.const 42)))
      (call $wait (call $keep (global.get $h) (i32.const 8))))
    ;; The subtask returned: its result went to 8; the handle is ours again.
    (func (export "cb") (param $ev i32) (param $w i32) (param $p i32) (result i32)
      (if (i32.ne (local.get $p) (i32.const 2)) (then unreachable))
      (call $stdrop (local.get $w))
      (call $rdrop (global.get $h))
      (call $ret (i32.add (i32.mul (global.get $state) (i32.const 1000)) (i32.load (i32.const 8))))
      (i32.const 0)))
  (core instance $i (instantiate $main
    (with "" (instance (export "m" (memory $m)) (export "go" (func $go)) (export "keep" (func $keep))
      (export "rnew" (func $rnew)) (export "rdrop" (func $rdrop)) (export "ret" (func $ret))
      (export "wsnew" (func $wsnew)) (export "join" (func $join)) (export "stdrop" (func $stdrop))))))
  (func (export "ok") async (result u32)
    (canon lift (core func $i "ok") async (callback (core func $i "cb"))))
  (func (export "drop-lent") async (result u32)
    (canon lift (core func $i "drop-lent") async (callback (core func $i "cb"))))
  (func (export "keep") async (result u32)
    (canon lift (core func $i "keep") async (callback (core func $i "cb")))))
;; kiln-test: invoke = "ok()"
;; kiln-test: stdout = "1101\n"
;; kiln-test: invoke = "drop-lent()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot remove owned resource while borrowed\n"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "keep()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: borrow handles still remain at the end of the call\n"
;; kiln-test: stderr-like-wasmtime
