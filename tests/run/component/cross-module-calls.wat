;; Calls between core modules of one component: Kiln compiles a
;; call of an imported function as a direct call when every instance of
;; the module binds the import to the same code, and through the import's
;; slot otherwise. Covered: a defined function of another module, the
;; same code in two instances with different `VMContext`s (two counters),
;; a re-exported function and a re-exported trampoline, trampolines called
;; and tail-called, a million cross-module tail calls (frames must be
;; reused), and a module instantiated twice with different providers.
;; kiln-test: stdout = "cross\n5\n1\n2\n3\n1\n4\n7\n9\ntail\nend\n"
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

  ;; The shared memory and a one-slot function table.
  (core module $alloc
    (memory (export "memory") 1)
    (table (export "table") 1 funcref))
  (core instance $alloc (instantiate $alloc))
  (alias core export $alloc "memory" (core memory $memory))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))

  ;; `print` tail-calls the write trampoline; `digit` prints "<d>\n".
  (core module $printer
    (import "alloc" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (global $out (mut i32) (i32.const 0))
    (func $print (export "print") (param $p i32) (param $n i32)
      (if (i32.eqz (global.get $out)) (then (global.set $out (call $get-stdout))))
      (return_call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 16)))
    (func (export "digit") (param $d i32)
      (i32.store8 (i32.const 0x100) (i32.add (i32.const 48) (local.get $d)))
      (i32.store8 (i32.const 0x101) (i32.const 10))
      (call $print (i32.const 0x100) (i32.const 2))))
  (core instance $printer (instantiate $printer
    (with "alloc" (instance $alloc))
    (with "host" (instance (export "get-stdout" (func $get-stdout)) (export "write" (func $write))))))

  ;; Two instances of a counter: the same code, each with its own global.
  (core module $counter
    (global $n (mut i32) (i32.const 0))
    (func (export "bump") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (global.get $n)))
  (core instance $ca (instantiate $counter))
  (core instance $cb (instantiate $counter))

  ;; `g` tail-calls whatever is in table slot 0 (main's `f`).
  (core module $lib
    (import "alloc" "table" (table 1 funcref))
    (type $t (func (param i32) (result i32)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "seven") (result i32) (i32.const 7))
    (func (export "g") (param $n i32) (result i32)
      (return_call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1)) (i32.const 0))))
  (core instance $lib (instantiate $lib (with "alloc" (instance $alloc))))

  ;; Re-exports a defined function and a trampoline.
  (core module $relay
    (import "" "add" (func $add (param i32 i32) (result i32)))
    (import "" "write" (func $write (param i32 i32 i32 i32)))
    (export "add" (func $add))
    (export "write" (func $write)))
  (core instance $relay (instantiate $relay
    (with "" (instance (export "add" (func $lib "add")) (export "write" (func $write))))))

  ;; Instantiated twice with the same code but different counters.
  (core module $user
    (import "c" "bump" (func $bump (result i32)))
    (import "p" "digit" (func $digit (param i32)))
    (func (export "show") (call $digit (call $bump))))
  (core instance $u1 (instantiate $user
    (with "c" (instance $ca)) (with "p" (instance $printer))))
  (core instance $u2 (instantiate $user
    (with "c" (instance $cb)) (with "p" (instance $printer))))

  ;; Instantiated twice with different providers of `get`.
  (core module $two
    (import "" "get" (func $get (result i32)))
    (import "p" "digit" (func $digit (param i32)))
    (func (export "show") (call $digit (call $get))))
  (core instance $t1 (instantiate $two
    (with "" (instance (export "get" (func $ca "bump")))) (with "p" (instance $printer))))
  (core instance $t2 (instantiate $two
    (with "" (instance (export "get" (func $lib "seven")))) (with "p" (instance $printer))))

  (core module $main
    (import "alloc" "memory" (memory 1))
    (import "alloc" "table" (table 1 funcref))
    (import "printer" "print" (func $print (param i32 i32)))
    (import "printer" "digit" (func $digit (param i32)))
    (import "relay" "add" (func $add (param i32 i32) (result i32)))
    (import "relay" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "lib" "g" (func $g (param i32) (result i32)))
    (import "u1" "show" (func $u1))
    (import "u2" "show" (func $u2))
    (import "t1" "show" (func $t1))
    (import "t2" "show" (func $t2))
    (elem declare func $f)
    ;; f(n) = n == 0 ? 9 : g(n), and g(n) = f(n - 1): a million
    ;; alternations between two modules, all tail calls.
    (func $f (param $n i32) (result i32)
      (if (i32.eqz (local.get $n)) (then (return (i32.const 9))))
      (return_call $g (local.get $n)))
    (func $print-tail (param $p i32) (param $n i32)
      (return_call $print (local.get $p) (local.get $n)))
    (func $write-tail (param $p i32) (param $n i32)
      (return_call $write (call $get-stdout) (local.get $p) (local.get $n) (i32.const 16)))
    (func (export "run") (result i32)
      (call $print (i32.const 0x200) (i32.const 6))
      (call $digit (call $add (i32.const 2) (i32.const 3)))
      (call $u1) (call $u1) (call $u1) (call $u2)
      (call $t1) (call $t2)
      (table.set (i32.const 0) (ref.func $f))
      (call $digit (call $f (i32.const 1000000)))
      (call $print-tail (i32.const 0x210) (i32.const 5))
      (call $write-tail (i32.const 0x220) (i32.const 4))
      (i32.const 0))
    (data (i32.const 0x200) "cross\n")
    (data (i32.const 0x210) "tail\n")
    (data (i32.const 0x220) "end\n"))
  (core instance $main (instantiate $main
    (with "alloc" (instance $alloc))
    (with "printer" (instance $printer))
    (with "relay" (instance $relay))
    (with "host" (instance (export "get-stdout" (func $get-stdout))))
    (with "lib" (instance $lib))
    (with "u1" (instance $u1))
    (with "u2" (instance $u2))
    (with "t1" (instance $t1))
    (with "t2" (instance $t2))))

  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst)))
