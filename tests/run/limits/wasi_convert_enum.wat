;; A WASI enum argument that is not one of its cases (whence 7) is a fatal
;; wiggle conversion error; one that does not fit the tag's u8 (256) is an
;; int conversion error, whose kind says which end overflowed (-1:
;; `NegOverflow`). A bad tag read from memory (poll_oneoff's
;; subscriptions) is EINVAL instead: see `poll_bad_tag` below.
(module
  (import "wasi_snapshot_preview1" "fd_seek"
    (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise"
    (func $fd_advise (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; A subscription with tag 9 at address 0.
  (data (i32.const 8) "\09")
  (func (export "seek") (param i32) (result i32)
    (call $fd_seek (i32.const 1) (i64.const 0) (local.get 0) (i32.const 100)))
  (func (export "advise") (param i32) (result i32)
    (call $fd_advise (i32.const 1) (i64.const 0) (i64.const 0) (local.get 0)))
  (func (export "poll_bad_tag") (result i32)
    (call $poll_oneoff (i32.const 0) (i32.const 200) (i32.const 1) (i32.const 400))))
;; kiln-test: invoke = "seek 7"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = ": In func wasi_snapshot_preview1::fd_seek at convert Whence: Invalid enum value Whence\n    3: Invalid enum value Whence\n\n"
;; kiln-test: invoke = "advise 9"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = ": In func wasi_snapshot_preview1::fd_advise at convert Advice: Invalid enum value Advice\n    3: Invalid enum value Advice\n\n"
;; kiln-test: invoke = "advise 256"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = ": In func wasi_snapshot_preview1::fd_advise at convert Advice: Int conversion error: TryFromIntError(PosOverflow)\n    3: Int conversion error: TryFromIntError(PosOverflow)\n    4: out of range integral type conversion attempted\n\n"
;; kiln-test: invoke = "advise -1"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = ": In func wasi_snapshot_preview1::fd_advise at convert Advice: Int conversion error: TryFromIntError(NegOverflow)\n    3: Int conversion error: TryFromIntError(NegOverflow)\n    4: out of range integral type conversion attempted\n\n"
;; kiln-test: invoke = "poll_bad_tag"
;; kiln-test: expect = "28"
