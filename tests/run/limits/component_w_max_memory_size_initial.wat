;; -W max-memory-size below the minimum of a core instance's memory: the
;; component fails to instantiate with Wasmtime's message, exit status 1.
;; kiln-test: flags = "-W max-memory-size=65535"
(component
  ;; Two core instances: `$m` calls into `$o`, which has its own memory.
  (core module $other
    (memory (export "memory") 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "spin") (loop $l (br $l))))
  (core module $main
    (import "other" "grow" (func $grow-other (param i32) (result i32)))
    (import "other" "spin" (func $spin-other))
    (memory 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow-other") (param i32) (result i32) (call $grow-other (local.get 0)))
    (func (export "spin-other") (call $spin-other))
    (func (export "count") (param $n i32) (result i32) (local $i i32)
      (block $done
        (loop $l
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
      (local.get $i)))
  (core instance $o (instantiate $other))
  (core instance $m (instantiate $main (with "other" (instance $o))))
  (func (export "grow") (param "pages" u32) (result s32) (canon lift (core func $m "grow")))
  (func (export "grow-other") (param "pages" u32) (result s32) (canon lift (core func $m "grow-other")))
  (func (export "spin-other") (canon lift (core func $m "spin-other")))
  (func (export "count") (param "n" u32) (result u32) (canon lift (core func $m "count"))))
;; kiln-test: invoke = "grow(0)"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "component_w_max_memory_size_initial.wat`\n\nCaused by:\n    memory minimum size of 1 pages exceeds memory limits\n\n"
