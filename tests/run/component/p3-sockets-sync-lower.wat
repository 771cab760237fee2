;; A sync lowering of WASI 0.3's `resolve-addresses` (an `async func`),
;; checked against `wasmtime run --invoke`: in an async task it blocks on
;; the event loop until the lookup thread answers, then lowers the list
;; with the guest's `realloc`; in a sync task a literal, which needs no
;; waiting, is answered at once, while a domain, which would block, is
;; Wasmtime's wasm trap. Each export returns 1 for `ok` with addresses.
(component
  (import "wasi:sockets/types@0.3.2" (instance $types
    (type $v (variant
      (case "ipv4" (tuple u8 u8 u8 u8))
      (case "ipv6" (tuple u16 u16 u16 u16 u16 u16 u16 u16))))
    (export "ip-address" (type (eq $v)))))
  (alias export $types "ip-address" (type $ip))
  (import "wasi:sockets/ip-name-lookup@0.3.2" (instance $lookup
    (alias outer 1 $ip (type $ip2))
    (export "ip-address" (type $ipx (eq $ip2)))
    (type $ecv (variant
      (case "access-denied") (case "invalid-argument") (case "name-unresolvable")
      (case "temporary-resolver-failure") (case "permanent-resolver-failure")
      (case "other" (option string))))
    (export "error-code" (type $ec (eq $ecv)))
    (export "resolve-addresses" (func async (param "name" string)
      (result (result (list $ipx) (error $ec)))))))
  (core module $mem
    (memory (export "m") 1)
    (global $next (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "m" (core memory $m))
  (alias core export $mi "realloc" (core func $realloc))
  (core func $ret (canon task.return (result u32)))
  (core func $resolve (canon lower (func $lookup "resolve-addresses") (memory $m) (realloc $realloc)))
  (core module $main
    (import "" "m" (memory 1))
    (import "" "ret" (func $ret (param i32)))
    (import "" "resolve" (func $resolve (param i32 i32 i32)))
    (data (i32.const 16) "localhost")
    (data (i32.const 32) "127.0.0.1")
    ;; ok (0) with a non-empty list: 1; anything else: 100 + the case.
    (func $answer (result i32)
      (if (result i32) (i32.eqz (i32.load8_u (i32.const 64)))
        (then (i32.ne (i32.load (i32.const 72)) (i32.const 0)))
        (else (i32.add (i32.const 100) (i32.load8_u (i32.const 68))))))
    (func (export "lookup-async") (result i32)
      (call $resolve (i32.const 16) (i32.const 9) (i32.const 64))
      (call $ret (call $answer)) (i32.const 0))
    (func (export "literal-sync") (result i32)
      (call $resolve (i32.const 32) (i32.const 9) (i32.const 64))
      (call $answer))
    (func (export "lookup-sync") (result i32)
      (call $resolve (i32.const 16) (i32.const 9) (i32.const 64))
      (call $answer))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $main
    (with "" (instance
      (export "m" (memory $m)) (export "ret" (func $ret)) (export "resolve" (func $resolve))))))
  (func (export "lookup-async") async (result u32) (canon lift (core func $i "lookup-async") async (callback (core func $i "cb"))))
  (func (export "literal-sync") (result u32) (canon lift (core func $i "literal-sync")))
  (func (export "lookup-sync") (result u32) (canon lift (core func $i "lookup-sync")))
)

;; kiln-test: flags = "-S inherit-network -S allow-ip-name-lookup"
;; kiln-test: invoke = "lookup-async()"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "literal-sync()"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "lookup-sync()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
