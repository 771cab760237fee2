;; Host resource handles between component instances: the root gets
;; stdout (an `own<output-stream>` of the host) and hands it to `$lib`,
;; first as a `borrow` (a handle in `$lib`'s table that `$lib` writes
;; through with its own host import and drops), then as an `own` (moved
;; into `$lib`'s table, written to, then dropped there).
;; kiln-test: stdout = "borrowed: hello\nowned: bye\n"
(component $root
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

  (component $lib
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
    (core module $mem
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x1000)))
    (core instance $mem (instantiate $mem))
    (alias core export $mem "memory" (core memory $memory))
    (alias core export $mem "realloc" (core func $realloc))
    (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))
    (core func $drop (canon resource.drop $output-stream))
    (core module $m
      (import "" "memory" (memory 1))
      (import "" "write" (func $write (param i32 i32 i32 i32)))
      (import "" "drop" (func $drop (param i32)))
      (data (i32.const 0x100) "borrowed: ")
      (data (i32.const 0x110) "owned: ")
      (func (export "say") (param $out i32) (param $p i32) (param $n i32)
        (call $write (local.get $out) (i32.const 0x100) (i32.const 10) (i32.const 0x80))
        (call $write (local.get $out) (local.get $p) (local.get $n) (i32.const 0x80))
        (call $drop (local.get $out)))
      (func (export "say-own") (param $out i32) (param $p i32) (param $n i32)
        (call $write (local.get $out) (i32.const 0x110) (i32.const 7) (i32.const 0x80))
        (call $write (local.get $out) (local.get $p) (local.get $n) (i32.const 0x80))
        (call $drop (local.get $out))))
    (core instance $i (instantiate $m (with "" (instance
      (export "memory" (memory $memory)) (export "write" (func $write)) (export "drop" (func $drop))))))
    (func (export "say") (param "out" (borrow $output-stream)) (param "msg" string)
      (canon lift (core func $i "say") (memory $memory) (realloc $realloc)))
    (func (export "say-own") (param "out" (own $output-stream)) (param "msg" string)
      (canon lift (core func $i "say-own") (memory $memory) (realloc $realloc))))
  (instance $lib (instantiate $lib
    (with "wasi:io/error@0.2.0" (instance $io-error))
    (with "wasi:io/streams@0.2.0" (instance $streams))))

  (core module $mem
    (memory (export "memory") 1)
    (data (i32.const 0x10) "hello\n")
    (data (i32.const 0x20) "bye\n"))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $say (canon lower (func $lib "say") (memory $memory)))
  (core func $say-own (canon lower (func $lib "say-own") (memory $memory)))
  (core module $main
    (import "" "get-stdout" (func $get-stdout (result i32)))
    (import "" "say" (func $say (param i32 i32 i32)))
    (import "" "say-own" (func $say-own (param i32 i32 i32)))
    (func (export "run") (result i32)
      (local $out i32)
      (local.set $out (call $get-stdout))
      (call $say (local.get $out) (i32.const 0x10) (i32.const 6))
      (call $say-own (local.get $out) (i32.const 0x20) (i32.const 4))
      (i32.const 0)))
  (core instance $main (instantiate $main (with "" (instance
    (export "get-stdout" (func $get-stdout)) (export "say" (func $say)) (export "say-own" (func $say-own))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst)))
