;; `--invoke` of an export taking a string: the string is lowered with the
;; export's realloc, which runs with may_leave cleared as every lowering's
;; does; this one calls resource.new and traps as in Wasmtime 49.
;; kiln-test: invoke = "len(\"abc\")"
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
    (func (export "len") (param i32 i32) (result i32) (local.get 1)))
  (core instance $mi (instantiate $mm (with "" (instance (export "rnew" (func $rnew))))))
  (func (export "len") (param "s" string) (result u32)
    (canon lift (core func $mi "len") (memory (core memory $mi "m")) (realloc (core func $mi "realloc")))))
