;; Guest-defined resources: `canon resource.new/rep/drop` on two
;; resource types sharing the instance's one handle table with the host's
;; output-stream; a destructor that prints (it reaches `print` through a
;; funcref table the fixup module fills, since the resource type must exist
;; before the module that uses it); freed indices reused last freed first;
;; a resource without destructor; and the traps: dropping an unknown or
;; already-dropped handle, `rep` of a handle of another resource type (guest
;; or host), `rep` of index 0.
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

  ;; Memory and the destructor trampoline: slot 0 of `$hooks` is filled by
  ;; the fixup module with the main module's `on-drop`.
  (core module $base
    (memory (export "memory") 1)
    (table (export "hooks") 1 funcref)
    (type $hook (func (param i32)))
    (func (export "dtor") (param i32)
      (call_indirect (type $hook) (local.get 0) (i32.const 0))))
  (core instance $base (instantiate $base))
  (alias core export $base "memory" (core memory $memory))
  (alias core export $base "dtor" (core func $dtor))

  (type $thing (resource (rep i32) (dtor (core func $dtor))))
  (type $plain (resource (rep i32)))
  (core func $thing-new (canon resource.new $thing))
  (core func $thing-rep (canon resource.rep $thing))
  (core func $thing-drop (canon resource.drop $thing))
  (core func $plain-new (canon resource.new $plain))
  (core func $plain-rep (canon resource.rep $plain))
  (core func $plain-drop (canon resource.drop $plain))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $memory)))

  (core module $main
    (import "base" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "thing" "new" (func $new (param i32) (result i32)))
    (import "thing" "rep" (func $rep (param i32) (result i32)))
    (import "thing" "drop" (func $drop (param i32)))
    (import "plain" "new" (func $pnew (param i32) (result i32)))
    (import "plain" "rep" (func $prep (param i32) (result i32)))
    (import "plain" "drop" (func $pdrop (param i32)))
    (global $out (mut i32) (i32.const 0))
    (func $print (param $p i32) (param $n i32)
      (if (i32.eqz (global.get $out)) (then (global.set $out (call $get-stdout))))
      (call $write (global.get $out) (local.get $p) (local.get $n) (i32.const 16)))
    ;; Prints `label` (a NUL-terminated string at `p`), then `v` in decimal
    ;; and a newline.
    (func $show (param $p i32) (param $v i32)
      (local $n i32) (local $e i32)
      (block $done (loop $len
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $len)))
      (call $print (local.get $p) (local.get $n))
      (local.set $e (i32.const 80))
      (i32.store8 (local.get $e) (i32.const 10))
      (loop $digit
        (local.set $e (i32.sub (local.get $e) (i32.const 1)))
        (i32.store8 (local.get $e) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
        (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
        (br_if $digit (local.get $v)))
      (call $print (local.get $e) (i32.sub (i32.const 81) (local.get $e))))
    (func (export "on-drop") (param i32)
      (call $show (i32.const 200) (local.get 0)))
    (func (export "run") (result i32)
      (local $a i32) (local $b i32) (local $c i32) (local $d i32)
      (call $show (i32.const 100) (i32.const 0))
      (local.set $a (call $new (i32.const 10)))
      (local.set $b (call $new (i32.const 20)))
      (local.set $c (call $new (i32.const 30)))
      (call $show (i32.const 120) (local.get $a))
      (call $show (i32.const 120) (local.get $b))
      (call $show (i32.const 120) (local.get $c))
      (call $show (i32.const 140) (call $rep (local.get $b)))
      (call $drop (local.get $b))
      (call $drop (local.get $c))
      ;; Last freed first: $c's index, then $b's.
      (call $show (i32.const 120) (call $new (i32.const 40)))
      (local.set $d (call $pnew (i32.const 50)))
      (call $show (i32.const 160) (local.get $d))
      (call $show (i32.const 140) (call $prep (local.get $d)))
      (call $show (i32.const 140) (call $rep (local.get $c)))
      (call $pdrop (local.get $d))
      (call $drop (local.get $a))
      (call $show (i32.const 180) (i32.const 0))
      (i32.const 0))
    (func (export "drop-twice")
      (local $h i32)
      (local.set $h (call $new (i32.const 7)))
      (call $drop (local.get $h))
      (call $drop (local.get $h)))
    (func (export "drop-unknown") (call $drop (i32.const 9)))
    (func (export "drop-zero") (call $drop (i32.const 0)))
    (func (export "rep-zero") (drop (call $rep (i32.const 0))))
    (func (export "rep-wrong-guest")
      (drop (call $prep (call $new (i32.const 1)))))
    (func (export "drop-wrong-guest")
      (call $drop (call $pnew (i32.const 1))))
    (func (export "rep-host")
      (call $show (i32.const 100) (i32.const 0))
      (drop (call $rep (global.get $out))))
    (data (i32.const 100) "start \00")
    (data (i32.const 120) "handle \00")
    (data (i32.const 140) "rep \00")
    (data (i32.const 160) "plain handle \00")
    (data (i32.const 180) "end \00")
    (data (i32.const 200) "dtor \00"))
  (core instance $main (instantiate $main
    (with "base" (instance $base))
    (with "host" (instance (export "get-stdout" (func $get-stdout)) (export "write" (func $write))))
    (with "thing" (instance (export "new" (func $thing-new)) (export "rep" (func $thing-rep)) (export "drop" (func $thing-drop))))
    (with "plain" (instance (export "new" (func $plain-new)) (export "rep" (func $plain-rep)) (export "drop" (func $plain-drop))))))

  (core module $fixup
    (import "" "hooks" (table 1 funcref))
    (import "" "on-drop" (func $on-drop (param i32)))
    (elem (i32.const 0) func $on-drop))
  (core instance (instantiate $fixup
    (with "" (instance
      (export "hooks" (table $base "hooks"))
      (export "on-drop" (func $main "on-drop"))))))

  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
  (func (export "drop-twice") (canon lift (core func $main "drop-twice")))
  (func (export "drop-unknown") (canon lift (core func $main "drop-unknown")))
  (func (export "drop-zero") (canon lift (core func $main "drop-zero")))
  (func (export "rep-zero") (canon lift (core func $main "rep-zero")))
  (func (export "rep-wrong-guest") (canon lift (core func $main "rep-wrong-guest")))
  (func (export "drop-wrong-guest") (canon lift (core func $main "drop-wrong-guest")))
  (func (export "rep-host") (canon lift (core func $main "rep-host"))))
;; kiln-test: stdout = "start 0\nhandle 2\nhandle 3\nhandle 4\nrep 20\ndtor 20\ndtor 30\nhandle 4\nplain handle 3\nrep 50\nrep 40\ndtor 10\nend 0\n"
;; The destructor's `print` takes the freed index for stdout, so the second
;; drop finds an output-stream there.
;; kiln-test: invoke = "drop-twice()"
;; kiln-test: exit = 1
;; kiln-test: stdout = "dtor 7\n"
;; kiln-test: stderr-contains = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"
;; kiln-test: invoke = "drop-unknown()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 9"
;; kiln-test: invoke = "drop-zero()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 0"
;; kiln-test: invoke = "rep-zero()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 0"
;; kiln-test: invoke = "rep-wrong-guest()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"
;; kiln-test: invoke = "drop-wrong-guest()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"
;; kiln-test: invoke = "rep-host()"
;; kiln-test: exit = 1
;; kiln-test: stdout = "start 0\n"
;; kiln-test: stderr-contains = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"
