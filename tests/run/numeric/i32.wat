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
;;! invoke = "add 2147483647 1"
;;! expect = "-2147483648"
;;! invoke = "sub -2147483648 1"
;;! expect = "2147483647"
;;! invoke = "mul 65536 65536"
;;! expect = "0"
;;! invoke = "mul -3 7"
;;! expect = "-21"
;;! invoke = "div_s -7 2"
;;! expect = "-3"
;;! invoke = "div_s 7 -2"
;;! expect = "-3"
;;! invoke = "div_u -1 2"
;;! expect = "2147483647"
;;! invoke = "div_s 1 0"
;;! trap = "integer divide by zero"
;;! invoke = "div_u 1 0"
;;! trap = "integer divide by zero"
;;! invoke = "div_s -2147483648 -1"
;;! trap = "integer overflow"
;;! invoke = "rem_s -7 2"
;;! expect = "-1"
;;! invoke = "rem_s 7 -2"
;;! expect = "1"
;;! invoke = "rem_s -2147483648 -1"
;;! expect = "0"
;;! invoke = "rem_u -1 10"
;;! expect = "5"
;;! invoke = "rem_s 5 0"
;;! trap = "integer divide by zero"
;;! invoke = "rem_u 5 0"
;;! trap = "integer divide by zero"
;;! invoke = "and -16 255"
;;! expect = "240"
;;! invoke = "or 240 15"
;;! expect = "255"
;;! invoke = "xor -1 85"
;;! expect = "-86"
;;! invoke = "shl 1 31"
;;! expect = "-2147483648"
;;! invoke = "shl 1 32"
;;! expect = "1"
;;! invoke = "shl 3 33"
;;! expect = "6"
;;! invoke = "shr_s -8 1"
;;! expect = "-4"
;;! invoke = "shr_s -8 33"
;;! expect = "-4"
;;! invoke = "shr_u -8 1"
;;! expect = "2147483644"
;;! invoke = "shr_u -1 -1"
;;! expect = "1"
;;! invoke = "rotl -2147483647 1"
;;! expect = "3"
;;! invoke = "rotl 1 -1"
;;! expect = "-2147483648"
;;! invoke = "rotr 3 1"
;;! expect = "-2147483647"
;;! invoke = "rotr 1 32"
;;! expect = "1"
;;! invoke = "clz 0"
;;! expect = "32"
;;! invoke = "clz 1"
;;! expect = "31"
;;! invoke = "clz -1"
;;! expect = "0"
;;! invoke = "ctz 0"
;;! expect = "32"
;;! invoke = "ctz -2147483648"
;;! expect = "31"
;;! invoke = "ctz 24"
;;! expect = "3"
;;! invoke = "popcnt -1"
;;! expect = "32"
;;! invoke = "popcnt 0"
;;! expect = "0"
;;! invoke = "popcnt 43690"
;;! expect = "8"
;;! invoke = "eqz 0"
;;! expect = "1"
;;! invoke = "eqz -5"
;;! expect = "0"
;;! invoke = "extend8_s 128"
;;! expect = "-128"
;;! invoke = "extend8_s 383"
;;! expect = "127"
;;! invoke = "extend16_s 32768"
;;! expect = "-32768"
;;! invoke = "extend16_s -65536"
;;! expect = "0"
;; eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
;; (1, 1):  1  0  0    0    0    0    1    1    1    1  = 0b1000001111 = 527
;;! invoke = "cmp 1 1"
;;! expect = "527"
;; (-1, 1): 0  1  1    0    0    1    1    0    0    1  = 0b0110011001 = 409
;;! invoke = "cmp -1 1"
;;! expect = "409"
;; (1, -1): 0  1  0    1    1    0    0    1    1    0  = 0b0101100110 = 358
;;! invoke = "cmp 1 -1"
;;! expect = "358"
;; -100 / -7 = 14; -100 as u32 = 4294967196, % 10 = 6
;;! invoke = "const_div -100"
;;! expect = "20"
;;! invoke = "const_div_zero 3"
;;! trap = "integer divide by zero"
