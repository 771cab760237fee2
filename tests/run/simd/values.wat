;; v128 as a value everywhere: parameters and results of direct and
;; indirect calls (many, to spill to the stack), mutable and immutable
;; globals, zero-initialized locals, block/loop/if parameters and results,
;; br_if/br_table with v128 operands, select (typed and untyped).
(module
  (type $bin (func (param v128 v128) (result v128)))
  (table 2 funcref)
  (elem (i32.const 0) $add $sub)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (global $k v128 (v128.const i64x2 -1 0x0123456789abcdef))
  (func $add (type $bin) (i32x4.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32x4.sub (local.get 0) (local.get 1)))
  (func $many (param v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 i32 v128)
               (result v128 i32 v128)
    (i8x16.add (local.get 0) (local.get 9))
    (local.get 10)
    (i8x16.add (local.get 8) (local.get 11)))
  (func (export "globals") (result v128 v128 v128)
    (global.get $k)
    (global.set $g (i32x4.add (global.get $g) (global.get $g)))
    (global.get $g)
    (global.get $g))
  (func (export "local_zero") (result v128 v128) (local v128 i32 v128)
    (local.get 0) (local.get 2))
  (func (export "indirect") (param i32) (result v128)
    (call_indirect (type $bin) (v128.const i32x4 10 20 30 40) (global.get $g) (local.get 0)))
  (func (export "many") (result v128 i32 v128)
    (call $many
      (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1) (global.get $k) (global.get $k)
      (global.get $k) (global.get $k) (global.get $k) (global.get $k) (global.get $k)
      (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2)
      (v128.const i8x16 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18)
      (i32.const 77)
      (v128.const i8x16 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1)))
  (func (export "blocks") (param i32) (result v128)
    (local $acc v128) (local $i i32)
    (local.set $acc (v128.const i32x4 0 0 0 0))
    (local.get $acc)
    (loop $l (param v128) (result v128)
      (i32x4.add (v128.const i32x4 1 10 100 1000))
      (local.tee $acc)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0)))))
  (func (export "branches") (param i32) (result v128)
    (block $b (result v128)
      (block $c (result v128)
        (br_table $b $c $b (v128.const i32x4 7 7 7 7) (local.get 0)))
      (i32x4.mul (v128.const i32x4 2 2 2 2)))
    (if (param v128) (result v128) (i32.eqz (local.get 0))
      (then (i32x4.neg))))
  (func (export "select") (param i32) (result v128 v128)
    (select (v128.const i32x4 1 1 1 1) (v128.const i32x4 2 2 2 2) (local.get 0))
    (select (result v128) (global.get $k) (global.get $g) (local.get 0))))
;; kiln-test: invoke = "globals"
;; kiln-test: expect = "1512366075204170947414340898899623935\n633825300224795165207788781570\n633825300224795165207788781570"
;; kiln-test: invoke = "local_zero"
;; kiln-test: expect = "0\n0"
;; kiln-test: invoke = "indirect 0"
;; kiln-test: expect = "3486039151236373408642838298635"
;; kiln-test: invoke = "indirect 1"
;; kiln-test: expect = "2852213851011578243435049517065"
;; kiln-test: invoke = "indirect 2"
;; kiln-test: trap = "undefined element: out of bounds table access"
;; kiln-test: invoke = "many"
;; kiln-test: expect = "25349139336640152510827936922714113284\n77\n3998129587687840342821369462462219010"
;; kiln-test: invoke = "blocks 1"
;; kiln-test: expect = "79228162516109012000957855170561"
;; kiln-test: invoke = "blocks 5"
;; kiln-test: expect = "396140812580545060004789275852805"
;; kiln-test: invoke = "branches 0"
;; kiln-test: expect = "340282366445569488267108117402477395961"
;; kiln-test: invoke = "branches 1"
;; kiln-test: expect = "1109194275457955143401678569486"
;; kiln-test: invoke = "branches 9"
;; kiln-test: expect = "554597137728977571700839284743"
;; kiln-test: invoke = "select 0"
;; kiln-test: expect = "158456325065422163343096938498\n316912650112397582603894390785"
;; kiln-test: invoke = "select 1"
;; kiln-test: expect = "79228162532711081671548469249\n1512366075204170947414340898899623935"
