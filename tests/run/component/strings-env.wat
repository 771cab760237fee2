;; Strings lowered INTO the guest: `wasi:cli/environment`
;; get-environment (list<tuple<string, string>>) and get-arguments
;; (list<string>) through three lowerings with `string-encoding=utf8`,
;; `utf16` and `latin1+utf16`, non-ASCII values, the same logging realloc:
;; each realloc call (old pointer null or not, old size, alignment, new
;; size) is printed in order, then each string's length word (bit 31 tags
;; UTF-16 under latin1+utf16) and bytes in hex. The list buffer comes
;; first with the element alignment, then the strings in order; utf16
;; allocates the worst case (2 bytes per UTF-8 byte) and shrinks;
;; latin1+utf16 tries Latin-1 first (shrinking when a UTF-8 pair became one
;; byte), else grows to the worst-case UTF-16 and shrinks. get-arguments skips argv[0] (the program path differs between
;; engines).
;; kiln-test: flags = "--env A=x --env É=é --env S=☃😀"
;; kiln-test: args = "ÿ z€"
;; kiln-test: stdout = "utf8\nrealloc 0 0 4 48\nrealloc 0 0 1 1\nrealloc 0 0 1 1\nrealloc 0 0 1 2\nrealloc 0 0 1 2\nrealloc 0 0 1 1\nrealloc 0 0 1 7\n00000001 41\n00000001 78\n00000002 c389\n00000002 c3a9\n00000001 53\n00000007 e29883f09f9880\nutf16\nrealloc 0 0 4 48\nrealloc 0 0 2 2\nrealloc 0 0 2 2\nrealloc 0 0 2 4\nrealloc 1 4 2 2\nrealloc 0 0 2 4\nrealloc 1 4 2 2\nrealloc 0 0 2 2\nrealloc 0 0 2 14\nrealloc 1 14 2 6\n00000001 4100\n00000001 7800\n00000001 c900\n00000001 e900\n00000001 5300\n00000003 03263dd800de\nlatin1+utf16\nrealloc 0 0 4 48\nrealloc 0 0 2 1\nrealloc 0 0 2 1\nrealloc 0 0 2 2\nrealloc 1 2 2 1\nrealloc 0 0 2 2\nrealloc 1 2 2 1\nrealloc 0 0 2 1\nrealloc 0 0 2 7\nrealloc 1 7 2 14\nrealloc 1 14 2 6\n00000001 41\n00000001 78\n00000001 c9\n00000001 e9\n00000001 53\n80000003 03263dd800de\nargs\n00000002 c3bf\n00000004 7ae282ac\n00000001 ff00\n00000002 7a00ac20\n00000001 ff\n80000002 7a00ac20\n"
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
    (export "get-environment" (func (result (list (tuple string string)))))
    (export "get-arguments" (func (result (list string))))))

  ;; Memory, a bump allocator that logs each call at 0x8000 (4 words), and
  ;; the log's length at 0x7ffc.
  (core module $alloc
    (memory (export "memory") 2)
    (global $bump (mut i32) (i32.const 0x10000))
    (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32) (local $log i32)
      (local.set $log (i32.add (i32.const 0x8000) (i32.load (i32.const 0x7ffc))))
      (i32.store (local.get $log) (i32.ne (local.get $old) (i32.const 0)))
      (i32.store offset=4 (local.get $log) (local.get $old-size))
      (i32.store offset=8 (local.get $log) (local.get $align))
      (i32.store offset=12 (local.get $log) (local.get $size))
      (i32.store (i32.const 0x7ffc) (i32.add (i32.load (i32.const 0x7ffc)) (i32.const 16)))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (global.set $bump (i32.add (local.get $p) (local.get $size)))
      ;; Growing copies the old bytes, as a real allocator would.
      (memory.copy (local.get $p) (local.get $old) (local.get $old-size))
      (local.get $p)))
  (core instance $alloc (instantiate $alloc))
  (alias core export $alloc "memory" (core memory $memory))
  (alias core export $alloc "realloc" (core func $realloc))

  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core func $env-utf8 (canon lower (func $env "get-environment") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core func $env-utf16 (canon lower (func $env "get-environment") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core func $env-compact (canon lower (func $env "get-environment") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core func $args-utf8 (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc)))
  (core func $args-utf16 (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core func $args-compact (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))

  (core module $main
    (import "alloc" "memory" (memory 2))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "env-utf8" (func $env-utf8 (param i32)))
    (import "host" "env-utf16" (func $env-utf16 (param i32)))
    (import "host" "env-compact" (func $env-compact (param i32)))
    (import "host" "args-utf8" (func $args-utf8 (param i32)))
    (import "host" "args-utf16" (func $args-utf16 (param i32)))
    (import "host" "args-compact" (func $args-compact (param i32)))
    (global $out (mut i32) (i32.const 0))
    (func $print (param $p i32) (param $n i32)
      (if (i32.eqz (global.get $out)) (then (global.set $out (call $get-stdout))))
      (call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 16)))
    (func $char (param $c i32)
      (i32.store8 (i32.const 64) (local.get $c))
      (call $print (i32.const 64) (i32.const 1)))
    (func $nibble (param $v i32)
      (call $char (i32.load8_u offset=32 (i32.and (local.get $v) (i32.const 15)))))
    (func $hex8 (param $v i32)
      (call $nibble (i32.shr_u (local.get $v) (i32.const 4)))
      (call $nibble (local.get $v)))
    (func $hex32 (param $v i32)
      (call $hex8 (i32.shr_u (local.get $v) (i32.const 24)))
      (call $hex8 (i32.shr_u (local.get $v) (i32.const 16)))
      (call $hex8 (i32.shr_u (local.get $v) (i32.const 8)))
      (call $hex8 (local.get $v)))
    (func $dec (param $v i32)
      (if (i32.ge_u (local.get $v) (i32.const 10)) (then (call $dec (i32.div_u (local.get $v) (i32.const 10)))))
      (call $char (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))
    ;; A string's length word and its bytes (two per code unit if bit 31
    ;; or `$wide` says UTF-16).
    (func $string (param $p i32) (param $len i32) (param $wide i32)
      (local $n i32) (local $i i32)
      (call $hex32 (local.get $len))
      (call $char (i32.const 32))
      (local.set $n (i32.and (local.get $len) (i32.const 0x7fffffff)))
      (if (i32.or (local.get $wide) (i32.shr_u (local.get $len) (i32.const 31)))
        (then (local.set $n (i32.shl (local.get $n) (i32.const 1)))))
      (block $done (loop $byte
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $hex8 (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $byte)))
      (call $char (i32.const 10)))
    ;; Prints the realloc log, then empties it.
    (func $log
      (local $e i32)
      (local.set $e (i32.const 0x8000))
      (block $done (loop $entry
        (br_if $done (i32.ge_u (local.get $e) (i32.add (i32.const 0x8000) (i32.load (i32.const 0x7ffc)))))
        (call $print (i32.const 0) (i32.const 8))
        (call $dec (i32.load (local.get $e)))
        (call $char (i32.const 32))
        (call $dec (i32.load offset=4 (local.get $e)))
        (call $char (i32.const 32))
        (call $dec (i32.load offset=8 (local.get $e)))
        (call $char (i32.const 32))
        (call $dec (i32.load offset=12 (local.get $e)))
        (call $char (i32.const 10))
        (local.set $e (i32.add (local.get $e) (i32.const 16)))
        (br $entry)))
      (i32.store (i32.const 0x7ffc) (i32.const 0)))
    ;; The result of get-environment at 0x100: (ptr, len) of tuples of two
    ;; strings (16 bytes each).
    (func $show-env (param $wide i32)
      (local $p i32) (local $end i32)
      (call $log)
      (local.set $p (i32.load (i32.const 0x100)))
      (local.set $end (i32.add (local.get $p) (i32.shl (i32.load (i32.const 0x104)) (i32.const 4))))
      (block $done (loop $entry
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (call $string (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)) (local.get $wide))
        (call $string (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p)) (local.get $wide))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $entry))))
    ;; get-arguments at 0x100, without argv[0] and without the realloc log.
    (func $show-args (param $wide i32)
      (local $p i32) (local $end i32)
      (i32.store (i32.const 0x7ffc) (i32.const 0))
      (local.set $p (i32.add (i32.load (i32.const 0x100)) (i32.const 8)))
      (local.set $end (i32.add (i32.load (i32.const 0x100)) (i32.shl (i32.load (i32.const 0x104)) (i32.const 3))))
      (block $done (loop $entry
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (call $string (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)) (local.get $wide))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $entry))))
    (func (export "run") (result i32)
      (call $print (i32.const 72) (i32.const 5))
      (call $env-utf8 (i32.const 0x100))
      (call $show-env (i32.const 0))
      (call $print (i32.const 80) (i32.const 6))
      (call $env-utf16 (i32.const 0x100))
      (call $show-env (i32.const 1))
      (call $print (i32.const 88) (i32.const 13))
      (call $env-compact (i32.const 0x100))
      (call $show-env (i32.const 0))
      (call $print (i32.const 104) (i32.const 5))
      (call $args-utf8 (i32.const 0x100))
      (call $show-args (i32.const 0))
      (call $args-utf16 (i32.const 0x100))
      (call $show-args (i32.const 1))
      (call $args-compact (i32.const 0x100))
      (call $show-args (i32.const 0))
      (i32.const 0))
    (data (i32.const 0) "realloc ")
    (data (i32.const 32) "0123456789abcdef")
    (data (i32.const 72) "utf8\n")
    (data (i32.const 80) "utf16\n")
    (data (i32.const 88) "latin1+utf16\n")
    (data (i32.const 104) "args\n"))
  (core instance $main (instantiate $main
    (with "alloc" (instance $alloc))
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))
      (export "env-utf8" (func $env-utf8))
      (export "env-utf16" (func $env-utf16))
      (export "env-compact" (func $env-compact))
      (export "args-utf8" (func $args-utf8))
      (export "args-utf16" (func $args-utf16))
      (export "args-compact" (func $args-compact))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst)))
