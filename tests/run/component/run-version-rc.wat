;; A component whose only `run` is a pre-release WASI version
;; (`wasi:cli/run@0.2.0-rc-2023-12-05`, as early WASI 0.2 toolchains
;; emitted): Wasmtime's versioned lookup of `wasi:cli/run@0.2.12` matches a
;; pre-release only by its exact name, so there is nothing to run
;; (`runtime-lib/src/component/run_export.rs`).
;; kiln-test: exit = 1
;; kiln-test: stdout = ""
;; kiln-test: stderr-contains = "no exported instance named `wasi:cli/run@0.2.12`"
(component
  (import "wasi:io/error@0.2.0" (instance $io-error
    (export "error" (type (sub resource)))))
  (alias export $io-error "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error (type $e))
    (export "error" (type $err (eq $e)))
    (export "output-stream" (type $os (sub resource)))
    (type $se (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $se' (eq $se)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se')))))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (core module $mem (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core module $main
    (import "mem" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (func $say (param i32 i32) (result i32)
      (call $write (call $get-stdout) (local.get 0) (local.get 1) (i32.const 16))
      (i32.const 0))
    (func (export "run0") (result i32) (call $say (i32.const 100) (i32.const 20)))
    (data (i32.const 100) "0.2.0-rc-2023-12-05\n")
  )
  (core instance $main (instantiate $main
    (with "mem" (instance $mem))
    (with "host" (instance (export "get-stdout" (func $get-stdout)) (export "write" (func $write))))))
  (func $run0 (result (result)) (canon lift (core func $main "run0")))
  (instance $inst0 (export "run" (func $run0)))
  (export "wasi:cli/run@0.2.0-rc-2023-12-05" (instance $inst0))
)
