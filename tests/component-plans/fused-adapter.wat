;; Fused adapters: the root lowers `echo`, lifted by a nested component
;; with another string encoding (a generated module instantiated in the
;; root, bound to both instances' flags built-ins, memories and realloc
;; functions and to a string transcoder each way), and `self`, which it
;; lifted itself (an adapter that traps "cannot enter component instance").
(component
  (component $inner
    (core module $m
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
      (func (export "echo") (param i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")) string-encoding=utf16)))
  (instance $c (instantiate $inner))
  (core module $m
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    (func (export "f")))
  (core instance $m (instantiate $m))
  (core func $echo (canon lower (func $c "echo") (memory (core memory $m "memory"))
    (realloc (core func $m "realloc"))))
  (func $self (canon lift (core func $m "f")))
  (core func $self (canon lower (func $self)))
  (core module $user
    (import "" "echo" (func (param i32 i32 i32)))
    (import "" "self" (func)))
  (core instance (instantiate $user (with "" (instance (export "echo" (func $echo)) (export "self" (func $self))))))
)

;; component instances: 2
;; module 0: 0x15..0x6d (0 imports)
;; module 1: 0xea..0x13a (0 imports)
;; module 2: 0x18b..0x1c0 (2 imports)
;; module 3: generated (855 bytes) (11 imports)
;; module 4: generated (179 bytes) (5 imports)
;; instance 0: module 0 in component 1
;; instance 1: module 1 in component 0
;; instance 2: module 3 in component 0
;;   "flags" "lower-word" global <- flags of component instance 0
;;   "flags" "lift-word" global <- flags of component instance 1
;;   "flags" "lower" func <- trampoline 0
;;   "flags" "lift" func <- trampoline 1
;;   "callee" "func" func <- instance 0 "echo"
;;   "lower" "realloc" func <- instance 1 "realloc"
;;   "lift" "realloc" func <- instance 0 "realloc"
;;   "transcode" "params-utf8-to-utf16" func <- trampoline 2
;;   "transcode" "results-utf16-to-utf8" func <- trampoline 3
;;   "lower" "memory" memory <- instance 1 "memory"
;;   "lift" "memory" memory <- instance 0 "memory"
;; instance 3: module 4 in component 0
;;   "flags" "lower-word" global <- flags of component instance 0
;;   "flags" "lift-word" global <- flags of component instance 0
;;   "flags" "lower" func <- trampoline 0
;;   "flags" "lift" func <- trampoline 0
;;   "callee" "func" func <- instance 1 "f"
;; instance 4: module 2 in component 0
;;   "" "echo" func <- instance 2 "adapter"
;;   "" "self" func <- instance 3 "adapter"
;; trampoline 0: adapter flags of component 0
;; trampoline 1: adapter flags of component 1
;; trampoline 2: adapter transcode utf8-to-utf16 Utf8 in component 0 -> Utf16 in component 1
;; trampoline 3: adapter transcode utf16-to-utf8 Utf16 in component 1 -> Utf8 in component 0
