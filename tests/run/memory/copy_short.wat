;; memory.copy of 0 to 70 bytes (the runtime copies up to 64 as a head and
;; a tail that may overlap), forwards and backwards over an overlapping
;; range, and at the end of memory: each copy is checked against a
;; byte-by-byte reference (a `memmove`) over the 256 bytes around it.
(module
  (memory 1)
  ;; Fills 0x100..0x200 and 0x300..0x400 with the same pattern.
  (func $fill
    (local $i i32)
    (loop $l
      (i32.store8 offset=0x100 (local.get $i) (i32.add (i32.mul (local.get $i) (i32.const 7)) (i32.const 3)))
      (i32.store8 offset=0x300 (local.get $i) (i32.add (i32.mul (local.get $i) (i32.const 7)) (i32.const 3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 0x100)))))
  ;; memmove on the copy at 0x300, one byte at a time.
  (func $reference (param $dst i32) (param $src i32) (param $len i32)
    (local $i i32)
    (if (i32.lt_u (local.get $dst) (local.get $src))
      (then
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (i32.store8 offset=0x300 (i32.add (local.get $dst) (local.get $i))
            (i32.load8_u offset=0x300 (i32.add (local.get $src) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l))))
      (else
        (local.set $i (local.get $len))
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $i)))
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (i32.store8 offset=0x300 (i32.add (local.get $dst) (local.get $i))
            (i32.load8_u offset=0x300 (i32.add (local.get $src) (local.get $i))))
          (br $l))))))
  ;; 1 if memory.copy at 0x100 and the reference at 0x300 agree.
  (func $check (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (local $i i32)
    (call $fill)
    (memory.copy (i32.add (i32.const 0x100) (local.get $dst))
                 (i32.add (i32.const 0x100) (local.get $src)) (local.get $len))
    (call $reference (local.get $dst) (local.get $src) (local.get $len))
    (block $bad
      (loop $l
        (br_if $bad (i32.ne (i32.load8_u offset=0x100 (local.get $i))
                            (i32.load8_u offset=0x300 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 0x100))))
      (return (i32.const 1)))
    (i32.const 0))
  ;; Every length 0..70 at distances -9..9 between destination and source:
  ;; the number of agreeing cases (71 * 19 = 1349 when all agree).
  (func (export "all") (result i32)
    (local $len i32) (local $d i32) (local $ok i32)
    (loop $lens
      (local.set $d (i32.const -9))
      (loop $dists
        (local.set $ok (i32.add (local.get $ok)
          (call $check (i32.add (i32.const 64) (local.get $d)) (i32.const 64) (local.get $len))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br_if $dists (i32.le_s (local.get $d) (i32.const 9))))
      (local.set $len (i32.add (local.get $len) (i32.const 1)))
      (br_if $lens (i32.le_u (local.get $len) (i32.const 70))))
    (local.get $ok))
  ;; Copies that end exactly at the end of memory, or one byte past it.
  (func (export "at_end") (param $len i32) (param $past i32) (result i32)
    (memory.copy
      (i32.sub (i32.add (i32.const 0x10000) (local.get $past)) (local.get $len))
      (i32.const 0) (local.get $len))
    (i32.load8_u (i32.const 0xffff)))
  (func (export "src_past_end") (param $len i32)
    (memory.copy (i32.const 0) (i32.sub (i32.const 0x10001) (local.get $len)) (local.get $len)))
  (func (export "empty_past_end")
    (memory.copy (i32.const 0x10001) (i32.const 0) (i32.const 0))))
;; kiln-test: invoke = "all"
;; kiln-test: expect = "1349"
;; kiln-test: invoke = "at_end 3 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "at_end 16 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "at_end 17 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "at_end 65 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "at_end 5 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "at_end 12 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "src_past_end 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "src_past_end 9"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "empty_past_end"
;; kiln-test: trap = "out of bounds memory access"
