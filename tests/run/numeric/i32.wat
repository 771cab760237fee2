;; i32 arithmetic, bit operations, comparisons and their traps.
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "mul") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "div_u") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "rem_u") (param i32 i32) (result i32) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "and") (param i32 i32) (result i32) (i32.and (local.get 0) (local.get 1)))
  (func (export "or") (param i32 i32) (result i32) (i32.or (local.get 0) (local.get 1)))
  (func (export "xor") (param i32 i32) (result i32) (i32.xor (local.get 0) (local.get 1)))
  (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1)))
  (func (export "shr_s") (param i32 i32) (result i32) (i32.shr_s (local.get 0) (local.get 1)))
  (func (export "shr_u") (param i32 i32) (result i32) (i32.shr_u (local.get 0) (local.get 1)))
  (func (export "rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
  (func (export "rotr") (param i32 i32) (result i32) (i32.rotr (local.get 0) (local.get 1)))
  (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
  (func (export "ctz") (param i32) (result i32) (i32.ctz (local.get 0)))
  (func (export "popcnt") (param i32) (result i32) (i32.popcnt (local.get 0)))
  (func (export "eqz") (param i32) (result i32) (i32.eqz (local.get 0)))
  (func (export "extend8_s") (param i32) (result i32) (i32.extend8_s (local.get 0)))
  (func (export "extend16_s") (param i32) (result i32) (i32.extend16_s (local.get 0)))
  ;; All ten comparisons of (a, b), packed as bits 9..0: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u.
  (func (export "cmp") (param $a i32) (param $b i32) (result i32)
    (i32.or (i32.or (i32.or (i32.or (i32.or (i32.or (i32.or (i32.or (i32.or
      (i32.shl (i32.eq (local.get $a) (local.get $b)) (i32.const 9))
      (i32.shl (i32.ne (local.get $a) (local.get $b)) (i32.const 8)))
      (i32.shl (i32.lt_s (local.get $a) (local.get $b)) (i32.const 7)))
      (i32.shl (i32.lt_u (local.get $a) (local.get $b)) (i32.const 6)))
      (i32.shl (i32.gt_s (local.get $a) (local.get $b)) (i32.const 5)))
      (i32.shl (i32.gt_u (local.get $a) (local.get $b)) (i32.const 4)))
      (i32.shl (i32.le_s (local.get $a) (local.get $b)) (i32.const 3)))
      (i32.shl (i32.le_u (local.get $a) (local.get $b)) (i32.const 2)))
      (i32.shl (i32.ge_s (local.get $a) (local.get $b)) (i32.const 1)))
      (i32.ge_u (local.get $a) (local.get $b))))
  ;; Constant operands (Cranelift folds or uses immediates).
  (func (export "const_div") (param i32) (result i32)
    (i32.add (i32.div_s (local.get 0) (i32.const -7)) (i32.rem_u (local.get 0) (i32.const 10))))
  (func (export "const_div_zero") (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 0)))
)
;; kiln-test: invoke = "add 2147483647 1"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "sub -2147483648 1"
;; kiln-test: expect = "2147483647"
;; kiln-test: invoke = "mul 65536 65536"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "mul -3 7"
;; kiln-test: expect = "-21"
;; kiln-test: invoke = "div_s -7 2"
;; kiln-test: expect = "-3"
;; kiln-test: invoke = "div_s 7 -2"
;; kiln-test: expect = "-3"
;; kiln-test: invoke = "div_u -1 2"
;; kiln-test: expect = "2147483647"
;; kiln-test: invoke = "div_s 1 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "div_u 1 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "div_s -2147483648 -1"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "rem_s -7 2"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "rem_s 7 -2"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "rem_s -2147483648 -1"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "rem_u -1 10"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "rem_s 5 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "rem_u 5 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "and -16 255"
;; kiln-test: expect = "240"
;; kiln-test: invoke = "or 240 15"
;; kiln-test: expect = "255"
;; kiln-test: invoke = "xor -1 85"
;; kiln-test: expect = "-86"
;; kiln-test: invoke = "shl 1 31"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "shl 1 32"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "shl 3 33"
;; kiln-test: expect = "6"
;; kiln-test: invoke = "shr_s -8 1"
;; kiln-test: expect = "-4"
;; kiln-test: invoke = "shr_s -8 33"
;; kiln-test: expect = "-4"
;; kiln-test: invoke = "shr_u -8 1"
;; kiln-test: expect = "2147483644"
;; kiln-test: invoke = "shr_u -1 -1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "rotl -2147483647 1"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "rotl 1 -1"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "rotr 3 1"
;; kiln-test: expect = "-2147483647"
;; kiln-test: invoke = "rotr 1 32"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "clz 0"
;; kiln-test: expect = "32"
;; kiln-test: invoke = "clz 1"
;; kiln-test: expect = "31"
;; kiln-test: invoke = "clz -1"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "ctz 0"
;; kiln-test: expect = "32"
;; kiln-test: invoke = "ctz -2147483648"
;; kiln-test: expect = "31"
;; kiln-test: invoke = "ctz 24"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "popcnt -1"
;; kiln-test: expect = "32"
;; kiln-test: invoke = "popcnt 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "popcnt 43690"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "eqz 0"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "eqz -5"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "extend8_s 128"
;; kiln-test: expect = "-128"
;; kiln-test: invoke = "extend8_s 383"
;; kiln-test: expect = "127"
;; kiln-test: invoke = "extend16_s 32768"
;; kiln-test: expect = "-32768"
;; kiln-test: invoke = "extend16_s -65536"
;; kiln-test: expect = "0"
;; eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
;; (1, 1):  1  0  0    0    0    0    1    1    1    1  = 0b1000001111 = 527
;; kiln-test: invoke = "cmp 1 1"
;; kiln-test: expect = "527"
;; (-1, 1): 0  1  1    0    0    1    1    0    0    1  = 0b0110011001 = 409
;; kiln-test: invoke = "cmp -1 1"
;; kiln-test: expect = "409"
;; (1, -1): 0  1  0    1    1    0    0    1    1    0  = 0b0101100110 = 358
;; kiln-test: invoke = "cmp 1 -1"
;; kiln-test: expect = "358"
;; -100 / -7 = 14; -100 as u32 = 4294967196, % 10 = 6
;; kiln-test: invoke = "const_div -100"
;; kiln-test: expect = "20"
;; kiln-test: invoke = "const_div_zero 3"
;; kiln-test: trap = "integer divide by zero"
