;; Backtraces through fused adapters, as Wasmtime 49 prints them but for
;; the adapters' own frames (Kiln's `kiln-adapter![adapter]f`, Wasmtime's
;; adapter module's `<wasm function N>`; see `tests/all/adapter_frames.rs`):
;; `add`, `mix`, `noop` and `counted`, with flat scalars of every width, a
;; bool, a callee that traps, and a `post-return` that traps.
;; kiln-test: invoke = "add-traps()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "mix-traps()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "post-traps()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "add-ok()"
;; kiln-test: expect = "3"
(component
  (component $lib
    (core module $m
      (global $posts (mut i32) (i32.const 0))
      (func (export "add") (param i32 i32) (result i32)
        (if (i32.eqz (local.get 1)) (then unreachable))
        (i32.add (local.get 0) (local.get 1)))
      (func (export "mix") (param i32 i64 f32 f64 i32 i32) (result f64)
        (if (local.get 0) (then unreachable))
        (f64.add (local.get 3) (f64.convert_i64_u (local.get 1))))
      (func (export "noop"))
      (func (export "post") (param i32)
        (if (i32.eq (local.get 0) (i32.const 7)) (then unreachable)))
      (func (export "seven") (param i32) (result i32) (local.get 0)))
    (core instance $i (instantiate $m))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $i "add")))
    (func (export "mix") (param "t" bool) (param "b" u64) (param "c" f32) (param "d" f64)
      (param "e" u8) (param "f" s32) (result f64)
      (canon lift (core func $i "mix")))
    (func (export "noop") (canon lift (core func $i "noop")))
    (func (export "counted") (param "x" u32) (result u32)
      (canon lift (core func $i "seven") (post-return (core func $i "post")))))
  (instance $lib (instantiate $lib))
  (core func $add (canon lower (func $lib "add")))
  (core func $mix (canon lower (func $lib "mix")))
  (core func $noop (canon lower (func $lib "noop")))
  (core func $counted (canon lower (func $lib "counted")))
  (core module $main
    (import "" "add" (func $add (param i32 i32) (result i32)))
    (import "" "mix" (func $mix (param i32 i64 f32 f64 i32 i32) (result f64)))
    (import "" "noop" (func $noop))
    (import "" "counted" (func $counted (param i32) (result i32)))
    (func (export "add-traps") (result i32) (call $add (i32.const 1) (i32.const 0)))
    (func (export "mix-traps") (result f64)
      (call $noop)
      (call $mix (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 5) (i32.const 6)))
    (func (export "post-traps") (result i32) (call $counted (i32.const 7)))
    (func (export "add-ok") (result i32) (call $add (i32.const 1) (i32.const 2))))
  (core instance $main (instantiate $main (with "" (instance
    (export "add" (func $add)) (export "mix" (func $mix)) (export "noop" (func $noop))
    (export "counted" (func $counted))))))
  (func (export "add-traps") (result u32) (canon lift (core func $main "add-traps")))
  (func (export "mix-traps") (result f64) (canon lift (core func $main "mix-traps")))
  (func (export "post-traps") (result u32) (canon lift (core func $main "post-traps")))
  (func (export "add-ok") (result u32) (canon lift (core func $main "add-ok"))))
