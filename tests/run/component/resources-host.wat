;; Imported host resources: `[resource-drop]output-stream` through
;; `canon resource.drop` of the imported type, the freed index reused by the
;; next `get-stdout`, several streams alive at once, stderr and stdin;
;; then the errors (not traps: exit 1, as Wasmtime): writing through a
;; dropped handle, dropping it twice, passing a guest-defined resource or
;; another host resource type (input-stream) as `self` or to the drop.
;; Wasmtime reports every type mismatch in a guest table as between
;; guest-defined resources (its guest tables type host resources by the
;; component's own type).
(component
  (import "wasi:io/error@0.2.0" (instance $io-error
    (export "error" (type (sub resource)))))
  (alias export $io-error "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error (type $e))
    (export "error" (type $err (eq $e)))
    (export "output-stream" (type $os (sub resource)))
    (export "input-stream" (type $is (sub resource)))
    (type $se (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $se' (eq $se)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se')))))))
  (alias export $streams "output-stream" (type $output-stream))
  (alias export $streams "input-stream" (type $input-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (import "wasi:cli/stderr@0.2.0" (instance $stderr
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stderr" (func (result (own $os))))))
  (import "wasi:cli/stdin@0.2.0" (instance $stdin
    (alias outer 1 $input-stream (type $i))
    (export "input-stream" (type $is (eq $i)))
    (export "get-stdin" (func (result (own $is))))))

  (core module $mem
    (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (type $thing (resource (rep i32)))
  (core func $thing-new (canon resource.new $thing))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $get-stderr (canon lower (func $stderr "get-stderr")))
  (core func $get-stdin (canon lower (func $stdin "get-stdin")))
  (core func $drop-os (canon resource.drop $output-stream))
  (core func $drop-is (canon resource.drop $input-stream))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))

  (core module $main
    (import "mem" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "get-stderr" (func $get-stderr (result i32)))
    (import "host" "get-stdin" (func $get-stdin (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "drop-os" (func $drop-os (param i32)))
    (import "host" "drop-is" (func $drop-is (param i32)))
    (import "host" "thing-new" (func $thing-new (param i32) (result i32)))
    ;; Writes the `n` bytes at `p` to handle `h`, then the handle's digit
    ;; and a newline.
    (func $say (param $h i32) (param $p i32) (param $n i32)
      (call $write (local.get $h) (local.get $p) (local.get $n) (i32.const 16))
      (i32.store8 (i32.const 80) (i32.add (i32.const 48) (local.get $h)))
      (i32.store8 (i32.const 81) (i32.const 10))
      (call $write (local.get $h) (i32.const 80) (i32.const 2) (i32.const 16)))
    (func (export "run") (result i32)
      (local $a i32) (local $b i32) (local $e i32) (local $c i32)
      (local.set $a (call $get-stdout))
      (local.set $b (call $get-stdout))
      (local.set $e (call $get-stderr))
      (call $say (local.get $a) (i32.const 100) (i32.const 9))
      (call $say (local.get $b) (i32.const 100) (i32.const 9))
      (call $say (local.get $e) (i32.const 110) (i32.const 9))
      (call $drop-os (local.get $a))
      (call $drop-os (local.get $e))
      ;; LIFO: stderr's index first, then the first stdout's.
      (local.set $c (call $get-stdout))
      (call $say (local.get $c) (i32.const 100) (i32.const 9))
      (call $say (call $get-stdout) (i32.const 100) (i32.const 9))
      (call $drop-is (call $get-stdin))
      (call $say (call $get-stdout) (i32.const 100) (i32.const 9))
      (i32.const 0))
    (func (export "write-dropped")
      (local $a i32)
      (local.set $a (call $get-stdout))
      (call $drop-os (local.get $a))
      (call $write (local.get $a) (i32.const 100) (i32.const 9) (i32.const 16)))
    (func (export "drop-twice")
      (local $a i32)
      (local.set $a (call $get-stdout))
      (call $drop-os (local.get $a))
      (call $drop-os (local.get $a)))
    (func (export "write-thing")
      (call $write (call $thing-new (i32.const 5)) (i32.const 100) (i32.const 9) (i32.const 16)))
    (func (export "write-stdin")
      (call $write (call $get-stdin) (i32.const 100) (i32.const 9) (i32.const 16)))
    (func (export "drop-stdin-as-output")
      (call $drop-os (call $get-stdin)))
    (data (i32.const 100) "stdout h=")
    (data (i32.const 110) "stderr h="))
  (core instance $main (instantiate $main
    (with "mem" (instance $mem))
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "get-stderr" (func $get-stderr))
      (export "get-stdin" (func $get-stdin))
      (export "write" (func $write))
      (export "drop-os" (func $drop-os))
      (export "drop-is" (func $drop-is))
      (export "thing-new" (func $thing-new))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
  (func (export "write-dropped") (canon lift (core func $main "write-dropped")))
  (func (export "drop-twice") (canon lift (core func $main "drop-twice")))
  (func (export "write-thing") (canon lift (core func $main "write-thing")))
  (func (export "write-stdin") (canon lift (core func $main "write-stdin")))
  (func (export "drop-stdin-as-output") (canon lift (core func $main "drop-stdin-as-output"))))
;; kiln-test: stdout = "stdout h=1\nstdout h=2\nstdout h=3\nstdout h=1\nstdout h=4\n"
;; kiln-test: stderr = "stderr h=3\n"
;; kiln-test: invoke = "write-dropped()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 1"
;; kiln-test: invoke = "drop-twice()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 1"
;; kiln-test: invoke = "write-thing()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"
;; kiln-test: invoke = "write-stdin()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"
;; kiln-test: invoke = "drop-stdin-as-output()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"
