;; Ten million exceptions thrown from a callee and caught run in flat
;; memory: the collector frees each one once it is caught (before it was
;; collected, this run needed about 470 MB). The loop also keeps one
;; exnref alive across it in a local and checks its payload at the end.
;; kiln-test: exit = 42
;; kiln-test: max-rss-mib = 32
;; kiln-test: wasmtime-skip = "Wasmtime 49 takes about 100 s for ten million throws"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "_start")
    (local $i i32) (local $sum i32) (local $kept exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (call $thrower (i32.const 42)))
      (unreachable))
    (local.set $kept)
    (drop)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h)
          (call $thrower (local.get $i)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10000000))))
    ;; The sum of 0..10^7 modulo 2^32, then the kept exception's payload.
    (if (i32.ne (local.get $sum) (i32.const 0x87f0d4c0))
      (then (call $exit (i32.const 1))))
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (local.get $kept)))
      (unreachable))
    (call $exit))
)
