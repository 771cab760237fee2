;; Strings through fused adapters for every pair of string encodings: the
;; root (encoding R) calls a nested component (encoding C) that echoes the
;; string, reports the code units it received (`latin1+utf16` tags UTF-16
;; with bit 31) and the log of its `realloc` calls; the root's own `realloc`
;; log comes last. Each `t-R-C` returns (echo, units, callee log, root log);
;; a log is (old ptr, old size, align, new size) per call, showing the
;; spec's `realloc` order and sizes: the worst case first, then a shrink,
;; or a Latin-1 attempt grown to UTF-16 at the first wide character.
;; kiln-test: invoke = "t-8-8(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 1, 5, 0, 0, 1, 5], [0, 0, 1, 5, 0, 0, 1, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-8-8(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 6, [0, 0, 1, 6, 0, 0, 1, 6], [0, 0, 1, 6, 0, 0, 1, 6, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-8-8(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 11, [0, 0, 1, 11, 0, 0, 1, 11], [0, 0, 1, 11, 0, 0, 1, 11, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-8-16(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 2, 10, 0, 0, 2, 10], [0, 0, 1, 5, 0, 0, 1, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-8-16(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 5, [0, 0, 2, 12, 4096, 12, 2, 10, 0, 0, 2, 12, 4118, 12, 2, 10], [0, 0, 1, 6, 0, 0, 1, 5, 4102, 5, 1, 15, 4107, 15, 1, 6, 0, 0, 4, 64])"
;; kiln-test: invoke = "t-8-16(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 7, [0, 0, 2, 22, 4096, 22, 2, 14, 0, 0, 2, 22, 4132, 22, 2, 14], [0, 0, 1, 11, 0, 0, 1, 7, 4107, 7, 1, 21, 4114, 21, 1, 11, 0, 0, 4, 64])"
;; kiln-test: invoke = "t-8-l1(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 2, 5, 0, 0, 2, 5], [0, 0, 1, 5, 0, 0, 1, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-8-l1(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 5, [0, 0, 2, 6, 4096, 6, 2, 5, 0, 0, 2, 6, 4108, 6, 2, 5], [0, 0, 1, 6, 0, 0, 1, 5, 4102, 5, 1, 10, 4107, 10, 1, 6, 0, 0, 4, 64])"
;; kiln-test: invoke = "t-8-l1(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 2147483655, [0, 0, 2, 11, 4096, 11, 2, 22, 4108, 22, 2, 14, 0, 0, 2, 11, 4144, 11, 2, 22, 4156, 22, 2, 14], [0, 0, 1, 11, 0, 0, 1, 7, 4107, 7, 1, 21, 4114, 21, 1, 11, 0, 0, 4, 96])"
;; kiln-test: invoke = "t-16-8(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 1, 5, 0, 0, 1, 5], [0, 0, 2, 10, 0, 0, 2, 10, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-16-8(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 6, [0, 0, 1, 5, 4096, 5, 1, 15, 4101, 15, 1, 6, 0, 0, 1, 5, 4122, 5, 1, 15, 4127, 15, 1, 6], [0, 0, 2, 12, 4096, 12, 2, 10, 0, 0, 2, 12, 4118, 12, 2, 10, 0, 0, 4, 96])"
;; kiln-test: invoke = "t-16-8(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 11, [0, 0, 1, 7, 4096, 7, 1, 21, 4103, 21, 1, 11, 0, 0, 1, 7, 4135, 7, 1, 21, 4142, 21, 1, 11], [0, 0, 2, 22, 4096, 22, 2, 14, 0, 0, 2, 22, 4132, 22, 2, 14, 0, 0, 4, 96])"
;; kiln-test: invoke = "t-16-16(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 2, 10, 0, 0, 2, 10], [0, 0, 2, 10, 0, 0, 2, 10, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-16-16(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 5, [0, 0, 2, 10, 0, 0, 2, 10], [0, 0, 2, 12, 4096, 12, 2, 10, 0, 0, 2, 10, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-16-16(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 7, [0, 0, 2, 14, 0, 0, 2, 14], [0, 0, 2, 22, 4096, 22, 2, 14, 0, 0, 2, 14, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-16-l1(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 2, 5, 0, 0, 2, 5], [0, 0, 2, 10, 0, 0, 2, 10, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-16-l1(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 5, [0, 0, 2, 5, 0, 0, 2, 5], [0, 0, 2, 12, 4096, 12, 2, 10, 0, 0, 2, 10, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-16-l1(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 2147483655, [0, 0, 2, 7, 4096, 7, 2, 14, 0, 0, 2, 7, 4118, 7, 2, 14], [0, 0, 2, 22, 4096, 22, 2, 14, 0, 0, 2, 14, 0, 0, 4, 64])"
;; kiln-test: invoke = "t-l1-8(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 1, 5, 0, 0, 1, 5], [0, 0, 2, 5, 0, 0, 2, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-l1-8(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 6, [0, 0, 1, 5, 4096, 5, 1, 10, 4101, 10, 1, 6, 0, 0, 1, 5, 4117, 5, 1, 10, 4122, 10, 1, 6], [0, 0, 2, 6, 4096, 6, 2, 5, 0, 0, 2, 6, 4108, 6, 2, 5, 0, 0, 4, 96])"
;; kiln-test: invoke = "t-l1-8(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 11, [0, 0, 1, 7, 4096, 7, 1, 21, 4103, 21, 1, 11, 0, 0, 1, 7, 4135, 7, 1, 21, 4142, 21, 1, 11], [0, 0, 2, 11, 4096, 11, 2, 22, 4108, 22, 2, 14, 0, 0, 2, 11, 4144, 11, 2, 22, 4156, 22, 2, 14, 0, 0, 4, 96])"
;; kiln-test: invoke = "t-l1-16(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 2, 10, 0, 0, 2, 10], [0, 0, 2, 5, 0, 0, 2, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-l1-16(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 5, [0, 0, 2, 10, 0, 0, 2, 10], [0, 0, 2, 6, 4096, 6, 2, 5, 0, 0, 2, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-l1-16(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 7, [0, 0, 2, 14, 0, 0, 2, 14], [0, 0, 2, 11, 4096, 11, 2, 22, 4108, 22, 2, 14, 0, 0, 2, 7, 4144, 7, 2, 14, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-l1-l1(\"hello\")"
;; kiln-test: expect = "(\"hello\", 5, [0, 0, 2, 5, 0, 0, 2, 5], [0, 0, 2, 5, 0, 0, 2, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-l1-l1(\"héllo\")"
;; kiln-test: expect = "(\"héllo\", 5, [0, 0, 2, 5, 0, 0, 2, 5], [0, 0, 2, 6, 4096, 6, 2, 5, 0, 0, 2, 5, 0, 0, 4, 32])"
;; kiln-test: invoke = "t-l1-l1(\"h€llo😀\")"
;; kiln-test: expect = "(\"h€llo😀\", 2147483655, [0, 0, 2, 14, 0, 0, 2, 14], [0, 0, 2, 11, 4096, 11, 2, 22, 4108, 22, 2, 14, 0, 0, 2, 14, 0, 0, 4, 32])"
(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      ;; Logs each call at 0x8000 (count at 0x7ffc), then bump-allocates.
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32) (local $n i32)
        (local.set $n (i32.load (i32.const 0x7ffc)))
        (local.set $p (i32.add (i32.const 0x8000) (i32.shl (local.get $n) (i32.const 4))))
        (i32.store (local.get $p) (local.get 0))
        (i32.store offset=4 (local.get $p) (local.get 1))
        (i32.store offset=8 (local.get $p) (local.get 2))
        (i32.store offset=12 (local.get $p) (local.get 3))
        (i32.store (i32.const 0x7ffc) (i32.add (local.get $n) (i32.const 1)))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
          (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
        (local.get $p))
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 0x100) (local.get 0))
        (i32.store (i32.const 0x104) (local.get 1))
        (i32.const 0x100))
      (func (export "units") (param i32 i32) (result i32) (local.get 1))
      (func (export "log") (result i32)
        (i32.store (i32.const 0x110) (i32.const 0x8000))
        (i32.store (i32.const 0x114) (i32.shl (i32.load (i32.const 0x7ffc)) (i32.const 2)))
        (i32.const 0x110)))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "log") (result (list u32)) (canon lift (core func $i "log") (memory $mem) (realloc $realloc)))
    (func (export "echo-8") (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc) string-encoding=utf8))
    (func (export "units-8") (param "s" string) (result u32)
      (canon lift (core func $i "units") (memory $mem) (realloc $realloc) string-encoding=utf8))
    (func (export "echo-16") (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "units-16") (param "s" string) (result u32)
      (canon lift (core func $i "units") (memory $mem) (realloc $realloc) string-encoding=utf16))
    (func (export "echo-l1") (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc) string-encoding=latin1+utf16))
    (func (export "units-l1") (param "s" string) (result u32)
      (canon lift (core func $i "units") (memory $mem) (realloc $realloc) string-encoding=latin1+utf16))
  )
  (core module $mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x1000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32) (local $n i32)
      (local.set $n (i32.load (i32.const 0x7ffc)))
      (local.set $p (i32.add (i32.const 0x8000) (i32.shl (local.get $n) (i32.const 4))))
      (i32.store (local.get $p) (local.get 0))
      (i32.store offset=4 (local.get $p) (local.get 1))
      (i32.store offset=8 (local.get $p) (local.get 2))
      (i32.store offset=12 (local.get $p) (local.get 3))
      (i32.store (i32.const 0x7ffc) (i32.add (local.get $n) (i32.const 1)))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      ;; Moves the old contents (the smaller size) like a real allocator.
      (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
        (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
      (local.get $p)))
  (core instance $m (instantiate $mem))
  (alias core export $m "memory" (core memory $memory))
  (alias core export $m "realloc" (core func $realloc))
  (instance $c (instantiate $callee))
  (core func $log (canon lower (func $c "log") (memory $memory) (realloc $realloc)))
  (core func $echo-8-8 (canon lower (func $c "echo-8") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core func $units-8-8 (canon lower (func $c "units-8") (memory $memory) string-encoding=utf8))
  (core func $echo-8-16 (canon lower (func $c "echo-16") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core func $units-8-16 (canon lower (func $c "units-16") (memory $memory) string-encoding=utf8))
  (core func $echo-8-l1 (canon lower (func $c "echo-l1") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core func $units-8-l1 (canon lower (func $c "units-l1") (memory $memory) string-encoding=utf8))
  (core func $echo-16-8 (canon lower (func $c "echo-8") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core func $units-16-8 (canon lower (func $c "units-8") (memory $memory) string-encoding=utf16))
  (core func $echo-16-16 (canon lower (func $c "echo-16") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core func $units-16-16 (canon lower (func $c "units-16") (memory $memory) string-encoding=utf16))
  (core func $echo-16-l1 (canon lower (func $c "echo-l1") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core func $units-16-l1 (canon lower (func $c "units-l1") (memory $memory) string-encoding=utf16))
  (core func $echo-l1-8 (canon lower (func $c "echo-8") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core func $units-l1-8 (canon lower (func $c "units-8") (memory $memory) string-encoding=latin1+utf16))
  (core func $echo-l1-16 (canon lower (func $c "echo-16") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core func $units-l1-16 (canon lower (func $c "units-16") (memory $memory) string-encoding=latin1+utf16))
  (core func $echo-l1-l1 (canon lower (func $c "echo-l1") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core func $units-l1-l1 (canon lower (func $c "units-l1") (memory $memory) string-encoding=latin1+utf16))
  (core module $t
    (import "" "memory" (memory 1))
    (import "" "echo" (func $echo (param i32 i32 i32)))
    (import "" "units" (func $units (param i32 i32) (result i32)))
    (import "" "log" (func $log (param i32)))
    ;; (string, u32, list<u32>, list<u32>) at 0x200.
    (func (export "t") (param i32 i32) (result i32)
      (call $echo (local.get 0) (local.get 1) (i32.const 0x200))
      (i32.store (i32.const 0x208) (call $units (local.get 0) (local.get 1)))
      (call $log (i32.const 0x20c))
      (i32.store (i32.const 0x214) (i32.const 0x8000))
      (i32.store (i32.const 0x218) (i32.shl (i32.load (i32.const 0x7ffc)) (i32.const 2)))
      (i32.const 0x200)))
  (core instance $t-8-8 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-8-8)) (export "units" (func $units-8-8)) (export "log" (func $log))))))
  (func (export "t-8-8") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-8-8 "t") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core instance $t-8-16 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-8-16)) (export "units" (func $units-8-16)) (export "log" (func $log))))))
  (func (export "t-8-16") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-8-16 "t") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core instance $t-8-l1 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-8-l1)) (export "units" (func $units-8-l1)) (export "log" (func $log))))))
  (func (export "t-8-l1") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-8-l1 "t") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core instance $t-16-8 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-16-8)) (export "units" (func $units-16-8)) (export "log" (func $log))))))
  (func (export "t-16-8") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-16-8 "t") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core instance $t-16-16 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-16-16)) (export "units" (func $units-16-16)) (export "log" (func $log))))))
  (func (export "t-16-16") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-16-16 "t") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core instance $t-16-l1 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-16-l1)) (export "units" (func $units-16-l1)) (export "log" (func $log))))))
  (func (export "t-16-l1") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-16-l1 "t") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core instance $t-l1-8 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-l1-8)) (export "units" (func $units-l1-8)) (export "log" (func $log))))))
  (func (export "t-l1-8") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-l1-8 "t") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core instance $t-l1-16 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-l1-16)) (export "units" (func $units-l1-16)) (export "log" (func $log))))))
  (func (export "t-l1-16") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-l1-16 "t") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core instance $t-l1-l1 (instantiate $t (with "" (instance (export "memory" (memory $memory))
    (export "echo" (func $echo-l1-l1)) (export "units" (func $units-l1-l1)) (export "log" (func $log))))))
  (func (export "t-l1-l1") (param "s" string) (result (tuple string u32 (list u32) (list u32)))
    (canon lift (core func $t-l1-l1 "t") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
)
