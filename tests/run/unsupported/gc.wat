;; GC types are not supported: a clear compile-time error naming the proposal.
(module
  (type $pair (struct (field i32) (field i32)))
  (func (export "_start")))
;; kiln-test: compile-error = "unsupported feature: gc"
