;; Functions with rotates and bit counts in loops get a second, x86-64-v3
;; body on x86_64, chosen when the program starts (compiler/src/pipeline/
;; tiers.rs). Both bodies must compute the same results and trap with the
;; same backtrace; tests/all/cpu_features.rs runs this module under qemu on
;; a CPU without the second tier's features and on one with them.
(module
  (memory 1)
  ;; One round of mixing per 8 bytes of memory: rotates both ways, both
  ;; widths, and the bit counts LZCNT/TZCNT replace.
  (func $mix (param $len i32) (param $seed i64) (param $stop i32) (result i64)
    (local $i i32) (local $a i32) (local $b i32) (local $h i64)
    (local.set $h (local.get $seed))
    (local.set $a (i32.wrap_i64 (local.get $seed)))
    (local.set $b (i32.const 0x9e3779b9))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eq (local.get $i) (local.get $stop)) (then (unreachable)))
        (local.set $a (i32.add (local.get $a) (i32.load (local.get $i))))
        (local.set $b (i32.xor (local.get $b)
          (i32.add (i32.rotl (local.get $a) (i32.const 7))
                   (i32.rotr (local.get $a) (i32.const 13)))))
        (local.set $a (i32.xor (i32.rotl (local.get $b) (i32.const 19))
                               (i32.clz (i32.or (local.get $b) (i32.const 1)))))
        (local.set $h (i64.add
          (i64.rotl (i64.xor (local.get $h) (i64.extend_i32_u (local.get $a))) (i64.const 27))
          (i64.extend_i32_u (i32.ctz (i32.or (local.get $b) (i32.const 0x80000000))))))
        (local.set $h (i64.xor (local.get $h) (i64.rotr (local.get $h) (i64.const 31))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $next)))
    (local.get $h))
  ;; Fills memory from a seed, then hashes `len` bytes of it.
  (func (export "hash") (param $len i32) (param $seed i64) (result i64)
    (local $i i32)
    (block $done
      (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (i32.const 65536)))
        (i32.store (local.get $i) (i32.mul (i32.add (local.get $i) (i32.const 17)) (i32.const 0x01000193)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $fill)))
    (call $mix (local.get $len) (local.get $seed) (i32.const -1)))
  ;; A trap inside the loop, from the same body as the rest (signals from
  ;; memory accesses are not emulated by qemu-user, `unreachable` is).
  (func (export "stop") (result i64)
    (call $mix (i32.const 65536) (i64.const 1) (i32.const 800)))
  ;; Hashing past the end of memory traps inside the loop too.
  (func (export "overrun") (result i64)
    (call $mix (i32.const 70000) (i64.const 1) (i32.const -1)))
  (func (export "_start")
    (drop (call $mix (i32.const 65536) (i64.const 0) (i32.const -1)))))
;; kiln-test: invoke = "hash 0 5"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "hash 8 1"
;; kiln-test: expect = "6119391366500377613"
;; kiln-test: invoke = "hash 65536 12345"
;; kiln-test: expect = "-3437872518717032001"
;; kiln-test: invoke = "stop"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "overrun"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
