;; Backtraces through fused adapters that move values through memory, as
;; Wasmtime 49 prints them (the adapters' own frames aside, see
;; `tests/all/adapter_frames.rs`): strings in every kind of encoding pair
;; (copied, transcoded, Latin-1 or UTF-16), lists (an element loop, nested
;; lists of strings), more than 16 parameters (a tuple the callee's
;; `realloc` allocates), results through the return pointer, options,
;; results, variants with joined payloads, enums and 20 flags. Each callee
;; traps, below the adapter's frame; `greet`'s `post-return` traps too,
;; and so do a callee's and a caller's `realloc` (below the adapter's
;; frame too).
;; kiln-test: invoke = "go-greet()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-sum()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-big()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-mix()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-names()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-latin1()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-post()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-oom-param()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-oom-result()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
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
      (func (export "greet") (param i32 i32) (result i32) unreachable)
      (func (export "sum") (param i32 i32) (result i32) unreachable)
      (func (export "big") (param i32) (result i32) unreachable)
      (func (export "mix")
        (param i32 i32 i32 i32 i32 i32 i32 i64 i32 i32 i32) (result i32)
        unreachable)
      (func (export "names") (param i32 i32) (result i32) unreachable)
      (func (export "units") (param i32 i32) (result i32) unreachable)
      ;; Answers `hello` (at 0x800 as (ptr, len) at 0x810).
      (func (export "hello") (param i32 i32) (result i32) (i32.const 0x810))
      (func (export "post") (param i32) unreachable)
      (func (export "bad-realloc") (param i32 i32 i32 i32) (result i32) unreachable)
      (data (i32.const 0x800) "hello")
      (data (i32.const 0x810) "\00\08\00\00\05\00\00\00"))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (type $opt (option string))
    (type $res (result u32 (error string)))
    (type $var (variant (case "a") (case "b" u64) (case "c" string)))
    (type $en (enum "x" "y" "z"))
    (type $fl (flags "f0" "f1" "f2" "f3" "f4" "f5" "f6" "f7" "f8" "f9" "f10" "f11" "f12" "f13"
      "f14" "f15" "f16" "f17" "f18" "f19"))
    (type $rec (record (field "names" (list (list string))) (field "n" u8)))
    (export $var' "var" (type $var))
    (export $en' "en" (type $en))
    (export $fl' "fl" (type $fl))
    (export $rec' "rec" (type $rec))
    (func (export "greet") (param "name" string) (result string)
      (canon lift (core func $i "greet") (memory $mem) (realloc $realloc)))
    (func (export "sum") (param "xs" (list u32)) (result u32)
      (canon lift (core func $i "sum") (memory $mem) (realloc $realloc)))
    (func (export "big")
      (param "a0" u32) (param "a1" u32) (param "a2" u32) (param "a3" u32) (param "a4" u32)
      (param "e" $en') (param "o" $opt) (param "v" $var') (param "c" char) (param "b" bool)
      (param "f" $fl') (param "x" f64) (param "y" f32) (param "s" s8) (param "t" s16)
      (param "u" u16) (param "r" $res) (param "w" u64) (result u32)
      (canon lift (core func $i "big") (memory $mem) (realloc $realloc)))
    (func (export "mix")
      (param "o" $opt) (param "r" $res) (param "v" $var') (param "e" $en') (param "f" $fl')
      (result $rec')
      (canon lift (core func $i "mix") (memory $mem) (realloc $realloc)))
    (func (export "names") (param "xs" (list string)) (result (list string))
      (canon lift (core func $i "names") (memory $mem) (realloc $realloc)))
    (func (export "units") (param "s" string) (result u32)
      (canon lift (core func $i "units") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "hello") (param "s" string) (result string)
      (canon lift (core func $i "hello") (memory $mem) (realloc $realloc)
        (post-return (core func $i "post"))))
    (func (export "oom") (param "s" string) (result u32)
      (canon lift (core func $i "units") (memory $mem)
        (realloc (core func $i "bad-realloc")))))
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
    (func (export "bad-realloc") (param i32 i32 i32 i32) (result i32) unreachable)
    ;; "hi" (UTF-8 and Latin-1) at 16, [1, 2, 3] at 32, a list of one UTF-16
    ;; "hi" at 160 (the string at 176); `big`'s parameters (zeros: the first
    ;; case of each variant) at 512.
    (data (i32.const 16) "hi")
    (data (i32.const 32) "\01\00\00\00\02\00\00\00\03\00\00\00")
    (data (i32.const 160) "\b0\00\00\00\02\00\00\00")
    (data (i32.const 176) "h\00i\00"))
  (core instance $mm (instantiate $mm))
  (alias core export $mm "memory" (core memory $memory))
  (alias core export $mm "realloc" (core func $realloc))
  (core func $greet (canon lower (func $lib "greet") (memory $memory) (realloc $realloc)))
  (core func $sum (canon lower (func $lib "sum") (memory $memory) (realloc $realloc)))
  (core func $big (canon lower (func $lib "big") (memory $memory) (realloc $realloc)))
  (core func $mix (canon lower (func $lib "mix") (memory $memory) (realloc $realloc)))
  (core func $names (canon lower (func $lib "names") (memory $memory) (realloc $realloc)
    string-encoding=utf16))
  (core func $units (canon lower (func $lib "units") (memory $memory) (realloc $realloc)
    string-encoding=latin1+utf16))
  (core func $hello (canon lower (func $lib "hello") (memory $memory) (realloc $realloc)))
  (core func $oom (canon lower (func $lib "oom") (memory $memory) (realloc $realloc)))
  (core func $hello-oom (canon lower (func $lib "hello") (memory $memory)
    (realloc (core func $mm "bad-realloc"))))
  (core module $main
    (import "" "greet" (func $greet (param i32 i32 i32)))
    (import "" "sum" (func $sum (param i32 i32) (result i32)))
    (import "" "big" (func $big (param i32) (result i32)))
    (import "" "mix" (func $mix
      (param i32 i32 i32 i32 i32 i32 i32 i64 i32 i32 i32 i32)))
    (import "" "names" (func $names (param i32 i32 i32)))
    (import "" "units" (func $units (param i32 i32) (result i32)))
    (import "" "hello" (func $hello (param i32 i32 i32)))
    (import "" "oom" (func $oom (param i32 i32) (result i32)))
    (import "" "hello-oom" (func $hello-oom (param i32 i32 i32)))
    (func (export "go-greet") (result i32)
      (call $greet (i32.const 16) (i32.const 2) (i32.const 256)) (i32.const 0))
    (func (export "go-sum") (result i32) (call $sum (i32.const 32) (i32.const 3)))
    (func (export "go-big") (result i32) (call $big (i32.const 512)))
    (func (export "go-mix") (result i32)
      (call $mix
        (i32.const 1) (i32.const 16) (i32.const 2)
        (i32.const 1) (i32.const 16) (i32.const 2)
        (i32.const 2) (i64.const 16) (i32.const 2)
        (i32.const 1)
        (i32.const 0x80005)
        (i32.const 256))
      (i32.const 0))
    (func (export "go-names") (result i32)
      (call $names (i32.const 160) (i32.const 1) (i32.const 256)) (i32.const 0))
    (func (export "go-latin1") (result i32) (call $units (i32.const 16) (i32.const 2)))
    (func (export "go-post") (result i32)
      (call $hello (i32.const 16) (i32.const 2) (i32.const 256)) (i32.const 0))
    (func (export "go-oom-param") (result i32) (call $oom (i32.const 16) (i32.const 2)))
    (func (export "go-oom-result") (result i32)
      (call $hello-oom (i32.const 16) (i32.const 2) (i32.const 256)) (i32.const 0)))
  (core instance $main (instantiate $main (with "" (instance
    (export "greet" (func $greet)) (export "sum" (func $sum)) (export "big" (func $big))
    (export "mix" (func $mix)) (export "names" (func $names)) (export "units" (func $units))
    (export "hello" (func $hello)) (export "oom" (func $oom))
    (export "hello-oom" (func $hello-oom))))))
  (func (export "go-greet") (result u32) (canon lift (core func $main "go-greet")))
  (func (export "go-sum") (result u32) (canon lift (core func $main "go-sum")))
  (func (export "go-big") (result u32) (canon lift (core func $main "go-big")))
  (func (export "go-mix") (result u32) (canon lift (core func $main "go-mix")))
  (func (export "go-names") (result u32) (canon lift (core func $main "go-names")))
  (func (export "go-latin1") (result u32) (canon lift (core func $main "go-latin1")))
  (func (export "go-post") (result u32) (canon lift (core func $main "go-post")))
  (func (export "go-oom-param") (result u32) (canon lift (core func $main "go-oom-param")))
  (func (export "go-oom-result") (result u32) (canon lift (core func $main "go-oom-result"))))
