;; error-context built-ins: `error-context.new` keeps the message the
;; guest gives (any encoding), `debug-message` lowers it with the options'
;; `realloc` and encoding, handles share the instance's one table (a
;; waitable set made first is handle 1), `drop` frees them; and each misuse
;; reported as Wasmtime 49 reports it (host errors, exit 1). Wasmtime gates
;; error contexts behind `-W component-model-error-context`; Kiln always
;; compiles them.
;; kiln-test: wasmtime-flags = "-W component-model-error-context"
(component
  (core module $mm
    (memory (export "m") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (data (i32.const 100) "abc")
    (data (i32.const 120) "h\00\e9\00!\00"))
  (core instance $mi (instantiate $mm))
  (alias core export $mi "m" (core memory $m))
  (alias core export $mi "realloc" (core func $r))
  (core func $new (canon error-context.new (memory $m)))
  (core func $new16 (canon error-context.new (memory $m) string-encoding=utf16))
  (core func $msg (canon error-context.debug-message (memory $m) (realloc $r)))
  (core func $msg16 (canon error-context.debug-message (memory $m) (realloc $r) string-encoding=utf16))
  (core func $drop (canon error-context.drop))
  (core func $wsnew (canon waitable-set.new))
  (core func $wsdrop (canon waitable-set.drop))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "new16" (func $new16 (param i32 i32) (result i32)))
    (import "" "msg" (func $msg (param i32 i32)))
    (import "" "msg16" (func $msg16 (param i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "wsnew" (func $wsnew (result i32)))
    (import "" "wsdrop" (func $wsdrop (param i32)))
    ;; Returns (set, a, b, c, units of b's message as utf16, a's message
    ;; as utf8, b's message as utf8, the handle a new context gets once a
    ;; and c are dropped: the last freed).
    (func (export "messages") (result i32)
      (local $a i32) (local $b i32) (local $c i32)
      (i32.store (i32.const 300) (call $wsnew))
      (local.set $a (call $new (i32.const 100) (i32.const 3)))
      (local.set $b (call $new16 (i32.const 120) (i32.const 3)))
      (local.set $c (call $new (i32.const 101) (i32.const 0)))
      (i32.store (i32.const 304) (local.get $a))
      (i32.store (i32.const 308) (local.get $b))
      (i32.store (i32.const 312) (local.get $c))
      (call $msg16 (local.get $b) (i32.const 400))
      (i32.store (i32.const 316) (i32.load (i32.const 404)))
      (call $msg (local.get $a) (i32.const 320))
      (call $msg (local.get $b) (i32.const 328))
      (call $drop (local.get $a))
      (call $drop (local.get $c))
      (i32.store (i32.const 336) (call $new (i32.const 100) (i32.const 1)))
      (i32.const 300))
    (func (export "drop-twice") (call $drop (call $new (i32.const 100) (i32.const 3))) (call $drop (i32.const 1)))
    (func (export "message-of-set") (call $msg (call $wsnew) (i32.const 200)))
    (func (export "drop-set") (call $drop (call $wsnew)))
    (func (export "string-out-of-bounds") (drop (call $new (i32.const 65535) (i32.const 3))))
    (func (export "set-drop-of-context") (call $wsdrop (call $new (i32.const 100) (i32.const 3))))
    (func (export "message-out-of-bounds") (call $msg (call $new (i32.const 100) (i32.const 3)) (i32.const 65533)))
    (func (export "unknown-handle") (drop (call $new (i32.const 100) (i32.const 2))) (call $drop (i32.const 5))))
  (core instance $i (instantiate $main
    (with "" (instance (export "m" (memory $m)) (export "new" (func $new)) (export "new16" (func $new16))
      (export "msg" (func $msg)) (export "msg16" (func $msg16)) (export "drop" (func $drop))
      (export "wsnew" (func $wsnew)) (export "wsdrop" (func $wsdrop))))))
  (func (export "messages") (result (tuple u32 u32 u32 u32 u32 string string u32))
    (canon lift (core func $i "messages") (memory $m)))
  (func (export "drop-twice") (canon lift (core func $i "drop-twice")))
  (func (export "message-of-set") (canon lift (core func $i "message-of-set")))
  (func (export "drop-set") (canon lift (core func $i "drop-set")))
  (func (export "string-out-of-bounds") (canon lift (core func $i "string-out-of-bounds")))
  (func (export "set-drop-of-context") (canon lift (core func $i "set-drop-of-context")))
  (func (export "message-out-of-bounds") (canon lift (core func $i "message-out-of-bounds")))
  (func (export "unknown-handle") (canon lift (core func $i "unknown-handle"))))
;; kiln-test: invoke = "messages()"
;; kiln-test: stdout = "(1, 2, 3, 4, 3, \"abc\", \"hé!\", 4)\n"
;; kiln-test: invoke = "drop-twice()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 1\n"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "message-of-set()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not an error-context\n"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "drop-set()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not an error-context\n"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "string-out-of-bounds()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: string pointer/length out of bounds of memory\n"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "set-drop-of-context()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: handle is not a waitable-set\n"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "message-out-of-bounds()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: invalid debug message pointer: out of bounds\n"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "unknown-handle()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: unknown handle index 5\n"
;; kiln-test: stderr-like-wasmtime
