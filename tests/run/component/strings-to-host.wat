;; Strings passed TO the host: `wasi:filesystem` path strings
;; lifted from the guest under `string-encoding=utf8`, `utf16` and
;; `latin1+utf16` (Latin-1 bytes, or UTF-16 tagged by bit 31 of the
;; length). A directory is created under one encoding and found (`exist`),
;; removed and missed (`no-entry`) under the others, so the host decoded the
;; same name each time. Then the traps for malformed strings: invalid UTF-8,
;; an unpaired surrogate, an odd UTF-16 pointer, a string past the end of
;; memory.
;; kiln-test: flags = "--dir /tmp::/t"
;; kiln-test: stdout = "create utf16 ok\ncreate latin1+utf16 err 7\nremove utf8 ok\nremove utf16 err 20\ncreate latin1 ok\ncreate utf8 err 7\nremove utf16 ok\nremove latin1 err 20\n"
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
  (import "wasi:filesystem/types@0.2.0" (instance $types
    (export "descriptor" (type $d (sub resource)))
    (type $ec (enum "access" "would-block" "already" "bad-descriptor" "busy" "deadlock"
      "quota" "exist" "file-too-large" "illegal-byte-sequence" "in-progress" "interrupted"
      "invalid" "io" "is-directory" "loop" "too-many-links" "message-size" "name-too-long"
      "no-device" "no-entry" "no-lock" "insufficient-memory" "insufficient-space"
      "not-directory" "not-empty" "not-recoverable" "unsupported" "no-tty" "no-such-device"
      "overflow" "not-permitted" "pipe" "read-only" "invalid-seek" "text-file-busy"
      "cross-device"))
    (export "error-code" (type $ec' (eq $ec)))
    (export "[method]descriptor.create-directory-at"
      (func (param "self" (borrow $d)) (param "path" string) (result (result (error $ec')))))
    (export "[method]descriptor.remove-directory-at"
      (func (param "self" (borrow $d)) (param "path" string) (result (result (error $ec')))))))
  (alias export $types "descriptor" (type $descriptor))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (alias outer 1 $descriptor (type $d))
    (export "descriptor" (type $d' (eq $d)))
    (export "get-directories" (func (result (list (tuple (own $d') string)))))))

  (core module $alloc
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x8000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $alloc (instantiate $alloc))
  (alias core export $alloc "memory" (core memory $memory))
  (alias core export $alloc "realloc" (core func $realloc))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))
  (core func $get-directories (canon lower (func $preopens "get-directories") (memory $memory) (realloc $realloc)))
  (core func $mkdir-utf8 (canon lower (func $types "[method]descriptor.create-directory-at") (memory $memory) string-encoding=utf8))
  (core func $mkdir-utf16 (canon lower (func $types "[method]descriptor.create-directory-at") (memory $memory) string-encoding=utf16))
  (core func $mkdir-compact (canon lower (func $types "[method]descriptor.create-directory-at") (memory $memory) string-encoding=latin1+utf16))
  (core func $rmdir-utf8 (canon lower (func $types "[method]descriptor.remove-directory-at") (memory $memory)))
  (core func $rmdir-utf16 (canon lower (func $types "[method]descriptor.remove-directory-at") (memory $memory) string-encoding=utf16))
  (core func $rmdir-compact (canon lower (func $types "[method]descriptor.remove-directory-at") (memory $memory) string-encoding=latin1+utf16))

  (core module $main
    (import "alloc" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-directories" (func $get-directories (param i32)))
    (import "host" "mkdir-utf8" (func $mkdir-utf8 (param i32 i32 i32 i32)))
    (import "host" "mkdir-utf16" (func $mkdir-utf16 (param i32 i32 i32 i32)))
    (import "host" "mkdir-compact" (func $mkdir-compact (param i32 i32 i32 i32)))
    (import "host" "rmdir-utf8" (func $rmdir-utf8 (param i32 i32 i32 i32)))
    (import "host" "rmdir-utf16" (func $rmdir-utf16 (param i32 i32 i32 i32)))
    (import "host" "rmdir-compact" (func $rmdir-compact (param i32 i32 i32 i32)))
    (global $out (mut i32) (i32.const 0))
    (global $dir (mut i32) (i32.const 0))
    (func $print (param $p i32) (param $n i32)
      (if (i32.eqz (global.get $out)) (then (global.set $out (call $get-stdout))))
      (call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 16)))
    (func $dir (result i32)
      (if (i32.eqz (global.get $dir))
        (then
          (call $get-directories (i32.const 0x40))
          (global.set $dir (i32.load (i32.load (i32.const 0x40))))))
      (global.get $dir))
    ;; Prints the label (`n` bytes at `p`) and the result at 0x50:
    ;; result<_, error-code>.
    (func $report (param $p i32) (param $n i32)
      (local $code i32)
      (call $print (local.get $p) (local.get $n))
      (if (i32.eqz (i32.load8_u (i32.const 0x50)))
        (then (call $print (i32.const 0x300) (i32.const 3)))
        (else
          (call $print (i32.const 0x310) (i32.const 4))
          (local.set $code (i32.load8_u (i32.const 0x51)))
          (if (i32.ge_u (local.get $code) (i32.const 10))
            (then
              (i32.store8 (i32.const 0x60) (i32.add (i32.const 48) (i32.div_u (local.get $code) (i32.const 10))))
              (call $print (i32.const 0x60) (i32.const 1))))
          (i32.store8 (i32.const 0x60) (i32.add (i32.const 48) (i32.rem_u (local.get $code) (i32.const 10))))
          (i32.store8 (i32.const 0x61) (i32.const 10))
          (call $print (i32.const 0x60) (i32.const 2)))))
    (func (export "run") (result i32)
      ;; A leftover of an interrupted run would turn `ok` into `exist`.
      (call $rmdir-utf8 (call $dir) (i32.const 0x100) (i32.const 15) (i32.const 0x50))
      (call $rmdir-utf8 (call $dir) (i32.const 0x200) (i32.const 12) (i32.const 0x50))
      ;; "kiln-cm-ÿ☃" as UTF-16 (10 units) under utf16 and tagged under
      ;; latin1+utf16; as UTF-8 (14 bytes: 8 + 2 + 3) under utf8.
      (call $mkdir-utf16 (call $dir) (i32.const 0x120) (i32.const 10) (i32.const 0x50))
      (call $report (i32.const 0x400) (i32.const 13))
      (call $mkdir-compact (call $dir) (i32.const 0x120) (i32.const 0x8000000a) (i32.const 0x50))
      (call $report (i32.const 0x410) (i32.const 20))
      (call $rmdir-utf8 (call $dir) (i32.const 0x100) (i32.const 13) (i32.const 0x50))
      (call $report (i32.const 0x430) (i32.const 12))
      (call $rmdir-utf16 (call $dir) (i32.const 0x120) (i32.const 10) (i32.const 0x50))
      (call $report (i32.const 0x440) (i32.const 13))
      ;; "kiln-cm-ÿé" as Latin-1 (10 bytes), UTF-16 and UTF-8 (12 bytes).
      (call $mkdir-compact (call $dir) (i32.const 0x180) (i32.const 10) (i32.const 0x50))
      (call $report (i32.const 0x450) (i32.const 14))
      (call $mkdir-utf8 (call $dir) (i32.const 0x200) (i32.const 12) (i32.const 0x50))
      (call $report (i32.const 0x460) (i32.const 12))
      (call $rmdir-utf16 (call $dir) (i32.const 0x1a0) (i32.const 10) (i32.const 0x50))
      (call $report (i32.const 0x470) (i32.const 13))
      (call $rmdir-compact (call $dir) (i32.const 0x180) (i32.const 10) (i32.const 0x50))
      (call $report (i32.const 0x480) (i32.const 14))
      (i32.const 0))
    (func (export "bad-utf8")
      (call $mkdir-utf8 (call $dir) (i32.const 0x220) (i32.const 3) (i32.const 0x50)))
    (func (export "lone-surrogate")
      (call $mkdir-utf16 (call $dir) (i32.const 0x230) (i32.const 2) (i32.const 0x50)))
    (func (export "odd-utf16")
      (call $mkdir-utf16 (call $dir) (i32.const 0x121) (i32.const 2) (i32.const 0x50)))
    (func (export "past-end")
      (call $mkdir-utf8 (call $dir) (i32.const 0xfff0) (i32.const 0x20) (i32.const 0x50)))
    (func (export "past-end-compact")
      (call $mkdir-compact (call $dir) (i32.const 0xfff0) (i32.const 0x80000010) (i32.const 0x50)))
    (data (i32.const 0x100) "kiln-cm-\c3\bf\e2\98\83")
    (data (i32.const 0x120) "k\00i\00l\00n\00-\00c\00m\00-\00\ff\00\03\26")
    (data (i32.const 0x180) "kiln-cm-\ff\e9")
    (data (i32.const 0x1a0) "k\00i\00l\00n\00-\00c\00m\00-\00\ff\00\e9\00")
    (data (i32.const 0x200) "kiln-cm-\c3\bf\c3\a9")
    (data (i32.const 0x220) "a\c3(")
    (data (i32.const 0x230) "a\00\00\d8")
    (data (i32.const 0x300) "ok\n")
    (data (i32.const 0x310) "err ")
    (data (i32.const 0x400) "create utf16 ")
    (data (i32.const 0x410) "create latin1+utf16 ")
    (data (i32.const 0x430) "remove utf8 ")
    (data (i32.const 0x440) "remove utf16 ")
    (data (i32.const 0x450) "create latin1 ")
    (data (i32.const 0x460) "create utf8 ")
    (data (i32.const 0x470) "remove utf16 ")
    (data (i32.const 0x480) "remove latin1 "))
  (core instance $main (instantiate $main
    (with "alloc" (instance $alloc))
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))
      (export "get-directories" (func $get-directories))
      (export "mkdir-utf8" (func $mkdir-utf8))
      (export "mkdir-utf16" (func $mkdir-utf16))
      (export "mkdir-compact" (func $mkdir-compact))
      (export "rmdir-utf8" (func $rmdir-utf8))
      (export "rmdir-utf16" (func $rmdir-utf16))
      (export "rmdir-compact" (func $rmdir-compact))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
  (func (export "bad-utf8") (canon lift (core func $main "bad-utf8")))
  (func (export "lone-surrogate") (canon lift (core func $main "lone-surrogate")))
  (func (export "odd-utf16") (canon lift (core func $main "odd-utf16")))
  (func (export "past-end") (canon lift (core func $main "past-end")))
  (func (export "past-end-compact") (canon lift (core func $main "past-end-compact"))))
;; kiln-test: invoke = "bad-utf8()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf-8 sequence of 1 bytes from index 1"
;; kiln-test: invoke = "lone-surrogate()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unpaired surrogate found: d800"
;; kiln-test: invoke = "odd-utf16()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "string pointer not aligned to 2"
;; kiln-test: invoke = "past-end()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "string pointer/length out of bounds of memory"
;; kiln-test: invoke = "past-end-compact()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "string pointer/length out of bounds of memory"
