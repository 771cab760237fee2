;; Hello world as a WASI 0.2 command component, in WebAssembly text: one
;; core module, the two host functions it lowers (`get-stdout` and
;; `output-stream.blocking-write-and-flush`), and the lifted
;; `wasi:cli/run` export.
;;
;;   kiln build examples/hello-component.wat -o hello && ./hello
;;   kiln run examples/hello-component.wat
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

  (core module $memory (memory (export "memory") 1))
  (core instance $memory (instantiate $memory))
  (alias core export $memory "memory" (core memory $mem))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write
    (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $mem)))

  (core module $main
    (import "env" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (data (i32.const 16) "Hello, world!\n")
    (func (export "run") (result i32)
      ;; write(stdout, ptr = 16, len = 14, result at 0); `run` returns ok.
      (call $write (call $get-stdout) (i32.const 16) (i32.const 14) (i32.const 0))
      (i32.const 0)))
  (core instance $main (instantiate $main
    (with "env" (instance $memory))
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))))))

  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
