;; Dynamic-linking style (componentize-py, wasm-tools component link):
;; core modules share a memory, a table and globals through `env`,
;; `GOT.mem` and library instances; each import resolves to another
;; instance's export, by kind.
(component
  (core module $libc
    (memory (export "memory") 1)
    (table (export "__indirect_function_table") 1 funcref)
    (global (export "__stack_pointer") (mut i32) (i32.const 1024))
    (func (export "malloc") (param i32) (result i32) i32.const 0)
  )
  (core module $got
    (global (export "errno") (mut i32) (i32.const 16))
  )
  (core module $main
    (import "env" "memory" (memory 1))
    (import "env" "__indirect_function_table" (table 1 funcref))
    (import "env" "__stack_pointer" (global (mut i32)))
    (import "GOT.mem" "errno" (global (mut i32)))
    (import "libc.so" "malloc" (func (param i32) (result i32)))
    (func (export "_start"))
  )
  (core instance $l (instantiate $libc))
  (core instance $g (instantiate $got))
  (core instance $m (instantiate $main
    (with "env" (instance
      (export "memory" (memory $l "memory"))
      (export "__indirect_function_table" (table $l "__indirect_function_table"))
      (export "__stack_pointer" (global $l "__stack_pointer"))
    ))
    (with "GOT.mem" (instance $g))
    (with "libc.so" (instance $l))
  ))
)

;; component instances: 1
;; module 0: 0xb..0x8c (0 imports)
;; module 1: 0x8e..0xb6 (0 imports)
;; module 2: 0xb9..0x15c (5 imports)
;; instance 0: module 0 in component 0
;; instance 1: module 1 in component 0
;; instance 2: module 2 in component 0
;;   "env" "memory" memory <- instance 0 "memory"
;;   "env" "__indirect_function_table" table <- instance 0 "__indirect_function_table"
;;   "env" "__stack_pointer" global <- instance 0 "__stack_pointer"
;;   "GOT.mem" "errno" global <- instance 1 "errno"
;;   "libc.so" "malloc" func <- instance 0 "malloc"
