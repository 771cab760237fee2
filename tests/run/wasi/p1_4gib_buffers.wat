;; WASI P1 with a 4 GiB memory (65536 pages): buffers and arrays the host
;; fills or reads at the very end of memory. wasmtime copies strings, names,
;; directory entries and random bytes piece by piece and computes the
;; address after each piece: a piece ending exactly at 2^32 fits but its
;; end is `Pointer overflow` (regression: Kiln wrapped `fd_readdir`'s
;; output pointer to guest address 0 and ignored the end address
;; elsewhere). A piece past the end is `Pointer out of bounds`.
(module
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "link")
  (func $grow
    (if (i32.ne (memory.grow (i32.const 65535)) (i32.const 1)) (then unreachable)))
  ;; Directory entries of the preopen (`.` and `..` come first, 24-byte
  ;; headers) into `len` bytes at `ptr`; returns errno * 1000 + bufused.
  (func (export "fd_readdir") (param $ptr i32) (param $len i32) (result i32)
    (call $grow)
    (i32.add (i32.mul (call $fd_readdir (i32.const 3) (local.get $ptr) (local.get $len) (i64.const 0) (i32.const 32)) (i32.const 1000))
      (i32.load (i32.const 32))))
  ;; The argv array at `ptr`, the strings at 4096.
  (func (export "args_get_argv") (param $ptr i32) (result i32)
    (call $grow) (call $args_get (local.get $ptr) (i32.const 4096)))
  ;; The strings end `slack` bytes before 2^32 (sizes from args_sizes_get).
  (func (export "args_get_buf") (param $slack i32) (result i32)
    (call $grow)
    (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
    (call $args_get (i32.const 1024)
      (i32.sub (i32.sub (i32.const 0) (i32.load (i32.const 36))) (local.get $slack))))
  (func (export "environ_get_environ") (param $ptr i32) (result i32)
    (call $grow) (call $environ_get (local.get $ptr) (i32.const 4096)))
  (func (export "environ_get_buf") (param $slack i32) (result i32)
    (call $grow)
    (drop (call $environ_sizes_get (i32.const 32) (i32.const 36)))
    (call $environ_get (i32.const 1024)
      (i32.sub (i32.sub (i32.const 0) (i32.load (i32.const 36))) (local.get $slack))))
  ;; environ_get with the strings at `ptr` (the array at 1024).
  (func (export "environ_get_at") (param $ptr i32) (result i32)
    (call $grow) (call $environ_get (i32.const 1024) (local.get $ptr)))
  (func (export "random_get") (param $ptr i32) (param $len i32) (result i32)
    (call $grow) (call $random_get (local.get $ptr) (local.get $len)))
  ;; The preopen's name is `/d` (2 bytes); only the name's bytes must fit,
  ;; whatever the buffer length.
  (func (export "fd_prestat_dir_name") (param $ptr i32) (param $len i32) (result i32)
    (call $grow) (call $fd_prestat_dir_name (i32.const 3) (local.get $ptr) (local.get $len)))
  ;; The fixture's `link` points to `file` (4 bytes).
  (func (export "path_readlink") (param $ptr i32) (param $len i32) (result i32)
    (call $grow)
    (call $path_readlink (i32.const 3) (i32.const 64) (i32.const 4) (local.get $ptr) (local.get $len) (i32.const 32)))
  ;; Path strings: `len` bytes at `ptr`, a copy of "link" at the end of memory.
  (func $path_at_end (i32.store (i32.const -4) (i32.load (i32.const 64))))
  (func (export "path_open") (param $ptr i32) (param $len i32) (result i32)
    (call $grow) (call $path_at_end)
    (call $path_open (i32.const 3) (i32.const 1) (local.get $ptr) (local.get $len) (i32.const 0)
      (i64.const 0x26) (i64.const 0) (i32.const 0) (i32.const 32)))
  (func (export "path_filestat_get") (param $ptr i32) (param $len i32) (result i32)
    (call $grow) (call $path_at_end)
    (call $path_filestat_get (i32.const 3) (i32.const 0) (local.get $ptr) (local.get $len) (i32.const 128)))
  (func (export "path_create_directory") (param $ptr i32) (param $len i32) (result i32)
    (call $grow) (call $path_at_end)
    (call $path_create_directory (i32.const 3) (local.get $ptr) (local.get $len)))
  (func (export "path_unlink_file") (param $ptr i32) (param $len i32) (result i32)
    (call $grow) (call $path_at_end)
    (call $path_unlink_file (i32.const 3) (local.get $ptr) (local.get $len)))
  ;; `n` subscriptions "stdout writable" (48 bytes each) at `in`, events
  ;; (32 bytes each) at `out`.
  (func (export "poll_oneoff") (param $in i32) (param $out i32) (param $n i32) (result i32)
    (local $i i32) (local $sub i32)
    (call $grow)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sub (i32.add (local.get $in) (i32.mul (local.get $i) (i32.const 48))))
        (i64.store (local.get $sub) (i64.extend_i32_u (local.get $i)))
        (i32.store8 (i32.add (local.get $sub) (i32.const 8)) (i32.const 2))
        (i32.store (i32.add (local.get $sub) (i32.const 16)) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $poll_oneoff (local.get $in) (local.get $out) (local.get $n) (i32.const 32))))
;; kiln-test: flags = "--dir tests/run/wasi/p1_4gib_fixture::/d --env A=xyz --env B="
;; `.`'s 24-byte header ends exactly at 2^32: its end address overflows.
;; kiln-test: invoke = "fd_readdir -16 16"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_readdir -24 24"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; `.` (25 bytes) fits, `..`'s header is cut to the 15 bytes left, past the end.
;; kiln-test: invoke = "fd_readdir -30 40"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967291, len: 15 }\n\n"
;; kiln-test: invoke = "fd_readdir -16 8"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "args_get_argv -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "args_get_buf 0"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "args_get_buf 1"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "environ_get_environ -4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "environ_get_buf 0"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "environ_get_buf 1"
;; kiln-test: expect = "0"
;; The name, `=` and the value are separate pieces: `xyz` is the one past the end.
;; kiln-test: invoke = "environ_get_at -3"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967295, len: 3 }\n\n"
;; kiln-test: invoke = "random_get -8 8"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "random_get -16 32"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967280, len: 32 }\n\n"
;; kiln-test: invoke = "random_get -16 8"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "random_get -1 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_prestat_dir_name -2 2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_prestat_dir_name -2 100"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "fd_prestat_dir_name -1 100"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967295, len: 2 }\n\n"
;; kiln-test: invoke = "fd_prestat_dir_name -3 100"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fd_prestat_dir_name -3 1"
;; kiln-test: expect = "37"
;; kiln-test: invoke = "path_readlink -4 4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "path_readlink -4 100"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "path_readlink -2 100"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "path_readlink -2 2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "path_readlink -8 100"
;; kiln-test: expect = "0"
;; A path string may end exactly at 2^32 (read, not advanced past).
;; kiln-test: invoke = "path_open -4 4"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "path_open -4 8"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967292, len: 8 }\n\n"
;; kiln-test: invoke = "path_filestat_get -4 4"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "path_filestat_get -2 4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "path_create_directory -2 4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; kiln-test: invoke = "path_unlink_file -2 4"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer out of bounds: Region { start: 4294967294, len: 4 }\n\n"
;; Subscriptions: the `fd` field of the one at 0xFFFFFFF0 would be at 2^32;
;; the second of two at 0xFFFFFFD0 would start at 2^32.
;; kiln-test: invoke = "poll_oneoff -16 256 1"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "poll_oneoff -48 256 2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "poll_oneoff -48 256 1"
;; kiln-test: expect = "0"
;; Events: the `nbytes` field of one at 0xFFFFFFF0, `flags` of one at
;; 0xFFFFFFE8, the second of two at 0xFFFFFFE0.
;; kiln-test: invoke = "poll_oneoff 0 -16 1"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "poll_oneoff 0 -24 1"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "poll_oneoff 0 -32 2"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "\n    2: Pointer overflow\n\n"
;; kiln-test: invoke = "poll_oneoff 0 -32 1"
;; kiln-test: expect = "0"
