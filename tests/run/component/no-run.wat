;; A component exporting nothing `wasmtime run` can run: `run`
;; exists, but at the root and in `wasi:cli/runner`, not in a
;; `wasi:cli/run@0.2.x` instance. Wasmtime instantiates it (the start
;; function prints), then fails naming the version its bindings know;
;; `--invoke` still reaches the root `run`.
;; kiln-test: exit = 1
;; kiln-test: stdout = "started\n"
;; kiln-test: stderr-contains = "no exported instance named `wasi:cli/run@0.2.12`"
;; kiln-test: invoke = "run()"
;; kiln-test: stdout = "started\nok\n"
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
    (func $start
      (call $write (call $get-stdout) (i32.const 100) (i32.const 8) (i32.const 16)))
    (start $start)
    (func (export "run") (result i32) (i32.const 0))
    (data (i32.const 100) "started\n"))
  (core instance $main (instantiate $main
    (with "mem" (instance $mem))
    (with "host" (instance (export "get-stdout" (func $get-stdout)) (export "write" (func $write))))))
  ;; `run`, but not in a `wasi:cli/run` instance.
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/runner@0.2.0" (instance $run-inst))
  (export "run" (func $run)))
