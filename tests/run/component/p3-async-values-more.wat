;; Async calls between component instances, more values: strings whose
;; two sides use different encodings (a utf16 and a latin1+utf16 caller of
;; a utf8 callee, both directions through the runtime's transcoder), and
;; `own` handles of a resource the callee defines, moving to the callee as
;; a parameter and back to the caller as a result. Compared with
;; `wasmtime run --invoke`.
(component
  (component $Callee
    (type $R' (resource (rep i32)))
    (export $R "r" (type $R'))
    (core func $rnew (canon resource.new $R))
    (core func $rrep (canon resource.rep $R))
    (core func $rdrop (canon resource.drop $R))
    (core module $mm (memory (export "m") 1))
    (core instance $mi (instantiate $mm))
    (alias core export $mi "m" (core memory $mem))
    (core func $ret-str (canon task.return (result string) (memory $mem)))
    (core func $ret-own (canon task.return (result (own $R))))
    (core func $ret-u32 (canon task.return (result u32)))
    (core module $cm
      (import "" "mem" (memory 1))
      (import "" "ret-str" (func $ret-str (param i32 i32)))
      (import "" "ret-own" (func $ret-own (param i32)))
      (import "" "ret-u32" (func $ret-u32 (param i32)))
      (import "" "rnew" (func $rnew (param i32) (result i32)))
      (import "" "rrep" (func $rrep (param i32) (result i32)))
      (import "" "rdrop" (func $rdrop (param i32)))
      (global $heap (mut i32) (i32.const 4096))
      (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $heap (i32.add (local.get $p) (local.get 3)))
        ;; a shrink or growth keeps the old bytes
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
          (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
        (local.get $p))
      ;; shout: the string with "!" appended (utf8).
      (func (export "shout") (param $p i32) (param $n i32) (result i32)
        (local $q i32)
        (local.set $q (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $n) (i32.const 1))))
        (memory.copy (local.get $q) (local.get $p) (local.get $n))
        (i32.store8 (i32.add (local.get $q) (local.get $n)) (i32.const 33))
        (call $ret-str (local.get $q) (i32.add (local.get $n) (i32.const 1)))
        (i32.const 0))
      (func (export "make") (param $n i32) (result i32)
        (call $ret-own (call $rnew (i32.mul (local.get $n) (i32.const 3))))
        (i32.const 0))
      (func (export "take") (param $h i32) (result i32)
        (local $r i32)
        (local.set $r (call $rrep (local.get $h)))
        (call $rdrop (local.get $h))
        (call $ret-u32 (i32.add (local.get $r) (local.get $h)))
        (i32.const 1))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $ci (instantiate $cm
      (with "" (instance (export "mem" (memory $mem)) (export "ret-str" (func $ret-str))
        (export "ret-own" (func $ret-own)) (export "ret-u32" (func $ret-u32))
        (export "rnew" (func $rnew)) (export "rrep" (func $rrep)) (export "rdrop" (func $rdrop))))))
    (alias core export $ci "realloc" (core func $realloc))
    (func (export "shout") async (param "s" string) (result string)
      (canon lift (core func $ci "shout") async (callback (core func $ci "cb")) (memory $mem) (realloc $realloc)))
    (func (export "make") async (param "n" u32) (result (own $R))
      (canon lift (core func $ci "make") async (callback (core func $ci "cb"))))
    (func (export "take") async (param "r" (own $R)) (result u32)
      (canon lift (core func $ci "take") async (callback (core func $ci "cb")))))
  ;; A caller whose strings are utf16 (or latin1+utf16).
  (component $Caller16
    (import "shout" (func $shout async (param "s" string) (result string)))
    (core module $mm
      (memory (export "m") 1)
      (global $heap (mut i32) (i32.const 8192))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $heap (i32.add (local.get $p) (local.get 3)))
        ;; a shrink or growth keeps the old bytes
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
          (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
        (local.get $p)))
    (core instance $mi (instantiate $mm))
    (alias core export $mi "m" (core memory $m))
    (alias core export $mi "realloc" (core func $r))
    (core func $shout-a (canon lower (func $shout) async (memory $m) (realloc $r) string-encoding=utf16))
    (core func $shout-l (canon lower (func $shout) async (memory $m) (realloc $r) string-encoding=latin1+utf16))
    (core func $ret16 (canon task.return (result string) (memory $m) string-encoding=utf16))
    (core func $retl (canon task.return (result string) (memory $m) string-encoding=latin1+utf16))
    (core func $wsnew (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $stdrop (canon subtask.drop))
    (core module $main
      (import "" "m" (memory 1))
      (import "" "shout-a" (func $shout-a (param i32 i32 i32) (result i32)))
      (import "" "shout-l" (func $shout-l (param i32 i32 i32) (result i32)))
      (import "" "ret16" (func $ret16 (param i32 i32)))
      (import "" "retl" (func $retl (param i32 i32)))
      ;; "h\u00e9\u4e16" in utf16, and "caf\u00e9" in latin1.
      (data (i32.const 0) "h\00\e9\00\16\4e")
      (data (i32.const 16) "caf\e9")
      (func (export "utf16") (result i32)
        (local $st i32)
        (local.set $st (call $shout-a (i32.const 0) (i32.const 3) (i32.const 256)))
        (call $ret16 (i32.load (i32.const 256)) (i32.load (i32.const 260)))
        (i32.and (local.get $st) (i32.const 0)))
      (func (export "latin1") (result i32)
        (local $st i32)
        (local.set $st (call $shout-l (i32.const 16) (i32.const 4) (i32.const 256)))
        (call $retl (i32.load (i32.const 256)) (i32.load (i32.const 260)))
        (i32.and (local.get $st) (i32.const 0)))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $main
      (with "" (instance (export "m" (memory $m)) (export "shout-a" (func $shout-a))
        (export "shout-l" (func $shout-l)) (export "ret16" (func $ret16)) (export "retl" (func $retl))))))
    (func (export "utf16") async (result string)
      (canon lift (core func $i "utf16") async (callback (core func $i "cb")) (memory $m) (realloc $r)
        string-encoding=utf16))
    (func (export "latin1") async (result string)
      (canon lift (core func $i "latin1") async (callback (core func $i "cb")) (memory $m) (realloc $r)
        string-encoding=latin1+utf16)))
  ;; A caller of `make` and `take`: the handle it gets comes back.
  (component $Owner
    (import "r" (type $R (sub resource)))
    (import "make" (func $make async (param "n" u32) (result (own $R))))
    (import "take" (func $take async (param "r" (own $R)) (result u32)))
    (core module $mm (memory (export "m") 1))
    (core instance $mi (instantiate $mm))
    (alias core export $mi "m" (core memory $m))
    (core func $make-a (canon lower (func $make) async (memory $m)))
    (core func $take-s (canon lower (func $take)))
    (core func $ret-u32 (canon task.return (result u32)))
    (core module $main
      (import "" "m" (memory 1))
      (import "" "make-a" (func $make-a (param i32 i32) (result i32)))
      (import "" "take-s" (func $take-s (param i32) (result i32)))
      (import "" "ret-u32" (func $ret-u32 (param i32)))
      (func (export "go") (result i32)
        (local $st i32)
        (local.set $st (call $make-a (i32.const 14) (i32.const 256)))
        ;; status RETURNED (2); the handle, then what take saw.
        (call $ret-u32 (i32.add (i32.mul (local.get $st) (i32.const 100000))
          (i32.add (i32.mul (i32.load (i32.const 256)) (i32.const 1000))
            (call $take-s (i32.load (i32.const 256))))))
        (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $main
      (with "" (instance (export "m" (memory $m)) (export "make-a" (func $make-a))
        (export "take-s" (func $take-s)) (export "ret-u32" (func $ret-u32))))))
    (func (export "go") async (result u32)
      (canon lift (core func $i "go") async (callback (core func $i "cb")))))
  (instance $e (instantiate $Callee))
  (instance $c (instantiate $Caller16 (with "shout" (func $e "shout"))))
  (instance $o (instantiate $Owner (with "r" (type $e "r")) (with "make" (func $e "make"))
    (with "take" (func $e "take"))))
  (export "utf16" (func $c "utf16"))
  (export "latin1" (func $c "latin1"))
  (export "owned" (func $o "go"))
)

;; kiln-test: invoke = "utf16()"
;; kiln-test: expect = "\"hé世!\""
;; kiln-test: invoke = "latin1()"
;; kiln-test: expect = "\"café!\""
;; owned: RETURNED at once (2), handle 1 in the caller, and `take` saw rep
;; 42 (14 * 3) plus its own handle 1.
;; kiln-test: invoke = "owned()"
;; kiln-test: expect = "201043"
