;; Dynamic-linking style command (componentize-py, `wasm-tools component
;; link`): a "libc" module owns the memory, the function table and
;; `__stack_pointer`; a shared library is loaded at `__memory_base` /
;; `__table_base` (globals of an `env` instance), fills the shared table
;; with an element segment and the shared memory with a data segment, and
;; exports its data address through a `GOT.mem` global; the main module
;; finds the library's function through `GOT.func` (a table index) and
;; calls it with `call_indirect`, reads the string through `GOT.mem`, and
;; prints it through WASI.
;; kiln-test: stdout = "dylink: hello from libfoo (42)\n"
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

  ;; libc: memory, table, stack pointer, and `write(ptr, len)` to stdout.
  (core module $libc
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (memory (export "memory") 1)
    (table (export "__indirect_function_table") 4 funcref)
    (global (export "__stack_pointer") (mut i32) (i32.const 4096))
    (func (export "write") (param $p i32) (param $n i32)
      (call $write (call $get-stdout) (local.get $p) (local.get $n) (i32.const 16))))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core module $mem-shim
    (table (export "t") 1 funcref)
    (func (export "write") (param i32 i32 i32 i32)
      (call_indirect (param i32 i32 i32 i32) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (i32.const 0))))
  (core instance $shim (instantiate $mem-shim))
  (core instance $libc (instantiate $libc
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $shim "write"))))))
  (alias core export $libc "memory" (core memory $memory))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core module $fixup
    (import "" "t" (table 1 funcref))
    (import "" "write" (func (param i32 i32 i32 i32)))
    (elem (table 0) (i32.const 0) func 0))
  (core instance (instantiate $fixup
    (with "" (instance (export "t" (table $shim "t")) (export "write" (func $write))))))

  ;; The load addresses the dynamic linker chose.
  (core module $bases
    (global (export "__memory_base") i32 (i32.const 1024))
    (global (export "__table_base") i32 (i32.const 2)))
  (core instance $bases (instantiate $bases))

  ;; libfoo.so: position-independent; data at __memory_base, function at
  ;; __table_base, exports the data's address as a GOT.mem global value.
  (core module $libfoo
    (import "env" "memory" (memory 1))
    (import "env" "__indirect_function_table" (table 4 funcref))
    (import "env" "__memory_base" (global $mb i32))
    (import "env" "__table_base" (global $tb i32))
    (func $answer (result i32) (i32.const 42))
    (elem (table 0) (global.get $tb) func $answer)
    (data (global.get $mb) "hello from libfoo")
    (global (export "greeting") i32 (i32.const 0))
    (export "answer" (func $answer)))
  (core instance $libfoo (instantiate $libfoo
    (with "env" (instance
      (export "memory" (memory $libc "memory"))
      (export "__indirect_function_table" (table $libc "__indirect_function_table"))
      (export "__memory_base" (global $bases "__memory_base"))
      (export "__table_base" (global $bases "__table_base"))))))

  ;; The GOT the dynamic linker fills: mutable globals set by an init
  ;; module's start function (as wit-component's `init` module does).
  (core module $got
    (global (export "greeting") (mut i32) (i32.const 0))
    (global (export "answer") (mut i32) (i32.const -1)))
  (core instance $got (instantiate $got))
  (core module $init
    (import "GOT.mem" "greeting" (global $g (mut i32)))
    (import "GOT.func" "answer" (global $a (mut i32)))
    (import "env" "__memory_base" (global $mb i32))
    (import "env" "__table_base" (global $tb i32))
    (import "libfoo" "greeting" (global $off i32))
    (func $init
      (global.set $g (i32.add (global.get $mb) (global.get $off)))
      (global.set $a (global.get $tb)))
    (start $init))
  (core instance (instantiate $init
    (with "GOT.mem" (instance (export "greeting" (global $got "greeting"))))
    (with "GOT.func" (instance (export "answer" (global $got "answer"))))
    (with "env" (instance
      (export "__memory_base" (global $bases "__memory_base"))
      (export "__table_base" (global $bases "__table_base"))))
    (with "libfoo" (instance $libfoo))))

  ;; The main module: PIC code reaching libfoo only through the GOT.
  (core module $main
    (import "env" "memory" (memory 1))
    (import "env" "__indirect_function_table" (table 4 funcref))
    (import "env" "__stack_pointer" (global $sp (mut i32)))
    (import "GOT.mem" "greeting" (global $greeting (mut i32)))
    (import "GOT.func" "answer" (global $answer (mut i32)))
    (import "libc.so" "write" (func $write (param i32 i32)))
    (func (export "run") (result i32)
      (local $buf i32) (local $n i32)
      ;; A frame on the shadow stack for the line.
      (local.set $buf (i32.sub (global.get $sp) (i32.const 64)))
      (global.set $sp (local.get $buf))
      (memory.copy (local.get $buf) (i32.const 2048) (i32.const 8)) ;; "dylink: "
      (memory.copy (i32.add (local.get $buf) (i32.const 8)) (global.get $greeting) (i32.const 17))
      (local.set $n (call_indirect (result i32) (global.get $answer)))
      (i32.store8 (i32.add (local.get $buf) (i32.const 25)) (i32.const 32))
      (i32.store8 (i32.add (local.get $buf) (i32.const 26)) (i32.const 40))
      (i32.store8 (i32.add (local.get $buf) (i32.const 27)) (i32.add (i32.const 48) (i32.div_u (local.get $n) (i32.const 10))))
      (i32.store8 (i32.add (local.get $buf) (i32.const 28)) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (i32.store8 (i32.add (local.get $buf) (i32.const 29)) (i32.const 41))
      (i32.store8 (i32.add (local.get $buf) (i32.const 30)) (i32.const 10))
      (call $write (local.get $buf) (i32.const 31))
      (global.set $sp (i32.add (local.get $buf) (i32.const 64)))
      (i32.const 0))
    (data (i32.const 2048) "dylink: "))
  (core instance $main (instantiate $main
    (with "env" (instance
      (export "memory" (memory $libc "memory"))
      (export "__indirect_function_table" (table $libc "__indirect_function_table"))
      (export "__stack_pointer" (global $libc "__stack_pointer"))))
    (with "GOT.mem" (instance (export "greeting" (global $got "greeting"))))
    (with "GOT.func" (instance (export "answer" (global $got "answer"))))
    (with "libc.so" (instance $libc))))

  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
