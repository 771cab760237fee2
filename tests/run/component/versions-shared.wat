;; Several versions of one interface in one component:
;; `wasi:io/streams@0.2.0` and `@0.2.3`, `wasi:cli/stdout@0.2.0` and
;; `@0.2.6`, with 0.2.3's `output-stream` declared equal to 0.2.0's (as
;; when a component's imports share the type). A stream obtained through
;; one version's `get-stdout` is written through the other version's
;; method and dropped through the other version's resource.drop.
;; kiln-test: stdout = "0.2.6 stream, 0.2.0 write\n0.2.0 stream, 0.2.3 write\n0.2.6 stream, 0.2.3 write\nreused 2\n"
(component
  (import "wasi:io/error@0.2.0" (instance $io-error
    (export "error" (type (sub resource)))))
  (alias export $io-error "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams0
    (alias outer 1 $error (type $e))
    (export "error" (type $err (eq $e)))
    (export "output-stream" (type $os (sub resource)))
    (type $se (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $se' (eq $se)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se')))))))
  (alias export $streams0 "output-stream" (type $os0))
  (import "wasi:io/error@0.2.3" (instance $io-error3
    (export "error" (type (sub resource)))))
  (alias export $io-error3 "error" (type $error3))
  (import "wasi:io/streams@0.2.3" (instance $streams3
    (alias outer 1 $error3 (type $e))
    (alias outer 1 $os0 (type $o))
    (export "error" (type $err (eq $e)))
    (export "output-stream" (type $os (eq $o)))
    (type $se (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $se' (eq $se)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se')))))))
  (alias export $streams3 "output-stream" (type $os3))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout0
    (alias outer 1 $os0 (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (import "wasi:cli/stdout@0.2.6" (instance $stdout6
    (alias outer 1 $os3 (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))

  (core module $mem
    (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $get-stdout0 (canon lower (func $stdout0 "get-stdout")))
  (core func $get-stdout6 (canon lower (func $stdout6 "get-stdout")))
  (core func $write0 (canon lower (func $streams0 "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core func $write3 (canon lower (func $streams3 "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core func $drop0 (canon resource.drop $os0))
  (core func $drop3 (canon resource.drop $os3))

  (core module $main
    (import "mem" "memory" (memory 1))
    (import "v0" "get-stdout" (func $get-stdout0 (result i32)))
    (import "v6" "get-stdout" (func $get-stdout6 (result i32)))
    (import "v0" "write" (func $write0 (param i32 i32 i32 i32)))
    (import "v3" "write" (func $write3 (param i32 i32 i32 i32)))
    (import "v0" "drop" (func $drop0 (param i32)))
    (import "v3" "drop" (func $drop3 (param i32)))
    (func (export "run") (result i32)
      (local $a i32) (local $b i32)
      (local.set $a (call $get-stdout6))
      (call $write0 (local.get $a) (i32.const 100) (i32.const 26) (i32.const 16))
      (local.set $b (call $get-stdout0))
      (call $write3 (local.get $b) (i32.const 130) (i32.const 26) (i32.const 16))
      (call $write3 (local.get $a) (i32.const 160) (i32.const 26) (i32.const 16))
      ;; A 0.2.6 stream dropped as a 0.2.0 one, a 0.2.0 stream as 0.2.3.
      (call $drop0 (local.get $a))
      (call $drop3 (local.get $b))
      (local.set $a (call $get-stdout6))
      (i32.store8 (i32.const 197) (i32.add (i32.const 48) (local.get $a)))
      (call $write0 (local.get $a) (i32.const 190) (i32.const 9) (i32.const 16))
      (i32.const 0))
    (data (i32.const 100) "0.2.6 stream, 0.2.0 write\n")
    (data (i32.const 130) "0.2.0 stream, 0.2.3 write\n")
    (data (i32.const 160) "0.2.6 stream, 0.2.3 write\n")
    (data (i32.const 190) "reused ?\n"))
  (core instance $main (instantiate $main
    (with "mem" (instance $mem))
    (with "v0" (instance (export "get-stdout" (func $get-stdout0)) (export "write" (func $write0)) (export "drop" (func $drop0))))
    (with "v3" (instance (export "write" (func $write3)) (export "drop" (func $drop3))))
    (with "v6" (instance (export "get-stdout" (func $get-stdout6))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.3" (instance $run-inst)))
