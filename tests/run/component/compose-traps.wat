;; Fused adapter checks, each a wasm trap with Wasmtime's words: a
;; component calling a function it lifted itself through an adapter
;; (re-entrance), a `char` that is not a Unicode scalar value, a string or
;; list past the end of memory, a discriminant past the cases, a misaligned
;; list, and guest code leaving the callee while the adapter has cleared its
;; `may_leave` (its `realloc` during the arguments' lowering). Like Wasmtime
;; 49, an adapter's `post-return` may call imports; it runs after every call
;; (`count`). Also like Wasmtime 49, only an adapter within one instance is
;; re-entrance: the root may call `$child`, which calls back into a function
;; the root lifted while the root is on the stack (`reenter-parent`). The
;; `ping` adapter's failed `may_leave` test is reported in its own frame,
;; and the adapter calling the `realloc` below the `realloc`'s. Every trap
;; has Wasmtime's whole stderr, frames included (the adapters' own aside).
;; kiln-test: invoke = "self()"
;; kiln-test: trap = "cannot enter component instance"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-char()"
;; kiln-test: trap = "invalid `char` bit pattern"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-string()"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-list()"
;; kiln-test: trap = "list content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "unaligned-list()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-discriminant()"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "realloc-leaves()"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "post-return-calls-import()"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "count()"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "reenter-parent()"
;; kiln-test: expect = "105"
(component
  (component $callee
    (import "ping" (func $ping))
    (core func $ping (canon lower (func $ping)))
    (core module $m
      (import "" "ping" (func $ping))
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (global $posts (mut i32) (i32.const 0))
      ;; Calls `ping` (an import) when asked to allocate 7 bytes.
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (i32.eq (local.get 3) (i32.const 7)) (then (call $ping)))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "id") (param i32) (result i32) (local.get 0))
      (func (export "len") (param i32 i32) (result i32) (local.get 1))
      (func (export "posts") (result i32) (global.get $posts))
      (func (export "post") (param i32) (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
      ;; Post-return of `leave`: calls the import.
      (func (export "post-leave") (param i32) (call $ping)))
    (core instance $i (instantiate $m (with "" (instance (export "ping" (func $ping))))))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (type $v (variant (case "a") (case "b" u32)))
    (export $v' "v" (type $v))
    (func (export "char") (param "c" char) (result u32) (canon lift (core func $i "id")))
    (func (export "string") (param "s" string) (result u32)
      (canon lift (core func $i "len") (memory $mem) (realloc $realloc)))
    (func (export "list") (param "l" (list u32)) (result u32)
      (canon lift (core func $i "len") (memory $mem) (realloc $realloc)))
    (func (export "variant") (param "v" $v') (result u32) (canon lift (core func $i "len")))
    (func (export "counted") (param "x" u32) (result u32)
      (canon lift (core func $i "id") (post-return (core func $i "post"))))
    (func (export "posts") (result u32) (canon lift (core func $i "posts")))
    (func (export "leave") (param "x" u32) (result u32)
      (canon lift (core func $i "id") (post-return (core func $i "post-leave"))))
  )
  (core module $host (func (export "ping")))
  (core instance $host (instantiate $host))
  (func $ping (canon lift (core func $host "ping")))
  (instance $c (instantiate $callee (with "ping" (func $ping))))

  (core module $mem (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $char (canon lower (func $c "char")))
  (core func $string (canon lower (func $c "string") (memory $memory)))
  (core func $list (canon lower (func $c "list") (memory $memory)))
  (core func $variant (canon lower (func $c "variant")))
  (core func $counted (canon lower (func $c "counted")))
  (core func $posts (canon lower (func $c "posts")))
  (core func $leave (canon lower (func $c "leave")))

  ;; `seven` is lifted and lowered here: calling it re-enters this instance.
  (core module $seven (func (export "seven") (result i32) (i32.const 7)))
  (core instance $seven (instantiate $seven))
  (func $seven (result u32) (canon lift (core func $seven "seven")))
  (core func $seven-lowered (canon lower (func $seven)))

  (core module $main
    (import "" "memory" (memory 1))
    (import "" "seven" (func $seven (result i32)))
    (import "" "char" (func $char (param i32) (result i32)))
    (import "" "string" (func $string (param i32 i32) (result i32)))
    (import "" "list" (func $list (param i32 i32) (result i32)))
    (import "" "variant" (func $variant (param i32 i32) (result i32)))
    (import "" "counted" (func $counted (param i32) (result i32)))
    (import "" "posts" (func $posts (result i32)))
    (import "" "leave" (func $leave (param i32) (result i32)))
    (func (export "self") (result i32) (call $seven))
    (func (export "bad-char") (result i32) (call $char (i32.const 0xd800)))
    (func (export "bad-string") (result i32) (call $string (i32.const 65530) (i32.const 10)))
    (func (export "bad-list") (result i32) (call $list (i32.const 65528) (i32.const 3)))
    (func (export "unaligned-list") (result i32) (call $list (i32.const 2) (i32.const 1)))
    (func (export "bad-discriminant") (result i32) (call $variant (i32.const 2) (i32.const 0)))
    ;; The callee's realloc calls an import for this 7-byte string.
    (func (export "realloc-leaves") (result i32) (call $string (i32.const 0) (i32.const 7)))
    (func (export "post-return-calls-import") (result i32) (call $leave (i32.const 1)))
    (func (export "count") (result i32)
      (drop (call $counted (i32.const 1)))
      (drop (call $counted (i32.const 2)))
      (drop (call $counted (i32.const 3)))
      (call $posts)))
  (core instance $main (instantiate $main (with "" (instance
    (export "memory" (memory $memory)) (export "seven" (func $seven-lowered))
    (export "char" (func $char)) (export "string" (func $string)) (export "list" (func $list))
    (export "variant" (func $variant)) (export "counted" (func $counted))
    (export "posts" (func $posts)) (export "leave" (func $leave))))))
  (func (export "self") (result u32) (canon lift (core func $main "self")))
  (func (export "bad-char") (result u32) (canon lift (core func $main "bad-char")))
  (func (export "bad-string") (result u32) (canon lift (core func $main "bad-string")))
  (func (export "bad-list") (result u32) (canon lift (core func $main "bad-list")))
  (func (export "unaligned-list") (result u32) (canon lift (core func $main "unaligned-list")))
  (func (export "bad-discriminant") (result u32) (canon lift (core func $main "bad-discriminant")))
  (func (export "realloc-leaves") (result u32) (canon lift (core func $main "realloc-leaves")))
  (func (export "post-return-calls-import") (result u32) (canon lift (core func $main "post-return-calls-import")))
  (func (export "count") (result u32) (canon lift (core func $main "count")))

  ;; `$child` calls `five`, lifted by the root, from its own export.
  (core module $five (func (export "five") (result i32) (i32.const 5)))
  (core instance $five (instantiate $five))
  (func $five (result u32) (canon lift (core func $five "five")))
  (component $child
    (import "five" (func $five (result u32)))
    (core func $five (canon lower (func $five)))
    (core module $m (import "" "five" (func $five (result i32)))
      (func (export "hundred-five") (result i32) (i32.add (call $five) (i32.const 100))))
    (core instance $i (instantiate $m (with "" (instance (export "five" (func $five))))))
    (func (export "hundred-five") (result u32) (canon lift (core func $i "hundred-five"))))
  (instance $child (instantiate $child (with "five" (func $five))))
  (core func $hundred-five (canon lower (func $child "hundred-five")))
  (core module $reenter (import "" "f" (func $f (result i32))) (func (export "go") (result i32) (call $f)))
  (core instance $reenter (instantiate $reenter (with "" (instance (export "f" (func $hundred-five))))))
  (func (export "reenter-parent") (result u32) (canon lift (core func $reenter "go")))
)
