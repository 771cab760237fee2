;; `--invoke` of async-lifted exports (stackless, with a callback): the
;; task runs on the event loop and its `task.return` values (flat, or in
;; memory beyond 16) are printed as `wasmtime run --invoke` prints results;
;; a task that never returns and a trap in a callback are Wasmtime's wasm
;; traps. Streams and futures: `p3-invoke-stream.wat`. The values are
;; lifted during `task.return`: `str-reused` overwrites its string right
;; after it (as a guest freeing it would), and `"hello"` must still print
;; (a lift after the task's callback returned printed the overwrite).
(component
  (type $s (stream u8))
  (type $f (future u32))
  (core module $mem (memory (export "m") 1))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "m" (core memory $m))
  (core func $ret0 (canon task.return))
  (core func $retu (canon task.return (result u32)))
  (core func $rets (canon task.return (result string) (memory $m)))
  (core func $retst (canon task.return (result $s)))
  (core func $retf (canon task.return (result $f)))
  (core func $snew (canon stream.new $s))
  (core func $fnew (canon future.new $f))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "ret0" (func $ret0))
    (import "" "retu" (func $retu (param i32)))
    (import "" "rets" (func $rets (param i32 i32)))
    (import "" "retst" (func $retst (param i32)))
    (import "" "retf" (func $retf (param i32)))
    (import "" "snew" (func $snew (result i64)))
    (import "" "fnew" (func $fnew (result i64)))
    (data (i32.const 16) "hello")
    (func (export "none") (result i32) (call $ret0) (i32.const 0))
    (func (export "u32") (result i32) (call $retu (i32.const 42)) (i32.const 0))
    (func (export "add") (param i32 i32) (result i32) (call $retu (i32.add (local.get 0) (local.get 1))) (i32.const 0))
    (func (export "str") (result i32) (call $rets (i32.const 16) (i32.const 5)) (i32.const 0))
    (func (export "str-reused") (result i32)
      (call $rets (i32.const 16) (i32.const 5))
      (i32.store (i32.const 16) (i32.const 0xffffffff))
      (i32.const 0))
    (func (export "yield") (result i32) (i32.const 1))
    (func (export "cb-u32") (param i32 i32 i32) (result i32) (call $retu (i32.const 7)) (i32.const 0))
    (func (export "stream") (result i32) (call $retst (i32.wrap_i64 (call $snew))) (i32.const 0))
    (func (export "future") (result i32) (call $retf (i32.wrap_i64 (call $fnew))) (i32.const 0))
    (func (export "boom") (result i32) (i32.const 1))
    (func (export "cb-boom") (param i32 i32 i32) (result i32) unreachable)
    (func (export "no-return") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $main
    (with "" (instance
      (export "m" (memory $m)) (export "ret0" (func $ret0)) (export "retu" (func $retu))
      (export "rets" (func $rets)) (export "retst" (func $retst)) (export "retf" (func $retf))
      (export "snew" (func $snew)) (export "fnew" (func $fnew))))))
  (func (export "none") async (canon lift (core func $i "none") async (callback (core func $i "cb"))))
  (func (export "get-u32") async (result u32) (canon lift (core func $i "u32") async (callback (core func $i "cb"))))
  (func (export "add") async (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add") async (callback (core func $i "cb"))))
  (func (export "str") async (result string) (canon lift (core func $i "str") async (memory $m) (callback (core func $i "cb"))))
  (func (export "str-reused") async (result string) (canon lift (core func $i "str-reused") async (memory $m) (callback (core func $i "cb"))))
  (func (export "yield") async (result u32) (canon lift (core func $i "yield") async (callback (core func $i "cb-u32"))))
  (func (export "boom") async (result u32) (canon lift (core func $i "boom") async (callback (core func $i "cb-boom"))))
  (func (export "no-return") async (result u32) (canon lift (core func $i "no-return") async (callback (core func $i "cb"))))
)

;; kiln-test: invoke = "none()"
;; kiln-test: expect = "()"
;; kiln-test: invoke = "get-u32()"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "add(1,2)"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "str()"
;; kiln-test: expect = "\"hello\""
;; kiln-test: invoke = "str-reused()"
;; kiln-test: expect = "\"hello\""
;; kiln-test: invoke = "yield()"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "boom()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: invoke = "no-return()"
;; kiln-test: trap = "async-lifted export failed to produce a result"
