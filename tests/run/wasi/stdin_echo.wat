;; fd_read from stdin until EOF, echoing to stdout; returns the number of
;; bytes as the exit status through proc_exit.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0..8 read iovec {1024, 7}, 8: nread, 16..24 write iovec, 24: nwritten.
  (func (export "_start")
    (local $total i32)
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 7))
    (block $eof
      (loop $more
        (br_if $eof (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $eof (i32.eqz (i32.load (i32.const 8))))
        (local.set $total (i32.add (local.get $total) (i32.load (i32.const 8))))
        (i32.store (i32.const 16) (i32.const 1024))
        (i32.store (i32.const 20) (i32.load (i32.const 8)))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        (br $more)))
    (call $proc_exit (local.get $total))))
;; kiln-test: stdin = "hello\nworld, this is more than seven bytes\n"
;; kiln-test: stdout = "hello\nworld, this is more than seven bytes\n"
;; kiln-test: exit = 43
