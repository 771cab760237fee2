;; kiln-test: exit = 42
;; A WASI 0.2 command component calling `wasi:cli/exit.exit-with-code(42)`,
;; which neither Rust's std nor wasi-libc can import (their WIT predates
;; it): the process exits with 42 at once; the `unreachable` after the call
;; would trap (exit 134) if the call returned.
(component
  (import "wasi:cli/exit@0.2.0" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))
  (core func $exit-with-code (canon lower (func $exit "exit-with-code")))
  (core module $main
    (import "exit" "exit-with-code" (func $exit-with-code (param i32)))
    (func (export "run") (result i32)
      (call $exit-with-code (i32.const 42))
      unreachable))
  (core instance $main (instantiate $main
    (with "exit" (instance (export "exit-with-code" (func $exit-with-code))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
