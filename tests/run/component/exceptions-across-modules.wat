;; Exceptions across the core modules of one component: a tag
;; defined by one module and imported by another, thrown in a third module
;; reached by a direct cross-module call inside a `try_table` (Kiln's
;; `try_call` to a statically bound import), caught with its payload; and
;; one thrown through a trampoline-free chain of two cross-module calls.
;; kiln-test: wasmtime-flags = "-W exceptions"
;; kiln-test: stdout = "caught 7\ncaught 9\ndone\n"
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

  ;; Owns the tag.
  (core module $tags
    (tag (export "oops") (param i32)))
  (core instance $tags (instantiate $tags))

  ;; Throws the imported tag.
  (core module $thrower
    (import "tags" "oops" (tag $oops (param i32)))
    (func (export "throw") (param i32) (throw $oops (local.get 0))))
  (core instance $thrower (instantiate $thrower (with "tags" (instance $tags))))

  ;; Only forwards to the thrower (a second cross-module hop).
  (core module $relay
    (import "t" "throw" (func $throw (param i32)))
    (func (export "relay") (param i32) (call $throw (local.get 0))))
  (core instance $relay (instantiate $relay (with "t" (instance $thrower))))

  (core module $main
    (import "env" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "tags" "oops" (tag $oops (param i32)))
    (import "t" "throw" (func $throw (param i32)))
    (import "r" "relay" (func $relay (param i32)))
    (data (i32.const 32) "caught ?\n")
    (data (i32.const 48) "done\n")
    (func $print (param $p i32) (param $n i32)
      (call $write (call $get-stdout) (local.get $p) (local.get $n) (i32.const 0)))
    (func $report (param $v i32)
      (i32.store8 (i32.const 39) (i32.add (i32.const 48) (local.get $v)))
      (call $print (i32.const 32) (i32.const 9)))
    (func $catch-direct (result i32)
      (block $h (result i32)
        (try_table (catch $oops $h)
          (call $throw (i32.const 7)))
        (i32.const 0)))
    (func $catch-relayed (result i32)
      (block $h (result i32)
        (try_table (catch $oops $h)
          (call $relay (i32.const 9)))
        (i32.const 0)))
    (func (export "run") (result i32)
      (call $report (call $catch-direct))
      (call $report (call $catch-relayed))
      (call $print (i32.const 48) (i32.const 5))
      (i32.const 0)))
  (core instance $main (instantiate $main
    (with "env" (instance $mem))
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))))
    (with "tags" (instance $tags))
    (with "t" (instance $thrower))
    (with "r" (instance $relay))))

  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
