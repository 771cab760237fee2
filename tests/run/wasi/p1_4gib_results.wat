;; WASI P1 with a 4 GiB memory (65536 pages): results written at the very
;; end of memory. Records are written field by field, as wiggle does: a
;; field whose address passes 2^32 is `Pointer overflow` in wiggle's
;; `In func ... at write <type>` context (regression: `fd_fdstat_get` and
;; `fd_prestat_get` wrapped around and wrote at guest address 0). A scalar
;; result past the end (unaligned, since an aligned one always fits) is
;; `Pointer out of bounds`.
(module
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "file")
  ;; Grows to 4 GiB; a wrapped write would change the marker at address 0.
  (func $grow
    (if (i32.ne (memory.grow (i32.const 65535)) (i32.const 1)) (then unreachable))
    (i64.store (i32.const 0) (i64.const 0x0123456789abcdef))
    (i64.store (i32.const 8) (i64.const 0x0123456789abcdef)))
  ;; Opens the fixture's `file` (read-only), returns its descriptor.
  (func $file (result i32)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 0)
          (i64.const 0x26) (i64.const 0) (i32.const 0) (i32.const 80))
      (then unreachable))
    (i32.load (i32.const 80)))
  ;; `fdstat` (24 bytes, fields at 0, 2, 8, 16) at `ptr`.
  (func (export "fd_fdstat_get") (param $ptr i32) (result i32)
    (call $grow) (call $fd_fdstat_get (i32.const 1) (local.get $ptr)))
  ;; `prestat` (8 bytes, fields at 0 and 4) at `ptr`; the marker at 0 is
  ;; intact after a success.
  (func (export "fd_prestat_get") (param $ptr i32) (result i32)
    (call $grow)
    (i32.add (call $fd_prestat_get (i32.const 3) (local.get $ptr))
      (i32.wrap_i64 (i64.sub (i64.load (i32.const 0)) (i64.const 0x0123456789abcdef)))))
  ;; `filestat` (64 bytes, fields at 0, 8, 16, 24, ...) at `ptr`.
  (func (export "fd_filestat_get") (param $ptr i32) (result i32)
    (call $grow) (call $fd_filestat_get (i32.const 1) (local.get $ptr)))
  (func (export "path_filestat_get") (param $ptr i32) (result i32)
    (call $grow)
    (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 4) (local.get $ptr)))
  (func (export "fd_seek") (param $ptr i32) (result i32)
    (call $grow) (call $fd_seek (call $file) (i64.const 3) (i32.const 0) (local.get $ptr)))
  (func (export "fd_tell") (param $ptr i32) (result i32)
    (call $grow) (call $fd_tell (call $file) (local.get $ptr)))
  (func (export "path_open") (param $ptr i32) (result i32)
    (call $grow)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 0)
      (i64.const 0x26) (i64.const 0) (i32.const 0) (local.get $ptr)))
  ;; `nread`/`nwritten` with an empty iovec at 32.
  (func (export "fd_read") (param $ptr i32) (result i32)
    (call $grow) (call $fd_read (call $file) (i32.const 32) (i32.const 1) (local.get $ptr)))
  (func (export "fd_write") (param $ptr i32) (result i32)
    (call $grow) (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (local.get $ptr)))
  (func (export "fd_readdir") (param $ptr i32) (result i32)
    (call $grow) (call $fd_readdir (i32.const 3) (i32.const 128) (i32.const 64) (i64.const 0) (local.get $ptr)))
  (func (export "args_sizes_get") (param $ptr i32) (result i32)
    (call $grow) (call $args_sizes_get (i32.const 32) (local.get $ptr)))
  (func (export "environ_sizes_get") (param $ptr i32) (result i32)
    (call $grow) (call $environ_sizes_get (local.get $ptr) (i32.const 32)))
  (func (export "clock_time_get") (param $ptr i32) (result i32)
    (call $grow) (call $clock_time_get (i32.const 1) (i64.const 0) (local.get $ptr)))
  (func (export "clock_res_get") (param $ptr i32) (result i32)
    (call $grow) (call $clock_res_get (i32.const 1) (local.get $ptr)))
  ;; One subscription at 256 (stdout writable), `nevents` at `ptr`.
  (func (export "poll_oneoff_nevents") (param $ptr i32) (result i32)
    (call $grow)
    (i32.store8 (i32.const 264) (i32.const 2))
    (i32.store (i32.const 272) (i32.const 1))
    (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (local.get $ptr))))
;; kiln-test: flags = "--dir tests/run/wasi/p1_4gib_fixture::/d"
;; kiln-test: invoke = "fd_fdstat_get -16"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_fdstat_get at write fdstat: Pointer overflow\n    3: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_fdstat_get -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_fdstat_get at write fdstat: Pointer overflow\n    3: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_fdstat_get -24"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_prestat_get -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_prestat_get at write prestat: Pointer overflow\n    3: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_prestat_get -8"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_filestat_get -8"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_filestat_get at write filestat: Pointer overflow\n    3: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_filestat_get -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_filestat_get at write filestat: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n    3: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n\n"
;; kiln-test: invoke = "path_filestat_get -32"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::path_filestat_get at write filestat: Pointer overflow\n    3: Pointer overflow\n\n"
;; kiln-test: invoke = "path_filestat_get -64"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_seek -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_seek at write filesize: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n    3: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n\n"
;; kiln-test: invoke = "fd_seek -8"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_tell -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_tell at write filesize: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n    3: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n\n"
;; kiln-test: invoke = "path_open -2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::path_open at write fd: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n    3: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "path_open -4"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_read -2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_read at write size: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n    3: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "fd_write -2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_write at write size: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n    3: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "fd_readdir -2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::fd_readdir at write size: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n    3: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "args_sizes_get -2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::args_sizes_get at write size: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n    3: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "environ_sizes_get -2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::environ_sizes_get at write size: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n    3: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "clock_time_get -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::clock_time_get at write timestamp: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n    3: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n\n"
;; kiln-test: invoke = "clock_res_get -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::clock_res_get at write timestamp: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n    3: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n\n"
;; kiln-test: invoke = "clock_time_get -8"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "poll_oneoff_nevents -2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: In func wasi_snapshot_preview1::poll_oneoff at write size: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n    3: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
