;; Stack exhaustion inside the start function (the `start` section, run at
;; instantiation): wasmtime reports it as a failed instantiation.
(module
  (func $down (param i32) (result i32)
    (i32.add (i32.const 1) (call $down (local.get 0))))
  (func $init (drop (call $down (i32.const 0))))
  (start $init)
  (func (export "_start")))
;; kiln-test: trap = "call stack exhausted"
;; kiln-test: stderr-contains = "failed to instantiate"
;; kiln-test: stderr-contains = "    0: <unknown>!down\n    1:     0x31 - <unknown>!down\n"
