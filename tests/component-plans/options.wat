;; Canonical options: string encodings, memory and realloc from another
;; instance (through an inline synthetic instance that also passes the
;; memory itself, as the preview1 adapter gets `env.memory`), post-return.
(component
  (import "host:demo/text@1.0.0" (instance $h
    (export "echo" (func (param "s" string) (result string)))
  ))
  (core module $mm
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
  )
  (core instance $m (instantiate $mm))
  (core func $echo8 (canon lower (func $h "echo") (memory (core memory $m "memory")) (realloc (core func $m "realloc"))))
  (core func $echo16 (canon lower (func $h "echo") (memory (core memory $m "memory")) (realloc (core func $m "realloc")) string-encoding=utf16))
  (core func $echo-latin (canon lower (func $h "echo") (memory (core memory $m "memory")) (realloc (core func $m "realloc")) string-encoding=latin1+utf16))
  (core module $g
    (import "env" "memory" (memory 1))
    (import "env" "echo8" (func (param i32 i32 i32)))
    (import "env" "echo16" (func (param i32 i32 i32)))
    (import "env" "echo-latin" (func (param i32 i32 i32)))
    (func (export "greet") (param i32 i32) (result i32) i32.const 0)
    (func (export "greet-post") (param i32))
  )
  (core instance $gi (instantiate $g
    (with "env" (instance
      (export "memory" (memory $m "memory"))
      (export "echo8" (func $echo8))
      (export "echo16" (func $echo16))
      (export "echo-latin" (func $echo-latin))
    ))
  ))
  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $gi "greet") (memory (core memory $m "memory")) (realloc (core func $m "realloc"))
      string-encoding=utf16 (post-return (core func $gi "greet-post"))))
)

;; component instances: 1
;; module 0: 0x3b..0x81 (0 imports)
;; module 1: 0x113..0x19c (4 imports)
;; import 0: instance "host:demo/text@1.0.0"
;;   uses "echo"
;; instance 0: module 0 in component 0
;; instance 1: module 1 in component 0
;;   "env" "memory" memory <- instance 0 "memory"
;;   "env" "echo8" func <- trampoline 0
;;   "env" "echo16" func <- trampoline 1
;;   "env" "echo-latin" func <- trampoline 2
;; trampoline 0: lower import 0 "host:demo/text@1.0.0" "echo": func(s: string) -> string [component 0, utf8, memory instance 0 "memory", realloc instance 0 "realloc"]
;; trampoline 1: lower import 0 "host:demo/text@1.0.0" "echo": func(s: string) -> string [component 0, utf16, memory instance 0 "memory", realloc instance 0 "realloc"]
;; trampoline 2: lower import 0 "host:demo/text@1.0.0" "echo": func(s: string) -> string [component 0, latin1+utf16, memory instance 0 "memory", realloc instance 0 "realloc"]
;; export "greet": instance 1 "greet" func(name: string) -> string [component 0, utf16, memory instance 0 "memory", realloc instance 0 "realloc", post-return instance 1 "greet-post"]
