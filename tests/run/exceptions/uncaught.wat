;; An exception no handler catches ends the program as wasmtime ends it:
;; the backtrace of the throw, `thrown Wasm exception`, exit status 1.
(module
  (tag $e (param i32))
  (func $f (throw $e (i32.const 42)))
  (func $g
    (block $h
      ;; A try_table whose handler does not match.
      (try_table (catch_all $h) (nop))
      (call $f)))
  (func (export "_start") (call $g)))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: error while executing at wasm backtrace:\n    0:     0x30 - <unknown>!float\n    1:     0x3e - <unknown>!__float128\n    2:     0x44 - <unknown>!<wasm function 2>\n    2: thrown Wasm exception\n\n"
;; kiln-test: stderr-contains = "failed to invoke command default"
