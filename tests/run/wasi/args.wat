;; args_sizes_get/args_get: prints argc, then each argument on its own line
;; (argv[0] is the program name: the executable's name for `kiln build`).
;; Arguments with spaces and empty ones arrive intact.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0..8: iovec, 8..12: nwritten, 12..16: argc, 16..20: buf size,
  ;; 32: newline, 1024..: argv pointers, 4096..: argv strings.
  (data (i32.const 32) "\n")
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))
  (func (export "_start")
    (local $i i32) (local $p i32)
    (drop (call $args_sizes_get (i32.const 12) (i32.const 16)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    ;; argc as one digit (tests pass fewer than 10 arguments).
    (i32.store8 (i32.const 40) (i32.add (i32.const 48) (i32.load (i32.const 12))))
    (call $write (i32.const 40) (i32.const 1))
    (call $write (i32.const 32) (i32.const 1))
    ;; Skip argv[0]: its value differs between `kiln build` and `wasmtime run`.
    (local.set $i (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 12))))
        (local.set $p (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (call $write (i32.const 36) (i32.const 1))
        (call $write (local.get $p) (call $strlen (local.get $p)))
        (call $write (i32.const 37) (i32.const 1))
        (call $write (i32.const 32) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  (data (i32.const 36) "[]"))
;; kiln-test: args = "one two --dir -S x"
;; kiln-test: stdout = "6\n[one]\n[two]\n[--dir]\n[-S]\n[x]\n"
