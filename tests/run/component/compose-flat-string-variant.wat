;; A variant passed flat (in core values) through a fused adapter whose
;; payloads include a string and a list: as in Wasmtime's adapters, a
;; `br_table` on the discriminant branches into a block per case, and the
;; case's code moves the string or list (the callee's `realloc`, the copy
;; or transcoding) and pushes its pointer and length as the block's
;; results, which stay on the stack for the callee's call. The caller's
;; core code passes the raw values: a string transcoded from UTF-8 to
;; UTF-16 (out of bounds, invalid UTF-8), a list of `u16` (misaligned, out
;; of bounds), a `u64`, a bad discriminant.
;; kiln-test: invoke = "joined(0,16,5)"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "joined(0,65534,5)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "joined(0,32,2)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf8 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "joined(1,48,3)"
;; kiln-test: expect = "103"
;; kiln-test: invoke = "joined(1,49,3)"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "joined(1,65532,3)"
;; kiln-test: trap = "list content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "joined(2,7,0)"
;; kiln-test: expect = "200"
;; kiln-test: invoke = "joined(4,0,0)"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
(component
  (component $callee
    (type $v (variant (case "s" string) (case "l" (list u16)) (case "n" u64) (case "none")))
    (export $v' "v" (type $v))
    (core module $m
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $next (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      ;; 100 times the discriminant plus the payload's length.
      (func (export "take") (param i32 i64 i32) (result i32)
        (i32.add (i32.mul (local.get 0) (i32.const 100))
                 (select (local.get 2) (i32.const 0) (i32.lt_u (local.get 0) (i32.const 2)))))
    )
    (core instance $i (instantiate $m))
    (func (export "take") (param "v" $v') (result u32)
      (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))
        string-encoding=utf16)))
  (instance $c (instantiate $callee))
  (type $v (variant (case "s" string) (case "l" (list u16)) (case "n" u64) (case "none")))
  (export $v' "v" (type $v))
  (core module $mem
    (memory (export "mem") 1)
    (data (i32.const 16) "hello")
    (data (i32.const 32) "\ff\fe")
    (data (i32.const 48) "\01\00\02\00\03\00"))
  (core instance $mi (instantiate $mem))
  (core func $take (canon lower (func $c "take") (memory (core memory $mi "mem"))))
  (core module $fwd
    (import "" "take" (func $take (param i32 i64 i32) (result i32)))
    ;; The core values as the caller passes them, unchecked.
    (func (export "joined") (param i32 i32 i32) (result i32)
      (call $take (local.get 0) (i64.extend_i32_u (local.get 1)) (local.get 2))))
  (core instance $f (instantiate $fwd (with "" (instance (export "take" (func $take))))))
  (func (export "joined") (param "d" u32) (param "p" u32) (param "n" u32) (result u32)
    (canon lift (core func $f "joined")))
)
