;; error-context.debug-message lowers the message with the caller's
;; realloc, which runs with may_leave cleared as every lowering's does: a
;; realloc that calls resource.new (or an import) is Wasmtime 49's trap.
;; kiln-test: wasmtime-flags = "-W component-model-error-context"
;; kiln-test: invoke = "run()"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: stderr-like-wasmtime
(component
  (type $res (resource (rep i32)))
  (core func $rnew (canon resource.new $res))
  (core module $mm
    (import "" "rnew" (func $rnew (param i32) (result i32)))
    (memory (export "m") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (drop (call $rnew (i32.const 7)))
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (data (i32.const 100) "hello"))
  (core instance $mi (instantiate $mm (with "" (instance (export "rnew" (func $rnew))))))
  (alias core export $mi "m" (core memory $m))
  (alias core export $mi "realloc" (core func $r))
  (core func $new (canon error-context.new (memory $m)))
  (core func $msg (canon error-context.debug-message (memory $m) (realloc $r)))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "msg" (func $msg (param i32 i32)))
    (func (export "run") (result i32)
      (call $msg (call $new (i32.const 100) (i32.const 5)) (i32.const 16))
      (i32.load (i32.const 20))))
  (core instance $i (instantiate $main
    (with "" (instance (export "m" (memory $m)) (export "new" (func $new)) (export "msg" (func $msg))))))
  (func (export "run") (result u32) (canon lift (core func $i "run"))))
