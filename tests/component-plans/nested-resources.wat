;; Resources across nested components: a host resource passed in both
;; inside an instance and as a type argument (one plan resource), a resource
;; defined by a nested component that is instantiated twice (two plan
;; resources, one per component instance), and a root export whose type
;; names the nested definition through an alias.
(component $root
  (import "wasi:io/streams@0.2.6" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.write" (func (param "self" (borrow $os)) (param "contents" (list u8))))
  ))
  (alias export $streams "output-stream" (type $os))
  (component $inner
    (import "streams" (instance $s
      (export "output-stream" (type $os (sub resource)))
      (export "[method]output-stream.write" (func (param "self" (borrow $os)) (param "contents" (list u8))))
    ))
    (import "os" (type $os2 (sub resource)))
    (core module $mm
      (memory (export "memory") 1)
      (func (export "dtor") (param i32))
    )
    (core instance $m (instantiate $mm))
    (core func $w (canon lower (func $s "[method]output-stream.write") (memory (core memory $m "memory"))))
    (core func $d (canon resource.drop $os2))
    (alias core export $m "dtor" (core func $dtor))
    (type $counter (resource (rep i32) (dtor (core func $dtor))))
    (core func $new (canon resource.new $counter))
    (core module $impl
      (import "" "w" (func (param i32 i32 i32)))
      (import "" "d" (func (param i32)))
      (import "" "new" (func (param i32) (result i32)))
      (func (export "make") (result i32) i32.const 1 call 2)
    )
    (core instance $i (instantiate $impl
      (with "" (instance (export "w" (func $w)) (export "d" (func $d)) (export "new" (func $new))))
    ))
    (export $c "counter" (type $counter))
    (func $make (result (own $c)) (canon lift (core func $i "make")))
    (export "make" (func $make))
  )
  (instance $x (instantiate $inner (with "streams" (instance $streams)) (with "os" (type $os))))
  (instance $y (instantiate $inner (with "streams" (instance $streams)) (with "os" (type $os))))
  (alias export $x "counter" (type $counter))
  (alias export $x "make" (func $make))
  (export $ce "counter" (type $counter))
  (export "make" (func $make) (func (result (own $ce))))
  (alias export $y "make" (func $make2))
  (export "y" (instance $y))
)

;; component instances: 3
;; module 0: 0xfd..0x13a (0 imports)
;; module 1: 0x192..0x1ea (3 imports)
;; import 0: instance "wasi:io/streams@0.2.6"
;;   uses "[method]output-stream.write"
;; resource r0: imported "wasi:io/streams@0.2.6" "output-stream"
;; resource r1: defined in component 1, dtor instance 0 "dtor"
;; resource r2: defined in component 2, dtor instance 2 "dtor"
;; instance 0: module 0 in component 1
;; instance 1: module 1 in component 1
;;   "" "w" func <- trampoline 0
;;   "" "d" func <- trampoline 1
;;   "" "new" func <- trampoline 2
;; instance 2: module 0 in component 2
;; instance 3: module 1 in component 2
;;   "" "w" func <- trampoline 3
;;   "" "d" func <- trampoline 4
;;   "" "new" func <- trampoline 5
;; trampoline 0: lower import 0 "wasi:io/streams@0.2.6" "[method]output-stream.write": func(self: borrow<r0>, contents: list<u8>) [component 1, utf8, memory instance 0 "memory"]
;; trampoline 1: resource.drop r0 in component 1
;; trampoline 2: resource.new r1 in component 1
;; trampoline 3: lower import 0 "wasi:io/streams@0.2.6" "[method]output-stream.write": func(self: borrow<r0>, contents: list<u8>) [component 2, utf8, memory instance 2 "memory"]
;; trampoline 4: resource.drop r0 in component 2
;; trampoline 5: resource.new r2 in component 2
;; export "make": instance 1 "make" func() -> own<r1> [component 1, utf8]
;; export "y" "make": instance 3 "make" func() -> own<r2> [component 2, utf8]
