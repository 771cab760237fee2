;; Sync lifts and lowers of pointer-carrying types: `memory`, `realloc`,
;; `post-return` and string encodings, across two component instances.
(component
  (component $lib
    (core module $m
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (global.get $bump)
        (global.set $bump (i32.add (global.get $bump) (i32.add (local.get 3) (i32.const 8)))))
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 0) (local.get 0))
        (i32.store (i32.const 4) (local.get 1))
        (i32.const 0))
      (func (export "post") (param i32))
      (func (export "sum") (param i32 i32) (result i32) (local.get 1))
      (func (export "many") (param i32) (result i64)
        (i64.const 0)))
    (core instance $i (instantiate $m))
    (type $big (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory (core memory $i "mem"))
        (realloc (core func $i "realloc")) string-encoding=utf8
        (post-return (core func $i "post"))))
    (func (export "sum") (param "l" (list u8)) (result u32)
      (canon lift (core func $i "sum") (memory (core memory $i "mem"))
        (realloc (core func $i "realloc"))))
    (func (export "many") (param "a" $big) (result u64)
      (canon lift (core func $i "many") (memory (core memory $i "mem"))
        (realloc (core func $i "realloc")))))
  (instance $l (instantiate $lib))
  (core module $mem
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 2048)))
  (core instance $mi (instantiate $mem))
  (core func $echo (canon lower (func $l "echo") (memory (core memory $mi "mem"))
    (realloc (core func $mi "realloc")) string-encoding=utf16))
  (core func $sum (canon lower (func $l "sum") (memory (core memory $mi "mem"))))
  (core module $main
    (import "" "echo" (func $echo (param i32 i32 i32)))
    (import "" "sum" (func $sum (param i32 i32) (result i32)))
    (func (export "run") (result i32)
      (call $echo (i32.const 0) (i32.const 0) (i32.const 64))
      (call $sum (i32.const 0) (i32.const 0))))
  (core instance $main (instantiate $main
    (with "" (instance (export "echo" (func $echo)) (export "sum" (func $sum))))))
  (func (export "run") (result u32) (canon lift (core func $main "run"))))
