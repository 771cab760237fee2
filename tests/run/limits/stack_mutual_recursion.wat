;; Unbounded mutual recursion exhausts the wasm stack: a clean
;; `call stack exhausted` trap (exit 134) whose backtrace alternates between
;; the two functions and stops after 20 frames, as wasmtime prints it. The
;; innermost frame has no offset (the trap is the callee's stack check).
(module
  (func $ping (param i32) (result i32)
    (i32.add (i32.const 1) (call $pong (i32.add (local.get 0) (i32.const 1)))))
  (func $pong (param i32) (result i32)
    (i32.add (i32.const 2) (call $ping (i32.add (local.get 0) (i32.const 2)))))
  (func (export "_start") (drop (call $ping (i32.const 0)))))
;; kiln-test: trap = "call stack exhausted"
;; kiln-test: stderr-contains = "error while executing at wasm backtrace:\n    0: <unknown>!ping\n    1:     0x3e - <unknown>!pong\n    2:     0x31 - <unknown>!ping\n"
;; kiln-test: stderr-contains = "   18:     0x31 - <unknown>!ping\n   19:     0x3e - <unknown>!pong\n    2: wasm trap: call stack exhausted\n"
