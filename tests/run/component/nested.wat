;; Nested components: the root instantiates one inner component
;; twice, passing its host imports down (`with`); the inner component
;; reaches a root core module and a root instance type through outer
;; aliases, and its `run` is re-exported by the root. Inside it:
;; - the shim/fixup pattern: `main` imports stubs of `$shim` that
;;   `call_indirect` through a funcref table, and `$fixup`'s element segment
;;   fills the table with lowerings that need `main`'s memory and realloc;
;; - a second core module (`$side`) with its own memory and realloc, taking
;;   the same host strings through lowerings bound to them;
;; - a start function (`$init`, instantiated after the fixup) printing;
;; - synthetic core instances (`(core instance (export ...))`) as import
;;   bags.
;; Each inner instance has its own handle table (both see stdout as handle
;; 1) and its own memories (each realloc counts only its own calls).
;; kiln-test: flags = "--env K=ünï"
;; kiln-test: stdout = "start: stdout handle 1\nstart: stdout handle 1\nrun: main env K=ünï, 3 reallocs\nrun: side env K=ünï, 3 reallocs\nrun: main again, 6 reallocs\n"
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
  (type $env-type (instance
    (export "get-environment" (func (result (list (tuple string string)))))))
  (import "wasi:cli/environment@0.2.0" (instance $env (type $env-type)))

  ;; The shim, defined here and reached by the inner component through an
  ;; outer alias.
  (core module $shim
    (table (export "$imports") 2 funcref)
    (func (export "write") (param i32 i32 i32 i32)
      (call_indirect (param i32 i32 i32 i32) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (i32.const 0)))
    (func (export "env") (param i32)
      (call_indirect (param i32) (local.get 0) (i32.const 1))))

  (component $inner
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
    (alias outer $root $env-type (type $env-type))
    (import "wasi:cli/environment@0.2.0" (instance $env (type $env-type)))
    (alias outer $root $shim (core module $shim))

    (core instance $shim (instantiate $shim))
    (core func $get-stdout (canon lower (func $stdout "get-stdout")))

    ;; `main`: memory A, realloc A (counting its calls at 0x7ffc).
    (core module $main
      (import "host" "get-stdout" (func $get-stdout (result i32)))
      (import "host" "write" (func $write (param i32 i32 i32 i32)))
      (import "host" "env" (func $env (param i32)))
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x8000))
      (global $out (mut i32) (i32.const 0))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (i32.store (i32.const 0x7ffc) (i32.add (i32.load (i32.const 0x7ffc)) (i32.const 1)))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func $print (param $p i32) (param $n i32)
        (if (i32.eqz (global.get $out)) (then (global.set $out (call $get-stdout))))
        (call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 16)))
      (func $digit (param $v i32)
        (i32.store8 (i32.const 0x60) (i32.add (i32.const 48) (local.get $v)))
        (call $print (i32.const 0x60) (i32.const 1)))
      ;; Called by `$init`'s start function.
      (func (export "hello")
        (call $print (i32.const 0x100) (i32.const 21))
        (call $digit (global.get $out))
        (call $print (i32.const 0x130) (i32.const 1)))
      (func (export "print") (param i32 i32) (call $print (local.get 0) (local.get 1)))
      (func (export "run") (result i32)
        (call $env (i32.const 0x40))
        (call $print (i32.const 0x140) (i32.const 14))
        ;; The first entry's key and value.
        (call $print (i32.load (i32.load (i32.const 0x40))) (i32.load offset=4 (i32.load (i32.const 0x40))))
        (call $print (i32.const 0x150) (i32.const 1))
        (call $print (i32.load offset=8 (i32.load (i32.const 0x40))) (i32.load offset=12 (i32.load (i32.const 0x40))))
        (call $print (i32.const 0x160) (i32.const 2))
        (call $digit (i32.load (i32.const 0x7ffc)))
        (call $print (i32.const 0x170) (i32.const 10))
        (i32.const 0))
      (func (export "run-again")
        (call $env (i32.const 0x40))
        (call $print (i32.const 0x180) (i32.const 17))
        (call $digit (i32.load (i32.const 0x7ffc)))
        (call $print (i32.const 0x170) (i32.const 10)))
      (data (i32.const 0x100) "start: stdout handle ")
      (data (i32.const 0x130) "\n")
      (data (i32.const 0x140) "run: main env ")
      (data (i32.const 0x150) "=")
      (data (i32.const 0x160) ", ")
      (data (i32.const 0x170) " reallocs\n")
      (data (i32.const 0x180) "run: main again, "))
    (core instance $main (instantiate $main
      (with "host" (instance
        (export "get-stdout" (func $get-stdout))
        (export "write" (func $shim "write"))
        (export "env" (func $shim "env"))))))
    (alias core export $main "memory" (core memory $mem-a))
    (alias core export $main "realloc" (core func $realloc-a))
    (core func $write-a (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $mem-a)))
    (core func $env-a (canon lower (func $env "get-environment") (memory $mem-a) (realloc $realloc-a)))
    (core module $fixup
      (import "" "$imports" (table 2 funcref))
      (import "" "write" (func $write (param i32 i32 i32 i32)))
      (import "" "env" (func $env (param i32)))
      (elem (i32.const 0) func $write $env))
    (core instance (instantiate $fixup
      (with "" (instance
        (export "$imports" (table $shim "$imports"))
        (export "write" (func $write-a))
        (export "env" (func $env-a))))))

    ;; Memory B and realloc B, used by `$side`'s lowerings.
    (core module $mem-b
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x9000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (i32.store (i32.const 0x7ffc) (i32.add (i32.load (i32.const 0x7ffc)) (i32.const 1)))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p)))
    (core instance $mem-b (instantiate $mem-b))
    (core func $write-b (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
      (memory (core memory $mem-b "memory"))))
    (core func $env-b (canon lower (func $env "get-environment")
      (memory (core memory $mem-b "memory")) (realloc (core func $mem-b "realloc"))))
    (core module $side
      (import "b" "memory" (memory 1))
      (import "b" "write" (func $write (param i32 i32 i32 i32)))
      (import "b" "env" (func $env (param i32)))
      (import "b" "get-stdout" (func $get-stdout (result i32)))
      (import "a" "run" (func $run-a (result i32)))
      (import "a" "run-again" (func $run-again))
      (global $out (mut i32) (i32.const 0))
      (func $print (param $p i32) (param $n i32)
        (if (i32.eqz (global.get $out)) (then (global.set $out (call $get-stdout))))
        (call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 16)))
      (func (export "run") (result i32)
        (drop (call $run-a))
        (call $env (i32.const 0x40))
        (call $print (i32.const 0x140) (i32.const 14))
        (call $print (i32.load (i32.load (i32.const 0x40))) (i32.load offset=4 (i32.load (i32.const 0x40))))
        (call $print (i32.const 0x150) (i32.const 1))
        (call $print (i32.load offset=8 (i32.load (i32.const 0x40))) (i32.load offset=12 (i32.load (i32.const 0x40))))
        (call $print (i32.const 0x160) (i32.const 2))
        (i32.store8 (i32.const 0x60) (i32.add (i32.const 48) (i32.load (i32.const 0x7ffc))))
        (call $print (i32.const 0x60) (i32.const 1))
        (call $print (i32.const 0x170) (i32.const 10))
        (call $run-again)
        (i32.const 0))
      (data (i32.const 0x140) "run: side env ")
      (data (i32.const 0x150) "=")
      (data (i32.const 0x160) ", ")
      (data (i32.const 0x170) " reallocs\n"))
    (core instance $side (instantiate $side
      (with "b" (instance
        (export "memory" (memory $mem-b "memory"))
        (export "write" (func $write-b))
        (export "env" (func $env-b))
        (export "get-stdout" (func $get-stdout))))
      (with "a" (instance $main))))

    ;; A start function, once the table is filled.
    (core module $init
      (import "" "hello" (func $hello))
      (start $hello))
    (core instance (instantiate $init (with "" (instance (export "hello" (func $main "hello"))))))

    (func $run (result (result)) (canon lift (core func $side "run")))
    (instance $run-inst (export "run" (func $run)))
    (export "wasi:cli/run@0.2.0" (instance $run-inst)))

  (instance $first (instantiate $inner
    (with "wasi:io/error@0.2.0" (instance $io-error))
    (with "wasi:io/streams@0.2.0" (instance $streams))
    (with "wasi:cli/stdout@0.2.0" (instance $stdout))
    (with "wasi:cli/environment@0.2.0" (instance $env))))
  (instance $second (instantiate $inner
    (with "wasi:io/error@0.2.0" (instance $io-error))
    (with "wasi:io/streams@0.2.0" (instance $streams))
    (with "wasi:cli/stdout@0.2.0" (instance $stdout))
    (with "wasi:cli/environment@0.2.0" (instance $env))))
  (alias export $first "wasi:cli/run@0.2.0" (instance $run))
  (export "wasi:cli/run@0.2.0" (instance $run)))
