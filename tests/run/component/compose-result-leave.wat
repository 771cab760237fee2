;; The caller's `may_leave` while a fused adapter lowers results into it:
;; cleared while the caller's `realloc` runs (a `realloc` that calls an
;; import traps "cannot leave component instance", in the frames Wasmtime
;; 49 shows), and set again once the results are lowered, whether the
;; `realloc` ran (`some-then-ping`) or the result needed none
;; (`none-then-ping`: an `option<string>` that is `none`). The callee
;; returns `none`, `some("abcdefg")` or `some("abc")` by mode; the caller's
;; `realloc` calls `ping` (an import) when asked for 7 bytes.
;; kiln-test: invoke = "leaves()"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "none-then-ping()"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "some-then-ping()"
;; kiln-test: expect = "3"
(component
  (core module $host (func (export "ping")))
  (core instance $host (instantiate $host))
  (func $ping (canon lift (core func $host "ping")))

  (component $callee
    (core module $m
      (memory (export "memory") 1)
      (data (i32.const 0x200) "abcdefg")
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      ;; The `option<string>` at 0x100: mode 0 `none`, 1 seven bytes, 2 three.
      (func (export "get") (param $mode i32) (result i32)
        (i32.store8 (i32.const 0x100) (i32.ne (local.get $mode) (i32.const 0)))
        (i32.store (i32.const 0x104) (i32.const 0x200))
        (i32.store (i32.const 0x108)
          (select (i32.const 7) (i32.const 3) (i32.eq (local.get $mode) (i32.const 1))))
        (i32.const 0x100)))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "get") (param "mode" u32) (result (option string))
      (canon lift (core func $i "get") (memory $mem) (realloc $realloc))))
  (instance $c (instantiate $callee))

  (component $caller
    (import "ping" (func $ping))
    (import "get" (func $get (param "mode" u32) (result (option string))))
    (core func $ping (canon lower (func $ping)))
    (core module $mem
      (import "" "ping" (func $ping))
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      ;; Calls `ping` (an import) when asked to allocate 7 bytes.
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (i32.eq (local.get 3) (i32.const 7)) (then (call $ping)))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p)))
    (core instance $mem (instantiate $mem (with "" (instance (export "ping" (func $ping))))))
    (alias core export $mem "memory" (core memory $memory))
    (alias core export $mem "realloc" (core func $realloc))
    (core func $get (canon lower (func $get) (memory $memory) (realloc $realloc)))
    (core module $main
      (import "" "memory" (memory 1))
      (import "" "get" (func $get (param i32 i32)))
      (import "" "ping" (func $ping))
      (func (export "leaves") (result i32)
        (call $get (i32.const 1) (i32.const 0x100))
        (i32.const 0))
      ;; `none`: its discriminant (0) plus 10, after a call of `ping`.
      (func (export "none-then-ping") (result i32)
        (call $get (i32.const 0) (i32.const 0x100))
        (call $ping)
        (i32.add (i32.load8_u (i32.const 0x100)) (i32.const 10)))
      ;; `some("abc")`: its length, after a call of `ping`.
      (func (export "some-then-ping") (result i32)
        (call $get (i32.const 2) (i32.const 0x100))
        (call $ping)
        (i32.load (i32.const 0x108))))
    (core instance $main (instantiate $main (with "" (instance
      (export "memory" (memory $memory)) (export "get" (func $get)) (export "ping" (func $ping))))))
    (func (export "leaves") (result u32) (canon lift (core func $main "leaves")))
    (func (export "none-then-ping") (result u32) (canon lift (core func $main "none-then-ping")))
    (func (export "some-then-ping") (result u32) (canon lift (core func $main "some-then-ping"))))
  (instance $caller (instantiate $caller (with "ping" (func $ping)) (with "get" (func $c "get"))))
  (export "leaves" (func $caller "leaves"))
  (export "none-then-ping" (func $caller "none-then-ping"))
  (export "some-then-ping" (func $caller "some-then-ping"))
)
