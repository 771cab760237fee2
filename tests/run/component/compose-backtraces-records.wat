;; Backtraces through a fused adapter moving records, flags and tuples
;; flat (`s8`, `s16`, `u64`, 3 and 20 flags, `u16`, `f32`), as Wasmtime 49
;; prints them: the adapter masks, sign-extends and copies each flat
;; value.
;; kiln-test: invoke = "go(5)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go(1)"
;; kiln-test: expect = "5"
(component
  (component $lib
    (type $point (record (field "x" s8) (field "y" s16) (field "z" u64)))
    (type $perm (flags "read" "write" "exec"))
    (type $wide (flags "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" ))
    (export $point' "point" (type $point))
    (export $perm' "perm" (type $perm))
    (export $wide' "wide" (type $wide))
    (core module $m
      (func (export "take") (param i32 i32 i64 i32 i32 i32 f32) (result i32)
        (if (i32.eq (local.get 3) (i32.const 5)) (then unreachable))
        (local.get 1)))
    (core instance $i (instantiate $m))
    (func (export "take") (param "p" $point') (param "q" $perm') (param "w" $wide')
      (param "t" (tuple u16 f32)) (result $perm')
      (canon lift (core func $i "take"))))
  (instance $lib (instantiate $lib))
  (core func $take (canon lower (func $lib "take")))
  (core module $main
    (import "" "take" (func $take (param i32 i32 i64 i32 i32 i32 f32) (result i32)))
    (func (export "go") (param i32) (result i32)
      (call $take (i32.const -1) (i32.const 0x12345) (i64.const 3) (local.get 0)
        (i32.const -1) (i32.const 0x10001) (f32.const 1.5))))
  (core instance $main (instantiate $main (with "" (instance (export "take" (func $take))))))
  (func (export "go") (param "x" u32) (result u32) (canon lift (core func $main "go"))))
