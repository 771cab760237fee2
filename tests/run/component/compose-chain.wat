;; Three nested components calling down a chain through fused adapters,
;; each with its own string encoding and memory: the root (utf8) calls `$b`
;; (latin1+utf16), which calls `$c` (utf16), nested inside it. `shout`
;; passes a string and a count down and a list of strings back up through
;; two adapters; `count` is `$c`'s function that `$b` lowers and lifts again
;; unchanged, so its core function is itself an adapter (the string is
;; transcoded twice on the way down: `$c` sees 7 UTF-16 code units).
;; kiln-test: invoke = "shout(\"héllo😀\",2)"
;; kiln-test: expect = "[\"héllo😀\", \"héllo😀\", \"héllo😀\"]"
;; kiln-test: invoke = "shout(\"\",0)"
;; kiln-test: expect = "[\"\"]"
;; kiln-test: invoke = "count(\"héllo😀\")"
;; kiln-test: expect = "7"
(component
  (component $b
    (component $c
      (core module $m
        (memory (export "memory") 1)
        (global $bump (mut i32) (i32.const 0x1000))
        (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
          (local $p i32)
          (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                                 (i32.sub (i32.const 0) (local.get 2))))
          (global.set $bump (i32.add (local.get $p) (local.get 3)))
          (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
            (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
          (local.get $p))
        ;; `n` copies of the string (sharing its bytes).
        (func (export "shout") (param $p i32) (param $l i32) (param $n i32) (result i32)
          (local $list i32) (local $i i32)
          (local.set $list (call $realloc (i32.const 0) (i32.const 0) (i32.const 4)
            (i32.mul (local.get $n) (i32.const 8))))
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 8))) (local.get $p))
            (i32.store offset=4 (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 8))) (local.get $l))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
          (i32.store (i32.const 0x10) (local.get $list))
          (i32.store (i32.const 0x14) (local.get $n))
          (i32.const 0x10))
        (func (export "count") (param i32 i32) (result i32) (local.get 1)))
      (core instance $i (instantiate $m))
      (alias core export $i "memory" (core memory $mem))
      (alias core export $i "realloc" (core func $realloc))
      (func (export "shout") (param "s" string) (param "n" u32) (result (list string))
        (canon lift (core func $i "shout") (memory $mem) (realloc $realloc) string-encoding=utf16))
      (func (export "count") (param "s" string) (result u32)
        (canon lift (core func $i "count") (memory $mem) (realloc $realloc) string-encoding=utf16)))
    (instance $c (instantiate $c))
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
          (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
        (local.get $p)))
    (core instance $m (instantiate $m))
    (alias core export $m "memory" (core memory $mem))
    (alias core export $m "realloc" (core func $realloc))
    (core func $shout (canon lower (func $c "shout") (memory $mem) (realloc $realloc)
      string-encoding=latin1+utf16))
    (core func $count (canon lower (func $c "count") (memory $mem) string-encoding=latin1+utf16))
    (core module $fwd
      (import "" "shout" (func $shout (param i32 i32 i32 i32)))
      ;; One more copy than asked for.
      (func (export "shout") (param i32 i32 i32) (result i32)
        (call $shout (local.get 0) (local.get 1) (i32.add (local.get 2) (i32.const 1)) (i32.const 0x20))
        (i32.const 0x20)))
    (core instance $fwd (instantiate $fwd (with "" (instance (export "shout" (func $shout))))))
    (func (export "shout") (param "s" string) (param "n" u32) (result (list string))
      (canon lift (core func $fwd "shout") (memory $mem) (realloc $realloc) string-encoding=latin1+utf16))
    (func (export "count") (param "s" string) (result u32)
      (canon lift (core func $count) (memory $mem) (realloc $realloc) string-encoding=latin1+utf16)))
  (instance $b (instantiate $b))
  (core module $m
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x1000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
        (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
      (local.get $p)))
  (core instance $m (instantiate $m))
  (alias core export $m "memory" (core memory $mem))
  (alias core export $m "realloc" (core func $realloc))
  (core func $shout (canon lower (func $b "shout") (memory $mem) (realloc $realloc)))
  (core func $count (canon lower (func $b "count") (memory $mem)))
  (core module $fwd
    (import "" "shout" (func $shout (param i32 i32 i32 i32)))
    (func (export "shout") (param i32 i32 i32) (result i32)
      (call $shout (local.get 0) (local.get 1) (local.get 2) (i32.const 0x20))
      (i32.const 0x20)))
  (core instance $fwd (instantiate $fwd (with "" (instance (export "shout" (func $shout))))))
  (func (export "shout") (param "s" string) (param "n" u32) (result (list string))
    (canon lift (core func $fwd "shout") (memory $mem) (realloc $realloc)))
  (func (export "count") (param "s" string) (result u32)
    (canon lift (core func $count) (memory $mem) (realloc $realloc)))
)
