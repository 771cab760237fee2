;; -W timeout: code built with a timeout checks the interrupt flag at every
;; function entry and loop header; a timer sets it at the deadline. Running
;; wasm then traps with `interrupt` and the usual backtrace (frame 0 at the
;; loop's offset), through `kiln build` (`_start`) and `kiln run` (`spin`);
;; a run that ends in time is not disturbed, and neither is a tail-call
;; recursion without loops stopped anywhere but at a function entry.
;; kiln-test: flags = "-W timeout=200ms"
;; kiln-test: trap = "interrupt"
;; kiln-test: stderr-contains = "    0:     0x5f - <unknown>!spin\n"
(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
  (func $spin (export "spin") (loop $l (br $l)))
  (func $chase (export "chase") (param i32) (result i32)
    (return_call $chase (i32.add (local.get 0) (i32.const 1))))
  (func (export "_start") (call $spin)))
;; kiln-test: invoke = "count 100000"
;; kiln-test: expect = "100000"
;; kiln-test: invoke = "spin"
;; kiln-test: trap = "interrupt"
;; kiln-test: stderr-contains = "    0:     0x5f - <unknown>!spin\n"
;; kiln-test: invoke = "chase 0"
;; kiln-test: trap = "interrupt"
;; kiln-test: stderr-contains = "    0:     0x66 - <unknown>!chase\n"
