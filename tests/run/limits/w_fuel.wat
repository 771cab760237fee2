;; -W fuel: Wasmtime's accounting (most instructions cost 1; `nop`, `drop`,
;; `block`, `loop`, `end`, ... cost 0; entering a function costs 1), checked
;; at function entries and loop headers, so counts match Wasmtime's exactly.
;; `count n` needs 9n + 2 units: with 92, `count 10` has just enough and
;; `count_extra 10` (one unit more, before the loop) runs out; `_start`
;; (through `kiln build`) and `spin` loop until the fuel is gone.
;; kiln-test: flags = "-W fuel=92"
;; kiln-test: trap = "all fuel consumed by WebAssembly"
;; kiln-test: stderr-contains = "    0:     0x"
(module
  (func $count (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
  (func (export "count_extra") (param $n i32) (result i32) (local $i i32)
    (drop (i32.const 0))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
  (func $spin (export "spin") (loop $l (br $l)))
  (func (export "_start") (call $spin)))
;; kiln-test: invoke = "count 10"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "count_extra 10"
;; kiln-test: trap = "all fuel consumed by WebAssembly"
;; kiln-test: invoke = "count 11"
;; kiln-test: trap = "all fuel consumed by WebAssembly"
;; kiln-test: invoke = "spin"
;; kiln-test: trap = "all fuel consumed by WebAssembly"
;; kiln-test: stderr-contains = "<unknown>!spin"
