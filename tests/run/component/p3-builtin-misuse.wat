;; Misuse of each component-model async built-in, one sync export per
;; case (a sync task may create streams, futures and sets and start async
;; copies; it only may not block), each checked against `wasmtime run
;; --invoke`: Wasmtime 49 reports some as wasm traps (exit 134) and the
;; rest as host errors (exit 1) with these words. The pointer checks are
;; Wasmtime's: a copy's bounds at the call, its alignment only when
;; elements move (`read-unaligned-ready` is a read left waiting).
(component
  (type $r (result))
  (type $s (stream u8))
  (type $s2 (stream u32))
  (type $f (future u8))
  (core module $mem (memory (export "m") 1))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "m" (core memory $m))
  (core func $ret (canon task.return (result $r)))
  (core func $ret0 (canon task.return))
  (core func $cancel (canon task.cancel))
  (core func $get (canon context.get i32 0))
  (core func $set (canon context.set i32 0))
  (core func $snew (canon stream.new $s))
  (core func $s2new (canon stream.new $s2))
  (core func $sread (canon stream.read $s async (memory $m)))
  (core func $s2read (canon stream.read $s2 async (memory $m)))
  (core func $swrite (canon stream.write $s async (memory $m)))
  (core func $scr (canon stream.cancel-read $s))
  (core func $scw (canon stream.cancel-write $s))
  (core func $dropr (canon stream.drop-readable $s))
  (core func $dropw (canon stream.drop-writable $s))
  (core func $fnew (canon future.new $f))
  (core func $fread (canon future.read $f async (memory $m)))
  (core func $fwrite (canon future.write $f async (memory $m)))
  (core func $fdropr (canon future.drop-readable $f))
  (core func $fdropw (canon future.drop-writable $f))
  (core func $wsnew (canon waitable-set.new))
  (core func $wswait (canon waitable-set.wait (memory $m)))
  (core func $wspoll (canon waitable-set.poll (memory $m)))
  (core func $wsdrop (canon waitable-set.drop))
  (core func $join (canon waitable.join))
  (core func $stdrop (canon subtask.drop))
  (core func $stcancel (canon subtask.cancel))
  (core func $bpinc (canon backpressure.inc))
  (core func $bpdec (canon backpressure.dec))
  (core func $yield (canon thread.yield))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "ret" (func $ret (param i32)))
    (import "" "ret0" (func $ret0))
    (import "" "cancel" (func $cancel))
    (import "" "get" (func $get (result i32)))
    (import "" "set" (func $set (param i32)))
    (import "" "snew" (func $snew (result i64)))
    (import "" "s2new" (func $s2new (result i64)))
    (import "" "sread" (func $sread (param i32 i32 i32) (result i32)))
    (import "" "s2read" (func $s2read (param i32 i32 i32) (result i32)))
    (import "" "swrite" (func $swrite (param i32 i32 i32) (result i32)))
    (import "" "scr" (func $scr (param i32) (result i32)))
    (import "" "scw" (func $scw (param i32) (result i32)))
    (import "" "dropr" (func $dropr (param i32)))
    (import "" "dropw" (func $dropw (param i32)))
    (import "" "fnew" (func $fnew (result i64)))
    (import "" "fread" (func $fread (param i32 i32) (result i32)))
    (import "" "fwrite" (func $fwrite (param i32 i32) (result i32)))
    (import "" "fdropr" (func $fdropr (param i32)))
    (import "" "fdropw" (func $fdropw (param i32)))
    (import "" "wsnew" (func $wsnew (result i32)))
    (import "" "wswait" (func $wswait (param i32 i32) (result i32)))
    (import "" "wspoll" (func $wspoll (param i32 i32) (result i32)))
    (import "" "wsdrop" (func $wsdrop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "stdrop" (func $stdrop (param i32)))
    (import "" "stcancel" (func $stcancel (param i32) (result i32)))
    (import "" "bpinc" (func $bpinc))
    (import "" "bpdec" (func $bpdec))
    (import "" "yield" (func $yield (result i32)))
    (global $r (mut i32) (i32.const 0))
    (global $w (mut i32) (i32.const 0))
    (func $pair (param $s i64)
      (global.set $r (i32.wrap_i64 (local.get $s)))
      (global.set $w (i32.wrap_i64 (i64.shr_u (local.get $s) (i64.const 32)))))
    (func (export "wrong-kind-read-set")
      (drop (call $sread (call $wsnew) (i32.const 0) (i32.const 1))))
    (func (export "wrong-kind-read-writable")
      (call $pair (call $snew)) (drop (call $sread (global.get $w) (i32.const 0) (i32.const 1))))
    (func (export "wrong-kind-write-readable")
      (call $pair (call $snew)) (drop (call $swrite (global.get $r) (i32.const 0) (i32.const 1))))
    (func (export "wrong-type-read")
      (call $pair (call $s2new)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 1))))
    (func (export "wrong-kind-future-read-stream")
      (call $pair (call $snew)) (drop (call $fread (global.get $r) (i32.const 0))))
    (func (export "bad-handle-read")
      (drop (call $sread (i32.const 77) (i32.const 0) (i32.const 1))))
    (func (export "double-drop-readable")
      (call $pair (call $snew)) (call $dropr (global.get $r)) (call $dropr (global.get $r)))
    (func (export "double-drop-writable")
      (call $pair (call $snew)) (call $dropw (global.get $w)) (call $dropw (global.get $w)))
    (func (export "drop-readable-as-writable")
      (call $pair (call $snew)) (call $dropw (global.get $r)))
    (func (export "read-while-read-pending")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 1))) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 1))))
    (func (export "write-while-write-pending")
      (call $pair (call $snew)) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 1))) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 1))))
    (func (export "drop-readable-while-reading")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 1))) (call $dropr (global.get $r)))
    (func (export "drop-writable-while-writing")
      (call $pair (call $snew)) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 1))) (call $dropw (global.get $w)))
    (func (export "cancel-read-idle")
      (call $pair (call $snew)) (drop (call $scr (global.get $r))))
    (func (export "cancel-write-idle")
      (call $pair (call $snew)) (drop (call $scw (global.get $w))))
    (func (export "read-oob")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 65535) (i32.const 2))))
    (func (export "future-write-twice")
      (call $pair (call $fnew)) (drop (call $fread (global.get $r) (i32.const 0))) (drop (call $fwrite (global.get $w) (i32.const 0))) (drop (call $fwrite (global.get $w) (i32.const 0))))
    (func (export "future-read-twice")
      (call $pair (call $fnew)) (drop (call $fwrite (global.get $w) (i32.const 0))) (drop (call $fread (global.get $r) (i32.const 0))) (drop (call $fread (global.get $r) (i32.const 0))))
    (func (export "future-drop-writable-unwritten")
      (call $pair (call $fnew)) (call $fdropw (global.get $w)))
    (func (export "future-drop-writable-reader-gone")
      (call $pair (call $fnew)) (call $fdropr (global.get $r)) (call $fdropw (global.get $w)))
    (func (export "bp-underflow")
      (call $bpdec))
    (func (export "join-bad-set")
      (call $pair (call $snew)) (call $join (global.get $r) (i32.const 99)))
    (func (export "join-set-into-set")
      (call $join (call $wsnew) (call $wsnew)))
    (func (export "stdrop-stream")
      (call $pair (call $snew)) (call $stdrop (global.get $r)))
    (func (export "stcancel-stream")
      (call $pair (call $snew)) (drop (call $stcancel (global.get $r))))
    (func (export "wsdrop-stream")
      (call $pair (call $snew)) (call $wsdrop (global.get $r)))
    (func (export "wsdrop-twice")
      (global.set $r (call $wsnew)) (call $wsdrop (global.get $r)) (call $wsdrop (global.get $r)))
    (func (export "wspoll-ptr-oob")
      (drop (call $wspoll (call $wsnew) (i32.const 65535))))
    (func (export "dropw-then-read-ok")
      (call $pair (call $snew)) (call $dropw (global.get $w)) (if (i32.ne (call $sread (global.get $r) (i32.const 0) (i32.const 1)) (i32.const 1)) (then unreachable)) (call $dropr (global.get $r)))
    (func (export "read-after-dropped")
      (call $pair (call $snew)) (call $dropw (global.get $w)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 1))) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 1))))
    (func (export "write-after-reader-dropped")
      (call $pair (call $snew)) (call $dropr (global.get $r)) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 1))) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 1))))
    (func (export "drop-writable-as-readable")
      (call $pair (call $snew)) (call $dropr (global.get $w)))
    (func (export "fdrop-writable-as-readable")
      (call $pair (call $fnew)) (call $fdropr (global.get $w)))
    (func (export "fdrop-readable-as-writable")
      (call $pair (call $fnew)) (call $fdropw (global.get $r)))
    (func (export "fdrop-readable-busy")
      (call $pair (call $fnew)) (drop (call $fread (global.get $r) (i32.const 0))) (call $fdropr (global.get $r)))
    (func (export "fdrop-writable-busy")
      (call $pair (call $fnew)) (drop (call $fwrite (global.get $w) (i32.const 0))) (call $fdropw (global.get $w)))
    (func (export "fread-stream-type")
      (call $pair (call $s2new)) (drop (call $fread (global.get $r) (i32.const 0))))
    (func (export "sread-future")
      (call $pair (call $fnew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 1))))
    (func (export "wswait-stream")
      (call $pair (call $snew)) (drop (call $wswait (global.get $r) (i32.const 0))))
    (func (export "wspoll-stream")
      (call $pair (call $snew)) (drop (call $wspoll (global.get $r) (i32.const 0))))
    (func (export "wspoll-oob")
      (drop (call $wspoll (call $wsnew) (i32.const 65532))))
    (func (export "wspoll-unknown")
      (drop (call $wspoll (i32.const 55) (i32.const 0))))
    (func (export "join-unknown")
      (call $join (i32.const 55) (i32.const 0)))
    (func (export "join-zero")
      (call $pair (call $snew)) (call $join (global.get $r) (i32.const 0)))
    (func (export "scr-writable")
      (call $pair (call $snew)) (drop (call $scr (global.get $w))))
    (func (export "scw-readable")
      (call $pair (call $snew)) (drop (call $scw (global.get $r))))
    (func (export "write-oob")
      (call $pair (call $snew)) (drop (call $swrite (global.get $w) (i32.const 65535) (i32.const 2))))
    (func (export "read-unaligned-ready")
      (call $pair (call $s2new)) (drop (call $s2read (global.get $r) (i32.const 2) (i32.const 1))))
    (func (export "write-unaligned")
      (call $pair (call $snew)) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 0x10000000))))
    (func (export "fread-oob")
      (call $pair (call $fnew)) (drop (call $fread (global.get $r) (i32.const 65536))))
    (func (export "stdrop-set")
      (call $stdrop (call $wsnew)))
    (func (export "wsdrop-unknown")
      (call $wsdrop (i32.const 9)))
    (func (export "bp-overflow")
      (call $bpinc) (call $bpinc) (call $bpdec) (call $bpdec) (call $bpdec))
    (func (export "read-after-future-drop")
      (call $pair (call $fnew)) (call $fdropr (global.get $r)) (drop (call $fwrite (global.get $w) (i32.const 0))) (drop (call $fwrite (global.get $w) (i32.const 0))))
    (func (export "fwrite-reader-dropped-status")
      (call $pair (call $fnew)) (call $fdropr (global.get $r)) (if (i32.ne (call $fwrite (global.get $w) (i32.const 0)) (i32.const 1)) (then unreachable)) (call $fdropw (global.get $w)))
    (func (export "cancel-read-status")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 4))) (if (i32.ne (call $scr (global.get $r)) (i32.const 2)) (then unreachable)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 4))))
    (func (export "read-zero-len")
      (call $pair (call $snew)) (if (i32.ne (call $sread (global.get $r) (i32.const 0) (i32.const 0)) (i32.const -1)) (then unreachable)))
    (func (export "write-zero-len-pending-read")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 4))) (if (i32.ne (call $swrite (global.get $w) (i32.const 0) (i32.const 0)) (i32.const 0)) (then unreachable)))
    (func (export "read-count-max")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 0x0fffffff))))
    (func (export "read-count-big")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 0x10000000))))
    (func (export "join-busy")
      (call $pair (call $snew)) (drop (call $sread (global.get $r) (i32.const 0) (i32.const 4))) (call $join (global.get $r) (call $wsnew)))
    (func (export "cancel-write-after-drop")
      (call $pair (call $snew)) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 4))) (call $dropr (global.get $r)) (if (i32.ne (call $scw (global.get $w)) (i32.const 1)) (then unreachable)))
    (func (export "write-after-cancel-dropped")
      (call $pair (call $snew)) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 4))) (call $dropr (global.get $r)) (drop (call $scw (global.get $w))) (drop (call $swrite (global.get $w) (i32.const 0) (i32.const 4)))))
  (core instance $i (instantiate $main
    (with "" (instance
      (export "m" (memory $m)) (export "ret" (func $ret)) (export "ret0" (func $ret0))
      (export "cancel" (func $cancel)) (export "get" (func $get)) (export "set" (func $set))
      (export "snew" (func $snew)) (export "s2new" (func $s2new)) (export "sread" (func $sread))  (export "s2read" (func $s2read)) (export "swrite" (func $swrite))
      (export "scr" (func $scr)) (export "scw" (func $scw))
      (export "dropr" (func $dropr)) (export "dropw" (func $dropw)) (export "fnew" (func $fnew))
      (export "fread" (func $fread)) (export "fwrite" (func $fwrite)) (export "fdropr" (func $fdropr))
      (export "fdropw" (func $fdropw)) (export "wsnew" (func $wsnew)) (export "wswait" (func $wswait))
      (export "wspoll" (func $wspoll)) (export "wsdrop" (func $wsdrop)) (export "join" (func $join))
      (export "stdrop" (func $stdrop)) (export "stcancel" (func $stcancel)) (export "bpinc" (func $bpinc))
      (export "bpdec" (func $bpdec)) (export "yield" (func $yield))))))
  (func (export "wrong-kind-read-set") (canon lift (core func $i "wrong-kind-read-set")))
  (func (export "wrong-kind-read-writable") (canon lift (core func $i "wrong-kind-read-writable")))
  (func (export "wrong-kind-write-readable") (canon lift (core func $i "wrong-kind-write-readable")))
  (func (export "wrong-type-read") (canon lift (core func $i "wrong-type-read")))
  (func (export "wrong-kind-future-read-stream") (canon lift (core func $i "wrong-kind-future-read-stream")))
  (func (export "bad-handle-read") (canon lift (core func $i "bad-handle-read")))
  (func (export "double-drop-readable") (canon lift (core func $i "double-drop-readable")))
  (func (export "double-drop-writable") (canon lift (core func $i "double-drop-writable")))
  (func (export "drop-readable-as-writable") (canon lift (core func $i "drop-readable-as-writable")))
  (func (export "read-while-read-pending") (canon lift (core func $i "read-while-read-pending")))
  (func (export "write-while-write-pending") (canon lift (core func $i "write-while-write-pending")))
  (func (export "drop-readable-while-reading") (canon lift (core func $i "drop-readable-while-reading")))
  (func (export "drop-writable-while-writing") (canon lift (core func $i "drop-writable-while-writing")))
  (func (export "cancel-read-idle") (canon lift (core func $i "cancel-read-idle")))
  (func (export "cancel-write-idle") (canon lift (core func $i "cancel-write-idle")))
  (func (export "read-oob") (canon lift (core func $i "read-oob")))
  (func (export "future-write-twice") (canon lift (core func $i "future-write-twice")))
  (func (export "future-read-twice") (canon lift (core func $i "future-read-twice")))
  (func (export "future-drop-writable-unwritten") (canon lift (core func $i "future-drop-writable-unwritten")))
  (func (export "future-drop-writable-reader-gone") (canon lift (core func $i "future-drop-writable-reader-gone")))
  (func (export "bp-underflow") (canon lift (core func $i "bp-underflow")))
  (func (export "join-bad-set") (canon lift (core func $i "join-bad-set")))
  (func (export "join-set-into-set") (canon lift (core func $i "join-set-into-set")))
  (func (export "stdrop-stream") (canon lift (core func $i "stdrop-stream")))
  (func (export "stcancel-stream") (canon lift (core func $i "stcancel-stream")))
  (func (export "wsdrop-stream") (canon lift (core func $i "wsdrop-stream")))
  (func (export "wsdrop-twice") (canon lift (core func $i "wsdrop-twice")))
  (func (export "wspoll-ptr-oob") (canon lift (core func $i "wspoll-ptr-oob")))
  (func (export "dropw-then-read-ok") (canon lift (core func $i "dropw-then-read-ok")))
  (func (export "read-after-dropped") (canon lift (core func $i "read-after-dropped")))
  (func (export "write-after-reader-dropped") (canon lift (core func $i "write-after-reader-dropped")))
  (func (export "drop-writable-as-readable") (canon lift (core func $i "drop-writable-as-readable")))
  (func (export "fdrop-writable-as-readable") (canon lift (core func $i "fdrop-writable-as-readable")))
  (func (export "fdrop-readable-as-writable") (canon lift (core func $i "fdrop-readable-as-writable")))
  (func (export "fdrop-readable-busy") (canon lift (core func $i "fdrop-readable-busy")))
  (func (export "fdrop-writable-busy") (canon lift (core func $i "fdrop-writable-busy")))
  (func (export "fread-stream-type") (canon lift (core func $i "fread-stream-type")))
  (func (export "sread-future") (canon lift (core func $i "sread-future")))
  (func (export "wswait-stream") (canon lift (core func $i "wswait-stream")))
  (func (export "wspoll-stream") (canon lift (core func $i "wspoll-stream")))
  (func (export "wspoll-oob") (canon lift (core func $i "wspoll-oob")))
  (func (export "wspoll-unknown") (canon lift (core func $i "wspoll-unknown")))
  (func (export "join-unknown") (canon lift (core func $i "join-unknown")))
  (func (export "join-zero") (canon lift (core func $i "join-zero")))
  (func (export "scr-writable") (canon lift (core func $i "scr-writable")))
  (func (export "scw-readable") (canon lift (core func $i "scw-readable")))
  (func (export "write-oob") (canon lift (core func $i "write-oob")))
  (func (export "read-unaligned-ready") (canon lift (core func $i "read-unaligned-ready")))
  (func (export "write-unaligned") (canon lift (core func $i "write-unaligned")))
  (func (export "fread-oob") (canon lift (core func $i "fread-oob")))
  (func (export "stdrop-set") (canon lift (core func $i "stdrop-set")))
  (func (export "wsdrop-unknown") (canon lift (core func $i "wsdrop-unknown")))
  (func (export "bp-overflow") (canon lift (core func $i "bp-overflow")))
  (func (export "read-after-future-drop") (canon lift (core func $i "read-after-future-drop")))
  (func (export "fwrite-reader-dropped-status") (canon lift (core func $i "fwrite-reader-dropped-status")))
  (func (export "cancel-read-status") (canon lift (core func $i "cancel-read-status")))
  (func (export "read-zero-len") (canon lift (core func $i "read-zero-len")))
  (func (export "write-zero-len-pending-read") (canon lift (core func $i "write-zero-len-pending-read")))
  (func (export "read-count-max") (canon lift (core func $i "read-count-max")))
  (func (export "read-count-big") (canon lift (core func $i "read-count-big")))
  (func (export "join-busy") (canon lift (core func $i "join-busy")))
  (func (export "cancel-write-after-drop") (canon lift (core func $i "cancel-write-after-drop")))
  (func (export "write-after-cancel-dropped") (canon lift (core func $i "write-after-cancel-dropped"))))
;; kiln-test: invoke = "wrong-kind-read-set()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a stream\n"
;; kiln-test: invoke = "wrong-kind-read-writable()"
;; kiln-test: trap = "cannot have concurrent operations active on a future/stream"
;; kiln-test: invoke = "wrong-kind-write-readable()"
;; kiln-test: trap = "cannot have concurrent operations active on a future/stream"
;; kiln-test: invoke = "wrong-type-read()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is a stream of a different type\n"
;; kiln-test: invoke = "wrong-kind-future-read-stream()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a future\n"
;; kiln-test: invoke = "bad-handle-read()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 77\n"
;; kiln-test: invoke = "double-drop-readable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 1\n"
;; kiln-test: invoke = "double-drop-writable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 2\n"
;; kiln-test: invoke = "drop-readable-as-writable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: passed read end to `stream.drop-writable`\n"
;; kiln-test: invoke = "read-while-read-pending()"
;; kiln-test: trap = "cannot have concurrent operations active on a future/stream"
;; kiln-test: invoke = "write-while-write-pending()"
;; kiln-test: trap = "cannot have concurrent operations active on a future/stream"
;; kiln-test: invoke = "drop-readable-while-reading()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot remove busy stream\n"
;; kiln-test: invoke = "drop-writable-while-writing()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot drop busy stream\n"
;; kiln-test: invoke = "cancel-read-idle()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: stream or future read cancelled when no read is pending\n"
;; kiln-test: invoke = "cancel-write-idle()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: stream or future write cancelled when no write is pending\n"
;; kiln-test: invoke = "read-oob()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: read pointer out of bounds of memory\n"
;; kiln-test: invoke = "future-write-twice()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot write to future after previous write succeeded or readable end dropped\n"
;; kiln-test: invoke = "future-read-twice()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot read from future after previous read succeeded\n"
;; kiln-test: invoke = "future-drop-writable-unwritten()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot drop future write end without first writing a value\n"
;; kiln-test: invoke = "future-drop-writable-reader-gone()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot drop future write end without first writing a value\n"
;; kiln-test: invoke = "bp-underflow()"
;; kiln-test: trap = "backpressure counter overflow"
;; kiln-test: invoke = "join-bad-set()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 99\n"
;; kiln-test: invoke = "join-set-into-set()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a waitable\n"
;; kiln-test: invoke = "stdrop-stream()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a subtask\n"
;; kiln-test: invoke = "stcancel-stream()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a subtask\n"
;; kiln-test: invoke = "wsdrop-stream()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a waitable-set\n"
;; kiln-test: invoke = "wsdrop-twice()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 1\n"
;; kiln-test: invoke = "wspoll-ptr-oob()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: pointer not aligned\n"
;; kiln-test: invoke = "dropw-then-read-ok()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "read-after-dropped()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot read after being notified that the writable end dropped\n"
;; kiln-test: invoke = "write-after-reader-dropped()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot write after being notified that the readable end dropped\n"
;; kiln-test: invoke = "drop-writable-as-readable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a readable end of a stream\n"
;; kiln-test: invoke = "fdrop-writable-as-readable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a readable end of a future\n"
;; kiln-test: invoke = "fdrop-readable-as-writable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: passed read end to `future.drop-writable`\n"
;; kiln-test: invoke = "fdrop-readable-busy()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot remove busy future\n"
;; kiln-test: invoke = "fdrop-writable-busy()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot drop busy future\n"
;; kiln-test: invoke = "fread-stream-type()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a future\n"
;; kiln-test: invoke = "sread-future()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a stream\n"
;; kiln-test: invoke = "wswait-stream()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not an waitable-set\n"
;; kiln-test: invoke = "wspoll-stream()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not an waitable-set\n"
;; kiln-test: invoke = "wspoll-oob()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: pointer out of bounds\n"
;; kiln-test: invoke = "wspoll-unknown()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 55\n"
;; kiln-test: invoke = "join-unknown()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 55\n"
;; kiln-test: invoke = "join-zero()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "scr-writable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: passed write end to `{stream|future}.cancel-read`\n"
;; kiln-test: invoke = "scw-readable()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: passed read end to `{stream|future}.cancel-write`\n"
;; kiln-test: invoke = "write-oob()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: read pointer out of bounds of memory\n"
;; kiln-test: invoke = "read-unaligned-ready()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "write-unaligned()"
;; kiln-test: trap = "stream read/write count too large"
;; kiln-test: invoke = "fread-oob()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: read pointer out of bounds of memory\n"
;; kiln-test: invoke = "stdrop-set()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a waitable\n"
;; kiln-test: invoke = "wsdrop-unknown()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 9\n"
;; kiln-test: invoke = "bp-overflow()"
;; kiln-test: trap = "backpressure counter overflow"
;; kiln-test: invoke = "read-after-future-drop()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot write after being notified that the readable end dropped\n"
;; kiln-test: invoke = "fwrite-reader-dropped-status()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "cancel-read-status()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "read-zero-len()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "write-zero-len-pending-read()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "read-count-max()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: read pointer out of bounds of memory\n"
;; kiln-test: invoke = "read-count-big()"
;; kiln-test: trap = "stream read/write count too large"
;; kiln-test: invoke = "join-busy()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "cancel-write-after-drop()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "write-after-cancel-dropped()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: cannot write after being notified that the readable end dropped\n"
