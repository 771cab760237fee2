;; Traps and errors raised by host code inside a component print the wasm
;; backtrace of the host call, as in Wasmtime 49, across every activation:
;; `run` passes an out-of-bounds list to a lowered import (an error, exit
;; 1); `leave` makes the guest's `realloc`, called by the host to lower a
;; result, call an import (`cannot leave component instance`, a trap,
;; 134); `bad-drop` drops an unknown handle (an error); `realloc-traps`
;; traps in that `realloc`. Frames under the host call (`main!leave` below
;; `alloc!<wasm function 1>`) must be there: the walk crosses the host
;; frames between the two activations.
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: error while executing at wasm backtrace:\n    0:    0x3d3 - main!bad-write\n    1:    0x409 - main!middle\n    2:    0x42f - main!outer\n    3:    0x436 - main!<wasm function 10>\n    2: list pointer/length out of bounds of memory\n"
;; kiln-test: invoke = "leave()"
;; kiln-test: trap = "cannot leave component instance"
;; kiln-test: stderr-contains = "    0: error while executing at wasm backtrace:\n    0:    0x234 - alloc!<wasm function 1>\n    1:    0x3e4 - main!leave\n    2:    0x413 - main!middle\n    3:    0x42f - main!outer\n    4:    0x43f - main!<wasm function 11>\n    1: wasm trap: cannot leave component instance\n"
;; kiln-test: invoke = "bad-drop()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    0: error while executing at wasm backtrace:\n    0:    0x3fd - main!bad-drop\n    1:    0x41d - main!middle\n    2:    0x42f - main!outer\n    3:    0x446 - main!<wasm function 12>\n    1: unknown handle index 77\n"
;; kiln-test: invoke = "realloc-traps()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "    0: error while executing at wasm backtrace:\n    0:    0x23f - alloc!<wasm function 1>\n    1:    0x3f5 - main!realloc-traps\n    2:    0x427 - main!middle\n    3:    0x42f - main!outer\n    4:    0x44d - main!<wasm function 13>\n    1: wasm trap: wasm `unreachable` instruction executed\n"
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
  (core func $os-drop (canon resource.drop $output-stream))
  (core module $alloc
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x8000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (if (i32.load (i32.const 0x7ff0)) (then (drop (call $get-stdout))))
      (if (i32.load (i32.const 0x7ff8)) (then unreachable))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $alloc (instantiate $alloc
    (with "host" (instance (export "get-stdout" (func $get-stdout))))))
  (alias core export $alloc "memory" (core memory $memory))
  (alias core export $alloc "realloc" (core func $realloc))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core func $args (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc)))

  (core module $main
    (import "alloc" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "args" (func $args (param i32)))
    (import "host" "os-drop" (func $os-drop (param i32)))
    (func $bad-write
      (call $write (call $get-stdout) (i32.const 0xfff0) (i32.const 0x100) (i32.const 16)))
    (func $leave
      (i32.store (i32.const 0x7ff0) (i32.const 1))
      (call $args (i32.const 0x40)))
    (func $realloc-traps
      (i32.store (i32.const 0x7ff8) (i32.const 1))
      (call $args (i32.const 0x40)))
    (func $bad-drop (call $os-drop (i32.const 77)))
    (func $middle (param i32)
      (if (i32.eq (local.get 0) (i32.const 0)) (then (call $bad-write)))
      (if (i32.eq (local.get 0) (i32.const 1)) (then (call $leave)))
      (if (i32.eq (local.get 0) (i32.const 2)) (then (call $bad-drop)))
      (if (i32.eq (local.get 0) (i32.const 4)) (then (call $realloc-traps))))
    (func $outer (param i32) (call $middle (local.get 0)))
    (func (export "run") (result i32) (call $outer (i32.const 0)) (i32.const 0))
    (func (export "leave") (call $outer (i32.const 1)))
    (func (export "bad-drop") (call $outer (i32.const 2)))
    (func (export "realloc-traps") (call $outer (i32.const 4))))
  (core instance $main (instantiate $main
    (with "alloc" (instance $alloc))
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))
      (export "args" (func $args))
      (export "os-drop" (func $os-drop))))))
  (func $run (result (result))
    (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
  (func (export "leave") (canon lift (core func $main "leave")))
  (func (export "bad-drop") (canon lift (core func $main "bad-drop")))
  (func (export "realloc-traps") (canon lift (core func $main "realloc-traps"))))
