;; The memory checks of fused adapters, each a trap with Wasmtime's words:
;; a string or list (UTF-8, UTF-16, list<u32>) whose source is misaligned
;; or out of bounds, whose byte length passes 32 bits, or whose destination
;; (the other side's `realloc`) is misaligned or out of bounds; parameters
;; in memory (17 of them) behind a misaligned or out-of-bounds pointer, on
;; either side; results behind a callee's return pointer or a caller's
;; out-pointer that is misaligned or out of bounds. The checks come in
;; Wasmtime's order (byte length, alignment, source bounds, allocation,
;; destination bounds), so that the first failing check is the same.
;; Every backtrace is Wasmtime's too (`stderr-like-wasmtime`): the frame
;; of the adapter at the offset of Wasmtime's check, for the parameters'
;; checks and the results' (whose `may_leave` clear sits at each `realloc`
;; call, not between the checks, where Wasmtime's code leaves no room for
;; it). A `realloc` mode (`set-mode` in the callee, `cmode` in the
;; caller) makes the allocation fail: 1 out of bounds, 2 misaligned, 3 one
;; byte short.
;; kiln-test: invoke = "p-str-oob()"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-str-dst-oob()"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-str16-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-str16-oob()"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-str16-dst-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-str16-dst-oob()"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-list-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-list-oob()"
;; kiln-test: trap = "list content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-list-overflow()"
;; kiln-test: trap = "list content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-list-dst-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-list-dst-oob()"
;; kiln-test: trap = "list content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-bigsrc-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-bigsrc-oob()"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-bigdst-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "p-bigdst-oob()"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-str-oob()"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-str-dst-oob()"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-list-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-list-oob()"
;; kiln-test: trap = "list content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-list-dst-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-list-dst-oob()"
;; kiln-test: trap = "list content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-retptr-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-retptr-oob()"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-outptr-unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "r-outptr-oob()"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (global $mode (mut i32) (i32.const 0))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (i32.eq (global.get $mode) (i32.const 1)) (then (return (i32.const 0xfff8))))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (i32.add (local.get 3) (i32.const 8))))
        (if (i32.eq (global.get $mode) (i32.const 2)) (then (return (i32.add (local.get $p) (i32.const 1)))))
        (local.get $p))
      (func (export "set-mode") (param i32) (global.set $mode (local.get 0)))
      (func (export "len") (param i32 i32) (result i32) (local.get 1))
      (func (export "big") (param i32) (result i32) (i32.const 0))
      ;; result: (ptr,len) at 0x100 set from the argument
      (func (export "ret") (param $which i32) (result i32)
        (i32.store (i32.const 0x100) (i32.const 0x200))
        (i32.store (i32.const 0x104) (i32.const 2))
        (if (i32.eq (local.get $which) (i32.const 1)) (then (i32.store (i32.const 0x100) (i32.const 65528)) (i32.store (i32.const 0x104) (i32.const 10))))
        (if (i32.eq (local.get $which) (i32.const 2)) (then (i32.store (i32.const 0x100) (i32.const 0x201))))
        (if (i32.eq (local.get $which) (i32.const 3)) (then (return (i32.const 0x101))))
        (if (i32.eq (local.get $which) (i32.const 4)) (then (return (i32.const 0xfffc))))
        (i32.const 0x100)))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "set-mode") (param "m" u32) (canon lift (core func $i "set-mode")))
    (func (export "s8") (param "s" string) (result u32)
      (canon lift (core func $i "len") (memory $mem) (realloc $realloc)))
    (func (export "s16") (param "s" string) (result u32)
      (canon lift (core func $i "len") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "l") (param "l" (list u32)) (result u32)
      (canon lift (core func $i "len") (memory $mem) (realloc $realloc)))
    (func (export "big") (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32) (param "f" u32) (param "g" u32) (param "h" u32) (param "i" u32) (param "j" u32) (param "k" u32) (param "l" u32) (param "m" u32) (param "n" u32) (param "o" u32) (param "p" u32) (param "q" u32) (result u32)
      (canon lift (core func $i "big") (memory $mem) (realloc $realloc)))
    (func (export "rs") (param "w" u32) (result string)
      (canon lift (core func $i "ret") (memory $mem) (realloc $realloc)))
    (func (export "rl") (param "w" u32) (result (list u32))
      (canon lift (core func $i "ret") (memory $mem) (realloc $realloc)))
  )
  (instance $c (instantiate $callee))
  (core module $mem
    (memory (export "memory") 1)
    (global $mode (mut i32) (i32.const 0))
    (func (export "set-mode") (param i32) (global.set $mode (local.get 0)))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (if (i32.eq (global.get $mode) (i32.const 1)) (then (return (i32.const 0xfffc))))
      (if (i32.eq (global.get $mode) (i32.const 2)) (then (return (i32.const 0x3001))))
      (if (i32.eq (global.get $mode) (i32.const 3)) (then (return (i32.const 0xffff))))
      (i32.const 0x3000)))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $crealloc))
  (core func $set-mode (canon lower (func $c "set-mode")))
  (core func $s8 (canon lower (func $c "s8") (memory $memory)))
  (core func $s16 (canon lower (func $c "s16") (memory $memory) string-encoding=utf16))
  (core func $l (canon lower (func $c "l") (memory $memory)))
  (core func $big (canon lower (func $c "big") (memory $memory)))
  (core func $rs (canon lower (func $c "rs") (memory $memory) (realloc $crealloc)))
  (core func $rl (canon lower (func $c "rl") (memory $memory) (realloc $crealloc)))
  (core module $main
    (import "" "set-mode" (func $set-mode (param i32)))
    (import "" "cmode" (func $cmode (param i32)))
    (import "" "s8" (func $s8 (param i32 i32) (result i32)))
    (import "" "s16" (func $s16 (param i32 i32) (result i32)))
    (import "" "l" (func $l (param i32 i32) (result i32)))
    (import "" "big" (func $big (param i32) (result i32)))
    (import "" "rs" (func $rs (param i32 i32)))
    (import "" "rl" (func $rl (param i32 i32)))
    (func (export "p-str-oob") (result i32) (call $s8 (i32.const 65530) (i32.const 10)))
    (func (export "p-str-dst-oob") (result i32) (call $set-mode (i32.const 1)) (call $s8 (i32.const 0) (i32.const 16)))
    (func (export "p-str16-unaligned") (result i32) (call $s16 (i32.const 1) (i32.const 2)))
    (func (export "p-str16-oob") (result i32) (call $s16 (i32.const 65530) (i32.const 10)))
    (func (export "p-str16-dst-unaligned") (result i32) (call $set-mode (i32.const 2)) (call $s16 (i32.const 0) (i32.const 2)))
    (func (export "p-str16-dst-oob") (result i32) (call $set-mode (i32.const 1)) (call $s16 (i32.const 0) (i32.const 16)))
    (func (export "p-list-unaligned") (result i32) (call $l (i32.const 2) (i32.const 1)))
    (func (export "p-list-oob") (result i32) (call $l (i32.const 65528) (i32.const 3)))
    (func (export "p-list-overflow") (result i32) (call $l (i32.const 0) (i32.const 0x40000000)))
    (func (export "p-list-dst-unaligned") (result i32) (call $set-mode (i32.const 2)) (call $l (i32.const 0) (i32.const 2)))
    (func (export "p-list-dst-oob") (result i32) (call $set-mode (i32.const 1)) (call $l (i32.const 0) (i32.const 8)))
    (func (export "p-bigsrc-unaligned") (result i32) (call $big (i32.const 1)))
    (func (export "p-bigsrc-oob") (result i32) (call $big (i32.const 0xfffc)))
    (func (export "p-bigdst-unaligned") (result i32) (call $set-mode (i32.const 2)) (call $big (i32.const 0)))
    (func (export "p-bigdst-oob") (result i32) (call $set-mode (i32.const 1)) (call $big (i32.const 0)))
    (func (export "r-str-oob") (result i32) (call $rs (i32.const 1) (i32.const 0x80)) (i32.const 0))
    (func (export "r-str-dst-oob") (result i32) (call $cmode (i32.const 3)) (call $rs (i32.const 0) (i32.const 0x80)) (i32.const 0))
    (func (export "r-list-unaligned") (result i32) (call $rl (i32.const 2) (i32.const 0x80)) (i32.const 0))
    (func (export "r-list-oob") (result i32) (call $rl (i32.const 1) (i32.const 0x80)) (i32.const 0))
    (func (export "r-list-dst-unaligned") (result i32) (call $cmode (i32.const 2)) (call $rl (i32.const 0) (i32.const 0x80)) (i32.const 0))
    (func (export "r-list-dst-oob") (result i32) (call $cmode (i32.const 1)) (call $rl (i32.const 0) (i32.const 0x80)) (i32.const 0))
    (func (export "r-retptr-unaligned") (result i32) (call $rl (i32.const 3) (i32.const 0x80)) (i32.const 0))
    (func (export "r-retptr-oob") (result i32) (call $rl (i32.const 4) (i32.const 0x80)) (i32.const 0))
    (func (export "r-outptr-unaligned") (result i32) (call $rl (i32.const 0) (i32.const 0x81)) (i32.const 0))
    (func (export "r-outptr-oob") (result i32) (call $rl (i32.const 0) (i32.const 0xfffc)) (i32.const 0))
  )
  (core instance $main (instantiate $main (with "" (instance
    (export "set-mode" (func $set-mode)) (export "cmode" (func $mem "set-mode"))
    (export "s8" (func $s8)) (export "s16" (func $s16)) (export "l" (func $l)) (export "big" (func $big))
    (export "rs" (func $rs)) (export "rl" (func $rl))))))
  (func (export "p-str-oob") (result u32) (canon lift (core func $main "p-str-oob")))
  (func (export "p-str-dst-oob") (result u32) (canon lift (core func $main "p-str-dst-oob")))
  (func (export "p-str16-unaligned") (result u32) (canon lift (core func $main "p-str16-unaligned")))
  (func (export "p-str16-oob") (result u32) (canon lift (core func $main "p-str16-oob")))
  (func (export "p-str16-dst-unaligned") (result u32) (canon lift (core func $main "p-str16-dst-unaligned")))
  (func (export "p-str16-dst-oob") (result u32) (canon lift (core func $main "p-str16-dst-oob")))
  (func (export "p-list-unaligned") (result u32) (canon lift (core func $main "p-list-unaligned")))
  (func (export "p-list-oob") (result u32) (canon lift (core func $main "p-list-oob")))
  (func (export "p-list-overflow") (result u32) (canon lift (core func $main "p-list-overflow")))
  (func (export "p-list-dst-unaligned") (result u32) (canon lift (core func $main "p-list-dst-unaligned")))
  (func (export "p-list-dst-oob") (result u32) (canon lift (core func $main "p-list-dst-oob")))
      (func (export "r-str-oob") (result u32) (canon lift (core func $main "r-str-oob")))
  (func (export "r-str-dst-oob") (result u32) (canon lift (core func $main "r-str-dst-oob")))
  (func (export "r-list-unaligned") (result u32) (canon lift (core func $main "r-list-unaligned")))
  (func (export "r-list-oob") (result u32) (canon lift (core func $main "r-list-oob")))
  (func (export "r-list-dst-unaligned") (result u32) (canon lift (core func $main "r-list-dst-unaligned")))
  (func (export "r-list-dst-oob") (result u32) (canon lift (core func $main "r-list-dst-oob")))
  (func (export "r-retptr-unaligned") (result u32) (canon lift (core func $main "r-retptr-unaligned")))
  (func (export "r-retptr-oob") (result u32) (canon lift (core func $main "r-retptr-oob")))
  (func (export "r-outptr-unaligned") (result u32) (canon lift (core func $main "r-outptr-unaligned")))
  (func (export "r-outptr-oob") (result u32) (canon lift (core func $main "r-outptr-oob")))
  (func (export "p-bigsrc-unaligned") (result u32) (canon lift (core func $main "p-bigsrc-unaligned")))
  (func (export "p-bigsrc-oob") (result u32) (canon lift (core func $main "p-bigsrc-oob")))
  (func (export "p-bigdst-unaligned") (result u32) (canon lift (core func $main "p-bigdst-unaligned")))
  (func (export "p-bigdst-oob") (result u32) (canon lift (core func $main "p-bigdst-oob")))
)
