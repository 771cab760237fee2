;; Async lowers of functions another instance lifts, async and sync, with
;; pointer-carrying results (`memory` and `realloc` on the lowering).
(component
  (component $inner
    (core module $m
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 512))
      (func (export "f") (param i32 i32) (result i32) (i32.const 0))
      (func (export "g") (param i32) (result i32) (local.get 0))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $m))
    (func (export "f") async (param "s" string) (result string)
      (canon lift (core func $i "f") async (callback (core func $i "cb"))
        (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (func (export "g") async (param "x" u32) (result u32)
      (canon lift (core func $i "g"))))
  (instance $in (instantiate $inner))
  (core module $mm
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024)))
  (core instance $mi (instantiate $mm))
  (core func $f (canon lower (func $in "f") async (memory (core memory $mi "mem"))
    (realloc (core func $mi "realloc"))))
  (core func $g (canon lower (func $in "g") async (memory (core memory $mi "mem"))))
  (core func $gs (canon lower (func $in "g")))
  (core module $use
    (import "" "f" (func (param i32 i32 i32) (result i32)))
    (import "" "g" (func (param i32 i32) (result i32)))
    (import "" "gs" (func (param i32) (result i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $u (instantiate $use
    (with "" (instance (export "f" (func $f)) (export "g" (func $g)) (export "gs" (func $gs))))))
  (func (export "run") (result u32) (canon lift (core func $u "run"))))
