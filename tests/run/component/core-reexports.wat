;; Core functions that are re-exported imports: a module whose
;; start function is an imported function, and a lifted `run`, a realloc
;; and a resource destructor named through a second core instance that
;; only imports and re-exports them. Kiln compiles no array-call entry for
;; a linked import, so the runtime must call each as the function it is
;; bound to.
;; kiln-test: flags = "--env KEY=välue"
;; kiln-test: stdout = "start\nrealloc 3\nKEY=välue\ndtor 7\n"
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
    (export "get-environment" (func (result (list (tuple string string)))))))

  ;; The memory and a realloc counting its calls at 0x7ffc.
  (core module $alloc
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x8000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (i32.store (i32.const 0x7ffc) (i32.add (i32.load (i32.const 0x7ffc)) (i32.const 1)))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $alloc (instantiate $alloc))
  (alias core export $alloc "memory" (core memory $memory))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))

  (core module $printer
    (import "alloc" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (global $out (mut i32) (i32.const 0))
    (func $print (export "print") (param $p i32) (param $n i32)
      (if (i32.eqz (global.get $out)) (then (global.set $out (call $get-stdout))))
      (call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 16)))
    (func (export "hello") (call $print (i32.const 0x100) (i32.const 6)))
    (func (export "dtor") (param $rep i32)
      (i32.store8 (i32.const 0x125) (i32.add (i32.const 48) (local.get $rep)))
      (call $print (i32.const 0x120) (i32.const 7)))
    (data (i32.const 0x100) "start\n")
    (data (i32.const 0x120) "dtor ?\n"))
  (core instance $printer (instantiate $printer
    (with "alloc" (instance $alloc))
    (with "host" (instance (export "get-stdout" (func $get-stdout)) (export "write" (func $write))))))

  ;; Imports three functions and re-exports them; its start function is
  ;; one of them.
  (core module $relay
    (import "" "hello" (func $hello))
    (import "" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "" "dtor" (func $dtor (param i32)))
    (export "realloc" (func $realloc))
    (export "dtor" (func $dtor))
    (start $hello))
  (core instance $relay (instantiate $relay
    (with "" (instance
      (export "hello" (func $printer "hello"))
      (export "realloc" (func $alloc "realloc"))
      (export "dtor" (func $printer "dtor"))))))

  (type $thing (resource (rep i32) (dtor (core func $relay "dtor"))))
  (core func $thing-new (canon resource.new $thing))
  (core func $thing-drop (canon resource.drop $thing))
  (core func $get-env (canon lower (func $env "get-environment")
    (memory $memory) (realloc (core func $relay "realloc"))))

  (core module $main
    (import "alloc" "memory" (memory 1))
    (import "printer" "print" (func $print (param i32 i32)))
    (import "host" "get-env" (func $get-env (param i32)))
    (import "host" "new" (func $new (param i32) (result i32)))
    (import "host" "drop" (func $drop (param i32)))
    (func (export "run") (result i32)
      (local $e i32)
      (call $get-env (i32.const 0x40))
      (i32.store8 (i32.const 0x208) (i32.add (i32.const 48) (i32.load (i32.const 0x7ffc))))
      (call $print (i32.const 0x200) (i32.const 10))
      (local.set $e (i32.load (i32.const 0x40)))
      (call $print (i32.load (local.get $e)) (i32.load offset=4 (local.get $e)))
      (call $print (i32.const 0x210) (i32.const 1))
      (call $print (i32.load offset=8 (local.get $e)) (i32.load offset=12 (local.get $e)))
      (call $print (i32.const 0x211) (i32.const 1))
      (call $drop (call $new (i32.const 7)))
      (i32.const 0))
    (data (i32.const 0x200) "realloc ?\n")
    (data (i32.const 0x210) "=\n"))
  (core instance $main (instantiate $main
    (with "alloc" (instance $alloc))
    (with "printer" (instance $printer))
    (with "host" (instance
      (export "get-env" (func $get-env))
      (export "new" (func $thing-new))
      (export "drop" (func $thing-drop))))))

  ;; `run` lifted from a relay too.
  (core module $relay2
    (import "" "run" (func $run (result i32)))
    (export "run" (func $run)))
  (core instance $relay2 (instantiate $relay2 (with "" (instance (export "run" (func $main "run"))))))
  (func $run (result (result)) (canon lift (core func $relay2 "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst)))
