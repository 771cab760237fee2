;; error-context values between two component instances through a sync
;; call (a fused adapter): the callee gets a handle of its own, reads the
;; message, and returns a new context; the caller's handle stays valid.
;; kiln-test: wasmtime-flags = "-W component-model-error-context"
(component
  (component $Lib
    (core module $mm
      (memory (export "m") 1)
      (global $heap (mut i32) (i32.const 4096))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $heap))
        (global.set $heap (i32.add (local.get $p) (local.get 3)))
        (local.get $p)))
    (core instance $mi (instantiate $mm))
    (alias core export $mi "m" (core memory $m))
    (alias core export $mi "realloc" (core func $r))
    (core func $new (canon error-context.new (memory $m)))
    (core func $msg (canon error-context.debug-message (memory $m) (realloc $r)))
    (core func $drop (canon error-context.drop))
    (core module $main
      (import "" "m" (memory 1))
      (import "" "new" (func $new (param i32 i32) (result i32)))
      (import "" "msg" (func $msg (param i32 i32)))
      (import "" "drop" (func $drop (param i32)))
      ;; Returns a context whose message is `e`'s without its first byte,
      ;; and the handle number it got (to see the callee's own numbering).
      (func (export "tail") (param $e i32) (result i32)
        (local $n i32)
        (call $msg (local.get $e) (i32.const 16))
        (call $drop (local.get $e))
        (local.set $n (call $new (i32.add (i32.load (i32.const 16)) (i32.const 1))
                                 (i32.sub (i32.load (i32.const 20)) (i32.const 1))))
        (local.get $n)))
    (core instance $i (instantiate $main
      (with "" (instance (export "m" (memory $m)) (export "new" (func $new))
        (export "msg" (func $msg)) (export "drop" (func $drop))))))
    (func (export "tail") (param "e" error-context) (result error-context)
      (canon lift (core func $i "tail"))))
  (instance $lib (instantiate $Lib))
  (alias export $lib "tail" (func $tail))
  (core module $mm
    (memory (export "m") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (data (i32.const 100) "hello"))
  (core instance $mi (instantiate $mm))
  (alias core export $mi "m" (core memory $m))
  (alias core export $mi "realloc" (core func $r))
  (core func $new (canon error-context.new (memory $m)))
  (core func $msg (canon error-context.debug-message (memory $m) (realloc $r)))
  (core func $drop (canon error-context.drop))
  (core func $tail (canon lower (func $tail)))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "msg" (func $msg (param i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "tail" (func $tail (param i32) (result i32)))
    ;; Returns "<tail message>|<own message>|<handles>".
    (func (export "run") (result i32)
      (local $e i32) (local $t i32) (local $t2 i32) (local $p i32)
      (local.set $e (call $new (i32.const 100) (i32.const 5)))
      (local.set $t (call $tail (local.get $e)))
      (local.set $t2 (call $tail (local.get $t)))
      (call $msg (local.get $t2) (i32.const 16))
      (call $msg (local.get $e) (i32.const 24))
      (call $drop (local.get $e))
      (call $drop (local.get $t))
      (call $drop (local.get $t2))
      ;; build the result at 2048
      (memory.copy (i32.const 2048) (i32.load (i32.const 16)) (i32.load (i32.const 20)))
      (local.set $p (i32.add (i32.const 2048) (i32.load (i32.const 20))))
      (i32.store8 (local.get $p) (i32.const 124))
      (memory.copy (i32.add (local.get $p) (i32.const 1)) (i32.load (i32.const 24)) (i32.load (i32.const 28)))
      (local.set $p (i32.add (i32.add (local.get $p) (i32.const 1)) (i32.load (i32.const 28))))
      (i32.store8 (local.get $p) (i32.const 124))
      (i32.store8 offset=1 (local.get $p) (i32.add (i32.const 48) (local.get $e)))
      (i32.store8 offset=2 (local.get $p) (i32.add (i32.const 48) (local.get $t)))
      (i32.store8 offset=3 (local.get $p) (i32.add (i32.const 48) (local.get $t2)))
      (i32.store (i32.const 0) (i32.const 2048))
      (i32.store (i32.const 4) (i32.sub (i32.add (local.get $p) (i32.const 4)) (i32.const 2048)))
      (i32.const 0)))
  (core instance $i (instantiate $main
    (with "" (instance (export "m" (memory $m)) (export "new" (func $new))
      (export "msg" (func $msg)) (export "drop" (func $drop)) (export "tail" (func $tail))))))
  (func (export "run") (result string)
    (canon lift (core func $i "run") (memory $m))))
;; kiln-test: invoke = "run()"
;; kiln-test: stdout = "\"llo|hello|123\"\n"
