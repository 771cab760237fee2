;; WASI P1 with a 4 GiB memory (65536 pages): iovec arrays and buffers at
;; the very end of memory. Guest addresses are u32; an address computed
;; from a guest pointer that passes 2^32 is wiggle's `Pointer overflow`
;; (exit 1), never an access at guest address 0 (regression: an iovec at
;; 0xFFFFFFFC took its length from address 0 and the call went through).
;; A buffer past the end is `Pointer out of bounds`; one that ends exactly
;; at 2^32 is fine.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "file")
  ;; Grows to 4 GiB; a wrapped access would find the length 5 at address 0
  ;; and the buffer "oops\n" at address 16.
  (func $grow
    (if (i32.ne (memory.grow (i32.const 65535)) (i32.const 1)) (then unreachable))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 5))
    (i64.store (i32.const 16) (i64.const 0x0a73706f6f)))
  ;; Opens the fixture's `file` (read-only), returns its descriptor.
  (func $file (result i32)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 0)
          (i64.const 0x26) (i64.const 0) (i32.const 0) (i32.const 80))
      (then unreachable))
    (i32.load (i32.const 80)))
  ;; One iovec at 0xFFFFFFFC: its `buf` is the last word of memory, its
  ;; `buf_len` would be at 2^32.
  (func $iovec_at_end (i32.store (i32.const -4) (i32.const 16)))
  ;; An iovec at 32 for `len` bytes at `ptr`.
  (func $iovec (param $ptr i32) (param $len i32)
    (i32.store (i32.const 32) (local.get $ptr))
    (i32.store (i32.const 36) (local.get $len)))
  (func (export "fd_write_iovec") (result i32)
    (call $grow) (call $iovec_at_end)
    (call $fd_write (i32.const 1) (i32.const -4) (i32.const 1) (i32.const 48)))
  ;; Two iovecs at 0xFFFFFFF8: the first is empty, the second would be at 2^32.
  (func (export "fd_write_second_iovec") (result i32)
    (call $grow)
    (i64.store (i32.const -8) (i64.const 0))
    (call $fd_write (i32.const 1) (i32.const -8) (i32.const 2) (i32.const 48)))
  (func (export "fd_read_iovec") (result i32)
    (call $grow) (call $iovec_at_end)
    (call $fd_read (i32.const 0) (i32.const -4) (i32.const 1) (i32.const 48)))
  (func (export "fd_pread_iovec") (result i32)
    (call $grow) (call $iovec_at_end)
    (call $fd_pread (call $file) (i32.const -4) (i32.const 1) (i64.const 0) (i32.const 48)))
  (func (export "fd_pwrite_iovec") (result i32)
    (call $grow) (call $iovec_at_end)
    (call $fd_pwrite (i32.const 1) (i32.const -4) (i32.const 1) (i64.const 0) (i32.const 48)))
  ;; The buffer itself: 16 bytes ending exactly at 2^32 are written; 32
  ;; bytes from the same start are out of bounds.
  (func (export "fd_write_buffer_to_end") (result i32)
    (call $grow)
    (i64.store (i32.const -16) (i64.const 0x6d20666f20646e65))
    (i64.store (i32.const -8) (i64.const 0x0a212179726f6d65))
    (call $iovec (i32.const -16) (i32.const 16))
    (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 48)))
  (func (export "fd_write_buffer_past_end") (result i32)
    (call $grow) (call $iovec (i32.const -16) (i32.const 32))
    (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 48)))
  (func (export "fd_read_file_past_end") (result i32)
    (call $grow) (call $iovec (i32.const -16) (i32.const 32))
    (call $fd_read (call $file) (i32.const 32) (i32.const 1) (i32.const 48)))
  ;; A file read into a buffer ending at 2^32 reads (`fixture file\n` is 13
  ;; bytes); the result is errno * 1000 + bytes read.
  (func (export "fd_read_file_to_end") (result i32)
    (call $grow) (call $iovec (i32.const -16) (i32.const 16))
    (i32.add (i32.mul (call $fd_read (call $file) (i32.const 32) (i32.const 1) (i32.const 48)) (i32.const 1000))
      (i32.load (i32.const 48))))
  (func (export "fd_pread_file_to_end") (result i32)
    (call $grow) (call $iovec (i32.const -13) (i32.const 13))
    (i32.add (i32.mul (call $fd_pread (call $file) (i32.const 32) (i32.const 1) (i64.const 0) (i32.const 48)) (i32.const 1000))
      (i32.load8_u (i32.const -2))))
  ;; stdin is a stream: what was read is copied afterwards, so only the
  ;; bytes actually read must fit (none at end of input).
  (func (export "fd_read_stdin_past_end") (result i32)
    (call $grow) (call $iovec (i32.const -3) (i32.const 10))
    (i32.add (i32.mul (call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 48)) (i32.const 1000))
      (i32.load (i32.const 48))))
  ;; No P1 socket exists: the descriptor check comes before any pointer.
  (func (export "sock_recv") (result i32)
    (call $grow) (call $iovec_at_end)
    (call $sock_recv (i32.const 1) (i32.const -4) (i32.const 1) (i32.const 0) (i32.const -2) (i32.const -1)))
  (func (export "sock_send") (result i32)
    (call $grow) (call $iovec_at_end)
    (call $sock_send (i32.const 1) (i32.const -4) (i32.const 1) (i32.const 0) (i32.const -2)))
  (func (export "sock_accept") (result i32)
    (call $grow)
    (call $sock_accept (i32.const 3) (i32.const 0) (i32.const -2))))
;; kiln-test: flags = "--dir tests/run/wasi/p1_4gib_fixture::/d"
;; kiln-test: invoke = "fd_write_iovec"
;; kiln-test: exit = 1
;; kiln-test: stdout = ""
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_write_second_iovec"
;; kiln-test: exit = 1
;; kiln-test: stdout = ""
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_read_iovec"
;; kiln-test: stdin = "input"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_pread_iovec"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_pwrite_iovec"
;; kiln-test: exit = 1
;; kiln-test: stdout = ""
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_write_buffer_to_end"
;; kiln-test: stdout = "end of memory!!\n0\n"
;; kiln-test: invoke = "fd_write_buffer_past_end"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967280, len: 32 }\n\n"
;; kiln-test: invoke = "fd_read_file_past_end"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967280, len: 32 }\n\n"
;; kiln-test: invoke = "fd_read_file_to_end"
;; kiln-test: expect = "13"
;; kiln-test: invoke = "fd_pread_file_to_end"
;; kiln-test: expect = "101"
;; kiln-test: invoke = "fd_read_stdin_past_end"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_read_stdin_past_end"
;; kiln-test: stdin = "abc"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "fd_read_stdin_past_end"
;; kiln-test: stdin = "abcdefgh"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967293, len: 8 }\n\n"
;; kiln-test: invoke = "sock_recv"
;; kiln-test: expect = "57"
;; kiln-test: invoke = "sock_send"
;; kiln-test: expect = "57"
;; kiln-test: invoke = "sock_accept"
;; kiln-test: expect = "57"
