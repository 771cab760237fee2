;; An export named exactly `wasi:cli/run@0.2.12` (the version Wasmtime 49's
;; bindings look up) wins over greater versions on the same track.
;; kiln-test: stdout = "0.2.12\n"
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
    (func (export "run0") (result i32) (call $say (i32.const 100) (i32.const 7)))
    (data (i32.const 100) "0.2.14\n")
    (func (export "run1") (result i32) (call $say (i32.const 132) (i32.const 7)))
    (data (i32.const 132) "0.2.12\n")
    (func (export "run2") (result i32) (call $say (i32.const 164) (i32.const 7)))
    (data (i32.const 164) "0.2.13\n")
  )
  (core instance $main (instantiate $main
    (with "mem" (instance $mem))
    (with "host" (instance (export "get-stdout" (func $get-stdout)) (export "write" (func $write))))))
  (func $run0 (result (result)) (canon lift (core func $main "run0")))
  (instance $inst0 (export "run" (func $run0)))
  (export "wasi:cli/run@0.2.14" (instance $inst0))
  (func $run1 (result (result)) (canon lift (core func $main "run1")))
  (instance $inst1 (export "run" (func $run1)))
  (export "wasi:cli/run@0.2.12" (instance $inst1))
  (func $run2 (result (result)) (canon lift (core func $main "run2")))
  (instance $inst2 (export "run" (func $run2)))
  (export "wasi:cli/run@0.2.13" (instance $inst2))
)
