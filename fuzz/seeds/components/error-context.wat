;; The error-context built-ins and their options.
(component
  (core module $mem
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 256)))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "mem" (core memory $m))
  (alias core export $mi "realloc" (core func $realloc))
  (core func $new (canon error-context.new (memory $m) string-encoding=utf8))
  (core func $msg (canon error-context.debug-message (memory $m) (realloc $realloc)))
  (core func $drop (canon error-context.drop))
  (core module $main
    (import "" "new" (func (param i32 i32) (result i32)))
    (import "" "msg" (func (param i32 i32)))
    (import "" "drop" (func (param i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $main
    (with "" (instance (export "new" (func $new)) (export "msg" (func $msg)) (export "drop" (func $drop))))))
  (func (export "run") (result u32) (canon lift (core func $i "run"))))
