;; `kiln build --invoke add` bakes the entry point into the executable: it
;; parses its arguments and prints its results like `wasmtime run --invoke`.
(module
  (func (export "add") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1))))
;; kiln-test: flags = "--invoke add"
;; kiln-test: args = "-2 10000000000"
;; kiln-test: stdout = "9999999998\n"
;; kiln-test: stderr-contains = "warning: using `--invoke` with a function that takes arguments is experimental"
