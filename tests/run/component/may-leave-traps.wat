;; may_leave: while the host calls a guest realloc (lowering
;; strings into the guest) or a post-return function, the instance may not
;; leave: a lowered import or resource.new called from either is a wasm
;; trap (exit 134), as in Wasmtime, whose trampolines check may_leave for
;; lowered imports, resource.new and resource.drop (not resource.rep).
;; kiln-test: invoke = "realloc-calls-import()"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: invoke = "realloc-calls-builtin()"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: invoke = "post-calls-import()"
;; kiln-test: trap = "cannot leave component instance"
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
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-arguments" (func (result (list string))))))

  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (type $thing (resource (rep i32)))
  (core func $thing-new (canon resource.new $thing))
  ;; The memory and a realloc that calls an import when 0x7ff0 is set, or
  ;; resource.new when 0x7ff4 is set.
  (core module $alloc
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "thing-new" (func $thing-new (param i32) (result i32)))
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x8000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (if (i32.load (i32.const 0x7ff0)) (then (drop (call $get-stdout))))
      (if (i32.load (i32.const 0x7ff4)) (then (drop (call $thing-new (i32.const 1)))))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $alloc (instantiate $alloc
    (with "host" (instance (export "get-stdout" (func $get-stdout)) (export "thing-new" (func $thing-new))))))
  (alias core export $alloc "memory" (core memory $memory))
  (alias core export $alloc "realloc" (core func $realloc))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core func $args (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc)))

  (core module $main
    (import "alloc" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "args" (func $args (param i32)))
    (func $print (param $p i32) (param $n i32)
      (call $write (call $get-stdout) (local.get $p) (local.get $n) (i32.const 16)))
    (func (export "run") (result i32)
      (call $print (i32.const 0x100) (i32.const 4))
      (i32.const 0))
    ;; `run`'s result is `ok` (0).
    (func (export "run-post") (param i32)
      (if (i32.eqz (local.get 0)) (then unreachable)))
    (func (export "args-ok") (result i32)
      (call $args (i32.const 0x40))
      (call $print (i32.const 0x110) (i32.const 3))
      (i32.const 0))
    (func (export "realloc-calls-import")
      (i32.store (i32.const 0x7ff0) (i32.const 1))
      (call $args (i32.const 0x40)))
    (func (export "realloc-calls-builtin")
      (i32.store (i32.const 0x7ff4) (i32.const 1))
      (call $args (i32.const 0x40)))
    (func (export "seven") (result i32) (i32.const 7))
    (func (export "post-calls-import") (param i32)
      (drop (call $get-stdout)))
    (data (i32.const 0x100) "run\n")
    (data (i32.const 0x110) "ok\n"))
  (core instance $main (instantiate $main
    (with "alloc" (instance $alloc))
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))
      (export "args" (func $args))))))
  (func $run (result (result))
    (canon lift (core func $main "run") (post-return (core func $main "run-post"))))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
  (func (export "args-ok") (result (result)) (canon lift (core func $main "args-ok")))
  (func (export "realloc-calls-import") (canon lift (core func $main "realloc-calls-import")))
  (func (export "realloc-calls-builtin") (canon lift (core func $main "realloc-calls-builtin")))
  (func (export "post-calls-import") (result u32)
    (canon lift (core func $main "seven") (post-return (core func $main "post-calls-import")))))
