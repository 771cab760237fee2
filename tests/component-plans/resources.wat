;; Resources: an imported resource with own/borrow in lowered functions and
;; its resource.drop; a defined resource with a destructor,
;; resource.new/rep/drop, and lifted exports taking and returning handles.
(component
  (import "wasi:io/streams@0.2.6" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.write" (func (param "self" (borrow $os)) (param "contents" (list u8))))
    (export "[static]output-stream.make" (func (result (own $os))))
  ))
  (alias export $streams "output-stream" (type $os))
  (core module $mm
    (memory (export "memory") 1)
    (func (export "dtor") (param i32))
  )
  (core instance $m (instantiate $mm))
  (alias core export $m "dtor" (core func $dtor))
  (type $thing (resource (rep i32) (dtor (core func $dtor))))
  (core func $new (canon resource.new $thing))
  (core func $rep (canon resource.rep $thing))
  (core func $drop (canon resource.drop $thing))
  (core func $drop-os (canon resource.drop $os))
  (core func $write (canon lower (func $streams "[method]output-stream.write") (memory (core memory $m "memory"))))
  (core func $make (canon lower (func $streams "[static]output-stream.make")))
  (core module $impl
    (import "host" "write" (func $write (param i32 i32 i32)))
    (import "host" "make" (func $make (result i32)))
    (import "host" "drop-os" (func $drop-os (param i32)))
    (import "res" "new" (func $new (param i32) (result i32)))
    (import "res" "rep" (func $rep (param i32) (result i32)))
    (import "res" "drop" (func $drop (param i32)))
    (func (export "make-thing") (result i32) i32.const 7 call $new)
    (func (export "use-thing") (param i32) (result i32) local.get 0)
    (func (export "drop-thing") (param i32) local.get 0 call $drop)
  )
  (core instance $i (instantiate $impl
    (with "host" (instance
      (export "write" (func $write))
      (export "make" (func $make))
      (export "drop-os" (func $drop-os))
    ))
    (with "res" (instance
      (export "new" (func $new))
      (export "rep" (func $rep))
      (export "drop" (func $drop))
    ))
  ))
  (export $te "thing" (type $thing))
  (func $make-thing (result (own $te)) (canon lift (core func $i "make-thing")))
  (func $use-thing (param "t" (borrow $te)) (result u32) (canon lift (core func $i "use-thing")))
  (func $drop-thing (param "t" (own $te)) (canon lift (core func $i "drop-thing")))
  (export "make-thing" (func $make-thing))
  (export "use-thing" (func $use-thing))
  (export "drop-thing" (func $drop-thing))
)

;; component instances: 1
;; module 0: 0xb3..0xf0 (0 imports)
;; module 1: 0x175..0x259 (6 imports)
;; import 0: instance "wasi:io/streams@0.2.6"
;;   uses "[method]output-stream.write"
;;   uses "[static]output-stream.make"
;; resource r0: imported "wasi:io/streams@0.2.6" "output-stream"
;; resource r1: defined in component 0, dtor instance 0 "dtor"
;; instance 0: module 0 in component 0
;; instance 1: module 1 in component 0
;;   "host" "write" func <- trampoline 4
;;   "host" "make" func <- trampoline 5
;;   "host" "drop-os" func <- trampoline 3
;;   "res" "new" func <- trampoline 0
;;   "res" "rep" func <- trampoline 1
;;   "res" "drop" func <- trampoline 2
;; trampoline 0: resource.new r1 in component 0
;; trampoline 1: resource.rep r1 in component 0
;; trampoline 2: resource.drop r1 in component 0
;; trampoline 3: resource.drop r0 in component 0
;; trampoline 4: lower import 0 "wasi:io/streams@0.2.6" "[method]output-stream.write": func(self: borrow<r0>, contents: list<u8>) [component 0, utf8, memory instance 0 "memory"]
;; trampoline 5: lower import 0 "wasi:io/streams@0.2.6" "[static]output-stream.make": func() -> own<r0> [component 0, utf8]
;; export "make-thing": instance 1 "make-thing" func() -> own<r1> [component 0, utf8]
;; export "use-thing": instance 1 "use-thing" func(t: borrow<r1>) -> u32 [component 0, utf8]
;; export "drop-thing": instance 1 "drop-thing" func(t: own<r1>) [component 0, utf8]
