;; Host instance types as wit-component writes them: a resource shared
;; between interfaces through `(eq ...)` (one plan resource), aliased
;; records and variants (structural, not resources), and a resource.drop
;; through the second interface's alias.
(component $root
  (import "wasi:io/error@0.2.6" (instance $error
    (export "error" (type (sub resource)))
  ))
  (alias export $error "error" (type $err))
  (import "wasi:io/streams@0.2.6" (instance $streams
    (alias outer $root $err (type $e))
    (export "error" (type $e2 (eq $e)))
    (type $stream-error (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se (eq $stream-error)))
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.check-write"
      (func (param "self" (borrow $os)) (result (result u64 (error $se)))))
  ))
  (alias export $streams "stream-error" (type $se))
  (alias export $streams "error" (type $e3))
  (import "wasi:clocks/wall-clock@0.2.6" (instance $clock
    (type $datetime (record (field "seconds" u64) (field "nanoseconds" u32)))
    (export "datetime" (type $dt (eq $datetime)))
    (export "now" (func (result $dt)))
  ))
  (alias export $clock "datetime" (type $dt))
  (core module $mm (memory (export "memory") 1))
  (core instance $m (instantiate $mm))
  (core func (canon lower (func $streams "[method]output-stream.check-write") (memory (core memory $m "memory"))))
  (core func (canon lower (func $clock "now") (memory (core memory $m "memory"))))
  (core func (canon resource.drop $e3))
)

;; component instances: 1
;; module 0: 0x17e..0x1a3 (0 imports)
;; import 0: instance "wasi:io/error@0.2.6"
;; import 1: instance "wasi:io/streams@0.2.6"
;;   uses "[method]output-stream.check-write"
;; import 2: instance "wasi:clocks/wall-clock@0.2.6"
;;   uses "now"
;; resource r0: imported "wasi:io/error@0.2.6" "error"
;; resource r1: imported "wasi:io/streams@0.2.6" "output-stream"
;; instance 0: module 0 in component 0
;; trampoline 0: lower import 1 "wasi:io/streams@0.2.6" "[method]output-stream.check-write": func(self: borrow<r1>) -> result<u64, variant{last-operation-failed(own<r0>), closed}> [component 0, utf8, memory instance 0 "memory"]
;; trampoline 1: lower import 2 "wasi:clocks/wall-clock@0.2.6" "now": func() -> record{seconds: u64, nanoseconds: u32} [component 0, utf8, memory instance 0 "memory"]
;; trampoline 2: resource.drop r0 in component 0
