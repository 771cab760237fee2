;; A realloc (here the one `--invoke` lowers its string argument with)
;; runs with may_leave cleared: the P3 built-ins it calls trap "cannot
;; leave component instance", as in Wasmtime 49, which checks it in every
;; P3 built-in but context.get/set and backpressure.inc/dec (the last
;; run: backpressure.inc goes through). The string's length picks the
;; built-in the realloc calls.
;; kiln-test: wasmtime-flags = "-W component-model-error-context"
;; kiln-test: invoke = "len(\"a\")"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "len(\"ab\")"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: invoke = "len(\"abc\")"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: invoke = "len(\"abcd\")"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: invoke = "len(\"abcde\")"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: invoke = "len(\"abcdef\")"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: invoke = "len(\"abcdefg\")"
;; kiln-test: expect = "7"
(component
  (type $st (stream u8))
  (core module $m0 (memory (export "m") 1))
  (core instance $m0i (instantiate $m0))
  (alias core export $m0i "m" (core memory $m0m))
  (core func $wsnew (canon waitable-set.new))
  (core func $snew (canon stream.new $st))
  (core func $ecnew (canon error-context.new (memory $m0m)))
  (core func $yield (canon thread.yield))
  (core func $join (canon waitable.join))
  (core func $ret (canon task.return))
  (core func $bpinc (canon backpressure.inc))
  (core module $mm
    (import "" "wsnew" (func $wsnew (result i32)))
    (import "" "snew" (func $snew (result i64)))
    (import "" "ecnew" (func $ecnew (param i32 i32) (result i32)))
    (import "" "yield" (func $yield (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "ret" (func $ret))
    (import "" "bpinc" (func $bpinc))
    (memory (export "m") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (block $done
        (block $7 (block $6 (block $5 (block $4 (block $3 (block $2 (block $1
          (br_table $done $1 $2 $3 $4 $5 $6 $7 $done (local.get 3)))
          (drop (call $wsnew)) (br $done))
          (drop (call $snew)) (br $done))
          (call $ret) (br $done))
          (drop (call $ecnew (i32.const 0) (i32.const 0))) (br $done))
          (drop (call $yield)) (br $done))
          (call $join (i32.const 1) (i32.const 0)) (br $done))
          (call $bpinc))
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "len") (param i32 i32) (result i32) (local.get 1)))
  (core instance $mi (instantiate $mm (with "" (instance
    (export "wsnew" (func $wsnew)) (export "snew" (func $snew)) (export "ecnew" (func $ecnew))
    (export "yield" (func $yield)) (export "join" (func $join)) (export "ret" (func $ret))
    (export "bpinc" (func $bpinc))))))
  (func (export "len") (param "s" string) (result u32)
    (canon lift (core func $mi "len") (memory (core memory $mi "m")) (realloc (core func $mi "realloc")))))
