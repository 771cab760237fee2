;; wasi-threads: real contention on atomics. 4 threads each, 5000 times:
;; take a spinlock with i32.atomic.rmw.cmpxchg, bump a plain (non-atomic)
;; counter, release it with i32.atomic.store; bump a 16-bit cell with
;; i32.atomic.rmw16.add_u (wraps within its 2 bytes, never touching the
;; neighbouring byte); and add with i64.atomic.rmw8.cmpxchg_u in a retry
;; loop, and with i32.atomic.rmw16.cmpxchg_u on the other half of the same
;; word (a narrow exchange must not lose its neighbour's updates: riscv64
;; once did). `_start` joins through wait/notify and checks every total.
;; kiln-test: wasmtime-skip = "wasmtime 47 removed wasi-threads (-S threads)"
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  ;; 0: lock, 4: plain counter, 8: u16 cell (10: guard byte), 16: done,
  ;; 24: u8 cell updated by cmpxchg loops, 26: u16 cell, same word
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $i i32) (local $old i64)
    (loop $l
      ;; spinlock
      (loop $spin
        (br_if $spin (i32.atomic.rmw.cmpxchg (i32.const 0) (i32.const 0) (i32.const 1))))
      (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
      (i32.atomic.store (i32.const 0) (i32.const 0))
      ;; narrow rmw
      (drop (i32.atomic.rmw16.add_u (i32.const 8) (i32.const 7)))
      ;; 8-bit cmpxchg loop: cell = (cell + 3) mod 256
      (loop $retry
        (local.set $old (i64.atomic.load8_u (i32.const 24)))
        (br_if $retry
          (i64.ne
            (i64.atomic.rmw8.cmpxchg_u (i32.const 24) (local.get $old)
              (i64.add (local.get $old) (i64.const 3)))
            (local.get $old))))
      ;; 16-bit cmpxchg loop: cell = (cell + 5) mod 65536
      (loop $retry16
        (local.set $old (i64.extend_i32_u (i32.atomic.load16_u (i32.const 26))))
        (br_if $retry16
          (i32.ne
            (i32.atomic.rmw16.cmpxchg_u (i32.const 26) (i32.wrap_i64 (local.get $old))
              (i32.add (i32.wrap_i64 (local.get $old)) (i32.const 5)))
            (i32.wrap_i64 (local.get $old)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 5000))))
    (drop (i32.atomic.rmw.add (i32.const 16) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 16) (i32.const 1))))
  (func (export "_start")
    (local $i i32) (local $done i32)
    (i32.store8 (i32.const 10) (i32.const 0x5a))
    (loop $l
      (drop (call $spawn (i32.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (block $all
      (loop $wait
        (local.set $done (i32.atomic.load (i32.const 16)))
        (br_if $all (i32.eq (local.get $done) (i32.const 4)))
        (drop (memory.atomic.wait32 (i32.const 16) (local.get $done) (i64.const -1)))
        (br $wait)))
    (if (i32.ne (i32.load (i32.const 4)) (i32.const 20000)) (then unreachable))
    ;; 20000 * 7 = 140000 = 0x222e0 -> 0x22e0 in 16 bits
    (if (i32.ne (i32.atomic.load16_u (i32.const 8)) (i32.const 0x22e0)) (then unreachable))
    (if (i32.ne (i32.load8_u (i32.const 10)) (i32.const 0x5a)) (then unreachable))
    ;; 20000 * 3 = 60000 -> 60000 mod 256 = 96
    (if (i32.ne (i32.atomic.load8_u (i32.const 24)) (i32.const 96)) (then unreachable))
    ;; 20000 * 5 = 100000 -> 100000 mod 65536 = 34464
    (if (i32.ne (i32.atomic.load16_u (i32.const 26)) (i32.const 34464)) (then unreachable))))
