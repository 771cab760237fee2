;; Strings returned across component instances, moved as Wasmtime 49
;; moves them (see compose-string-transcode.wat for parameters): the
;; callee's results in its memory (a pointer to the string's pointer and
;; length), checked and read, the string transcoded into the caller's
;; memory with the caller's `realloc`, each run compared with `wasmtime
;; run`: valid text (the caller reads the length it got), text that is not
;; valid in its encoding (equal encodings and a list of strings too), a
;; string or a results pointer out of bounds or misaligned.
;; Callee memory: 16 "hello", 32 "h\ff" (bad UTF-8), 48 "h" and a lone
;; surrogate (UTF-16), 64 "hé" (UTF-16), 0xa00 the pair (65, 2).
;; kiln-test: invoke = "a(16,5)"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "a(32,2)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf8 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "a(65535,2)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "b(16,5)"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "b(32,2)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf8 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c(64,2)"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "c(48,2)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf16 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c(65,2)"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c(65530,4)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "d(16,5)"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "d(32,2)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf8 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "e(2049,0)"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "e(65532,0)"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "e(2560,0)"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      ;; returns (ptr,len) pair at 0x800 pointing at string at arg
      (func (export "get") (param i32 i32) (result i32)
        (i32.store (i32.const 0x800) (local.get 0))
        (i32.store (i32.const 0x804) (local.get 1))
        (i32.const 0x800))
      (func (export "badret") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "names") (param i32 i32) (result i32)
        ;; list of 2 strings at 0x900: [(16,5), (32,2)]
        (i32.store (i32.const 0x900) (i32.const 16))
        (i32.store (i32.const 0x904) (i32.const 5))
        (i32.store (i32.const 0x908) (local.get 0))
        (i32.store (i32.const 0x90c) (local.get 1))
        (i32.store (i32.const 0x810) (i32.const 0x900))
        (i32.store (i32.const 0x814) (i32.const 2))
        (i32.const 0x810))
      (data (i32.const 16) "hello")
      (data (i32.const 32) "h\ff")
      (data (i32.const 48) "h\00\00\d8")
      (data (i32.const 64) "h\00\e9\00")
      (data (i32.const 0xa00) "\41\00\00\00\02\00\00\00"))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "get8") (param "p" u32) (param "l" u32) (result string)
      (canon lift (core func $i "get") (memory $mem) (realloc $realloc)))
    (func (export "get16") (param "p" u32) (param "l" u32) (result string)
      (canon lift (core func $i "get") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "bad16") (param "p" u32) (param "l" u32) (result string)
      (canon lift (core func $i "badret") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "names") (param "p" u32) (param "l" u32) (result (list string))
      (canon lift (core func $i "names") (memory $mem) (realloc $realloc))))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x2000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mm (instantiate $mm))
  (alias core export $mm "memory" (core memory $memory))
  (alias core export $mm "realloc" (core func $realloc))
  (core func $g8 (canon lower (func $lib "get8") (memory $memory) (realloc $realloc)))
  (core func $g8c (canon lower (func $lib "get8") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core func $g16 (canon lower (func $lib "get16") (memory $memory) (realloc $realloc)))
  (core func $b16 (canon lower (func $lib "bad16") (memory $memory) (realloc $realloc)))
  (core func $names (canon lower (func $lib "names") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core module $main
    (import "" "mem" (memory 1))
    (import "" "g8" (func $g8 (param i32 i32 i32)))
    (import "" "g8c" (func $g8c (param i32 i32 i32)))
    (import "" "g16" (func $g16 (param i32 i32 i32)))
    (import "" "names" (func $names (param i32 i32 i32)))
    (import "" "b16" (func $b16 (param i32 i32 i32)))
    (func (export "e") (param i32 i32) (result i32) (call $b16 (local.get 0) (local.get 1) (i32.const 0x100)) (i32.const 0))
    (func (export "a") (param i32 i32) (result i32) (call $g8 (local.get 0) (local.get 1) (i32.const 0x100)) (i32.load (i32.const 0x104)))
    (func (export "b") (param i32 i32) (result i32) (call $g8c (local.get 0) (local.get 1) (i32.const 0x100)) (i32.load (i32.const 0x104)))
    (func (export "c") (param i32 i32) (result i32) (call $g16 (local.get 0) (local.get 1) (i32.const 0x100)) (i32.load (i32.const 0x104)))
    (func (export "d") (param i32 i32) (result i32) (call $names (local.get 0) (local.get 1) (i32.const 0x100)) (i32.load (i32.const 0x104))))
  (core instance $main (instantiate $main (with "" (instance
    (export "g8" (func $g8)) (export "g8c" (func $g8c)) (export "g16" (func $g16)) (export "names" (func $names)) (export "b16" (func $b16)) (export "mem" (memory $memory))))))
  (type $f (func (param "p" u32) (param "l" u32) (result u32)))
  (func (export "a") (type $f) (canon lift (core func $main "a")))
  (func (export "b") (type $f) (canon lift (core func $main "b")))
  (func (export "c") (type $f) (canon lift (core func $main "c")))
  (func (export "d") (type $f) (canon lift (core func $main "d")))
  (func (export "e") (type $f) (canon lift (core func $main "e"))))
