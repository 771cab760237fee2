;; -W max-wasm-stack=0: `kiln run` fails at start-up as Wasmtime does (its
;; message, exit status 1, nothing runs); `kiln build` refuses it (see the
;; CLI tests).
;; kiln-test: flags = "-W max-wasm-stack=0"
(module
  (func (export "f") unreachable))
;; kiln-test: invoke = "f"
;; kiln-test: exit = 1
;; kiln-test: stderr = "Error: max_wasm_stack size cannot be zero\n"
