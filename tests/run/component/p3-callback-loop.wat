;; The callback loop of an async `run`: the export YIELDs, the callback
;; sees EVENT_NONE, keeps a counter in `context` slot 0, then a stream of
;; u8 written and read inside the component (the copy happens when the
;; read meets the waiting write: BLOCKED, then STREAM_WRITE through a
;; waitable set), and `task.return` of `err`: exit 1, silently.
;; kiln-test: exit = 1
;; kiln-test: stdout = ""
(component
  (type $r (result))
  (type $s (stream u8))
  (core module $mem (memory (export "m") 1))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "m" (core memory $m))
  (core func $ret (canon task.return (result $r)))
  (core func $get (canon context.get i32 0))
  (core func $set (canon context.set i32 0))
  (core func $snew (canon stream.new $s))
  (core func $sread (canon stream.read $s async (memory $m)))
  (core func $swrite (canon stream.write $s async (memory $m)))
  (core func $wsnew (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $dropr (canon stream.drop-readable $s))
  (core func $dropw (canon stream.drop-writable $s))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "ret" (func $ret (param i32)))
    (import "" "get" (func $get (result i32)))
    (import "" "set" (func $set (param i32)))
    (import "" "snew" (func $snew (result i64)))
    (import "" "sread" (func $sread (param i32 i32 i32) (result i32)))
    (import "" "swrite" (func $swrite (param i32 i32 i32) (result i32)))
    (import "" "wsnew" (func $wsnew (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "dropr" (func $dropr (param i32)))
    (import "" "dropw" (func $dropw (param i32)))
    (global $r (mut i32) (i32.const 0))
    (global $w (mut i32) (i32.const 0))
    (global $set (mut i32) (i32.const 0))
    (data (i32.const 16) "abc")
    ;; YIELD first.
    (func (export "go") (result i32) (call $set (i32.const 1)) (i32.const 1))
    (func (export "cb") (param $ev i32) (param $p1 i32) (param $p2 i32) (result i32)
      (local $s i64)
      (local $st i32)
      ;; Back from the YIELD: context slot 0 kept its value.
      (if (i32.eq (call $get) (i32.const 1))
        (then
          (if (i32.ne (local.get $ev) (i32.const 0)) (then unreachable))
          (call $set (i32.const 2))
          (local.set $s (call $snew))
          (global.set $r (i32.wrap_i64 (local.get $s)))
          (global.set $w (i32.wrap_i64 (i64.shr_u (local.get $s) (i64.const 32))))
          ;; No reader yet: the write waits.
          (if (i32.ne (call $swrite (global.get $w) (i32.const 16) (i32.const 3)) (i32.const -1))
            (then unreachable))
          (global.set $set (call $wsnew))
          (call $join (global.get $w) (global.get $set))
          ;; The read meets the write: 2 of 3 bytes, COMPLETED (2 << 4).
          (local.set $st (call $sread (global.get $r) (i32.const 32) (i32.const 2)))
          (if (i32.ne (local.get $st) (i32.const 0x20)) (then unreachable))
          (if (i32.ne (i32.load16_u (i32.const 32)) (i32.const 0x6261)) (then unreachable))
          ;; WAIT on the set: the writer's event comes next.
          (return (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))))
      ;; STREAM_WRITE (3) on the writable end, 2 elements, COMPLETED.
      (if (i32.ne (local.get $ev) (i32.const 3)) (then unreachable))
      (if (i32.ne (local.get $p1) (global.get $w)) (then unreachable))
      (if (i32.ne (local.get $p2) (i32.const 0x20)) (then unreachable))
      (call $dropw (global.get $w))
      ;; The writer is gone: a read now reports DROPPED (1).
      (if (i32.ne (call $sread (global.get $r) (i32.const 32) (i32.const 1)) (i32.const 1))
        (then unreachable))
      (call $dropr (global.get $r))
      (call $ret (i32.const 1))
      (i32.const 0)))
  (core instance $i (instantiate $main
    (with "" (instance
      (export "m" (memory $m))
      (export "ret" (func $ret))
      (export "get" (func $get))
      (export "set" (func $set))
      (export "snew" (func $snew))
      (export "sread" (func $sread))
      (export "swrite" (func $swrite))
      (export "wsnew" (func $wsnew))
      (export "join" (func $join))
      (export "dropr" (func $dropr))
      (export "dropw" (func $dropw))))))
  (type $ft (func async (result $r)))
  (func $run (type $ft)
    (canon lift (core func $i "go") async (callback (core func $i "cb"))))
  (instance $inst (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $inst)))
