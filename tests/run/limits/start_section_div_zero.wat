;; Integer division by zero in a start function called through a chain of
;; calls: the backtrace names each frame.
(module
  (global $zero (mut i32) (i32.const 0))
  (func $divide (result i32) (i32.div_u (i32.const 1) (global.get $zero)))
  (func $middle (drop (call $divide)))
  (func $init (call $middle))
  (start $init)
  (func (export "_start")))
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: stderr-contains = "failed to instantiate"
;; kiln-test: stderr-contains = "<unknown>!divide\n"
;; kiln-test: stderr-contains = "<unknown>!middle\n"
;; kiln-test: stderr-contains = "<unknown>!init\n"
