;; Strings between component instances in every pair of encodings, moved
;; as Wasmtime 49 moves them: the adapter checks the source and calls the
;; destination's `realloc` (the first allocation, the growth to the worst
;; case, the shrink), and transcoders validate and convert the text. Each
;; run is compared with `wasmtime run` (`stderr-like-wasmtime`: the trap or
;; error and its backtrace, whose adapter frame is the `realloc` call or
;; the transcoder call that failed): the callee's `realloc` trapping at
;; its first, second or third call (`trap-at`), text that is not valid in
;; its encoding (equal encodings included: Wasmtime validates a copied
;; string), a source out of bounds or misaligned, and strings that arrive
;; (the callee answers the length it got, tagged for `latin1+utf16`).
;; Sources in the caller's memory: 16 "héllo w€rld" (UTF-8, 16 bytes), 64
;; "hél€" (UTF-16, 4 units), 96 "h\ff..." (bad UTF-8), 128 "h", a lone
;; surrogate, "l€" (UTF-16), 160 "éa", a lone surrogate, "b" (UTF-16),
;; 192 "héllo" (Latin-1).
;; kiln-test: invoke = "to16(1,16,16)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "to16(2,16,16)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "to16(9,16,16)"
;; kiln-test: expect = "13"
;; kiln-test: invoke = "to16(9,96,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf8 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "to16(9,65530,16)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u8-compact(1,16,16)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u8-compact(2,16,16)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u8-compact(3,16,16)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u8-compact(9,16,16)"
;; kiln-test: expect = "2147483661"
;; kiln-test: invoke = "u8-compact(9,16,7)"
;; kiln-test: expect = "6"
;; kiln-test: invoke = "u8-compact(9,96,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf8 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-to8(1,64,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-to8(2,64,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-to8(3,64,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-to8(9,64,4)"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "u16-to8(9,128,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf16 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-to8(2,160,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-to8(3,160,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf16 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-to8(9,65,4)"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-compact(1,64,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-compact(2,64,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "u16-compact(3,64,4)"
;; kiln-test: expect = "2147483652"
;; kiln-test: invoke = "u16-compact(9,64,4)"
;; kiln-test: expect = "2147483652"
;; kiln-test: invoke = "u16-compact(9,64,2)"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "u16-compact(9,128,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf16 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "same8(9,16,16)"
;; kiln-test: expect = "16"
;; kiln-test: invoke = "same8(9,96,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf8 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "same8(1,16,16)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "same16(9,64,4)"
;; kiln-test: expect = "4"
;; kiln-test: invoke = "same16(9,128,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf16 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c16-compact(9,64,4)"
;; kiln-test: expect = "2147483652"
;; kiln-test: invoke = "c16-compact(9,64,2)"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "c16-compact(2,64,2)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c16-compact(9,128,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf16 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c16-to8(2,64,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c16-to8(9,64,4)"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "c16-to16(1,64,4)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "l1-to16(1,192,5)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c16-to16(9,64,4)"
;; kiln-test: expect = "4"
;; kiln-test: invoke = "c16-to16(9,128,4)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "invalid utf16 encoding"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "c16-to16(9,65,4)"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "l1-to8(2,192,5)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "l1-to8(3,192,5)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "l1-to8(9,192,5)"
;; kiln-test: expect = "6"
;; kiln-test: invoke = "l1-to16(9,192,5)"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "l1-compact(9,192,5)"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "l1-compact(1,192,5)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (global $calls (mut i32) (i32.const 0))
      (global $trap-at (mut i32) (i32.const 1))
      ;; A bump allocator that traps at its `$trap-at`th call.
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (if (i32.eq (global.get $calls) (global.get $trap-at)) (then unreachable))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "set") (param i32)
        (global.set $trap-at (local.get 0))
        (global.set $calls (i32.const 0)))
      (func (export "take") (param i32 i32) (result i32) (local.get 1)))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "set") (param "n" u32) (canon lift (core func $i "set")))
    (func (export "utf8") (param "s" string) (result u32)
      (canon lift (core func $i "take") (memory $mem) (realloc $realloc)))
    (func (export "utf16") (param "s" string) (result u32)
      (canon lift (core func $i "take") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "compact") (param "s" string) (result u32)
      (canon lift (core func $i "take") (memory $mem) (realloc $realloc)
        string-encoding=latin1+utf16)))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x2000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (data (i32.const 16) "h\c3\a9llo w\e2\82\acrld")
    (data (i32.const 64) "h\00\e9\00l\00\ac\20")
    (data (i32.const 96) "h\ff\a9l")
    (data (i32.const 128) "h\00\00\d8l\00\ac\20")
    (data (i32.const 160) "\e9\00a\00\00\d8b\00")
    (data (i32.const 192) "h\e9llo"))
  (core instance $mm (instantiate $mm))
  (alias core export $mm "memory" (core memory $memory))
  (alias core export $mm "realloc" (core func $realloc))
  (core func $set (canon lower (func $lib "set")))
  (core func $u8-16 (canon lower (func $lib "utf16") (memory $memory) (realloc $realloc)))
  (core func $u8-c (canon lower (func $lib "compact") (memory $memory) (realloc $realloc)))
  (core func $u8-8 (canon lower (func $lib "utf8") (memory $memory) (realloc $realloc)))
  (core func $u16-8 (canon lower (func $lib "utf8") (memory $memory) (realloc $realloc)
    string-encoding=utf16))
  (core func $u16-c (canon lower (func $lib "compact") (memory $memory) (realloc $realloc)
    string-encoding=utf16))
  (core func $u16-16 (canon lower (func $lib "utf16") (memory $memory) (realloc $realloc)
    string-encoding=utf16))
  (core func $c-c (canon lower (func $lib "compact") (memory $memory) (realloc $realloc)
    string-encoding=latin1+utf16))
  (core func $c-8 (canon lower (func $lib "utf8") (memory $memory) (realloc $realloc)
    string-encoding=latin1+utf16))
  (core func $c-16 (canon lower (func $lib "utf16") (memory $memory) (realloc $realloc)
    string-encoding=latin1+utf16))
  (core module $main
    (import "" "set" (func $set (param i32)))
    (import "" "u8-16" (func $u8-16 (param i32 i32) (result i32)))
    (import "" "u8-c" (func $u8-c (param i32 i32) (result i32)))
    (import "" "u8-8" (func $u8-8 (param i32 i32) (result i32)))
    (import "" "u16-8" (func $u16-8 (param i32 i32) (result i32)))
    (import "" "u16-c" (func $u16-c (param i32 i32) (result i32)))
    (import "" "u16-16" (func $u16-16 (param i32 i32) (result i32)))
    (import "" "c-c" (func $c-c (param i32 i32) (result i32)))
    (import "" "c-8" (func $c-8 (param i32 i32) (result i32)))
    (import "" "c-16" (func $c-16 (param i32 i32) (result i32)))
    (func (export "to16") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $u8-16 (local.get 1) (local.get 2)))
    (func (export "u8-compact") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $u8-c (local.get 1) (local.get 2)))
    (func (export "same8") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $u8-8 (local.get 1) (local.get 2)))
    (func (export "u16-to8") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $u16-8 (local.get 1) (local.get 2)))
    (func (export "u16-compact") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $u16-c (local.get 1) (local.get 2)))
    (func (export "same16") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $u16-16 (local.get 1) (local.get 2)))
    ;; latin1+utf16 sources: UTF-16 contents are tagged.
    (func (export "c16-compact") (param i32 i32 i32) (result i32)
      (call $set (local.get 0))
      (call $c-c (local.get 1) (i32.or (local.get 2) (i32.const 0x80000000))))
    (func (export "c16-to8") (param i32 i32 i32) (result i32)
      (call $set (local.get 0))
      (call $c-8 (local.get 1) (i32.or (local.get 2) (i32.const 0x80000000))))
    (func (export "c16-to16") (param i32 i32 i32) (result i32)
      (call $set (local.get 0))
      (call $c-16 (local.get 1) (i32.or (local.get 2) (i32.const 0x80000000))))
    (func (export "l1-to8") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $c-8 (local.get 1) (local.get 2)))
    (func (export "l1-to16") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $c-16 (local.get 1) (local.get 2)))
    (func (export "l1-compact") (param i32 i32 i32) (result i32)
      (call $set (local.get 0)) (call $c-c (local.get 1) (local.get 2))))
  (core instance $main (instantiate $main (with "" (instance
    (export "set" (func $set)) (export "u8-16" (func $u8-16)) (export "u8-c" (func $u8-c))
    (export "u8-8" (func $u8-8)) (export "u16-8" (func $u16-8)) (export "u16-c" (func $u16-c))
    (export "u16-16" (func $u16-16)) (export "c-c" (func $c-c)) (export "c-8" (func $c-8))
    (export "c-16" (func $c-16))))))
  (type $f (func (param "trap-at" u32) (param "ptr" u32) (param "len" u32) (result u32)))
  (func (export "to16") (type $f) (canon lift (core func $main "to16")))
  (func (export "u8-compact") (type $f) (canon lift (core func $main "u8-compact")))
  (func (export "same8") (type $f) (canon lift (core func $main "same8")))
  (func (export "u16-to8") (type $f) (canon lift (core func $main "u16-to8")))
  (func (export "u16-compact") (type $f) (canon lift (core func $main "u16-compact")))
  (func (export "same16") (type $f) (canon lift (core func $main "same16")))
  (func (export "c16-compact") (type $f) (canon lift (core func $main "c16-compact")))
  (func (export "c16-to8") (type $f) (canon lift (core func $main "c16-to8")))
  (func (export "c16-to16") (type $f) (canon lift (core func $main "c16-to16")))
  (func (export "l1-to8") (type $f) (canon lift (core func $main "l1-to8")))
  (func (export "l1-to16") (type $f) (canon lift (core func $main "l1-to16")))
  (func (export "l1-compact") (type $f) (canon lift (core func $main "l1-compact"))))
