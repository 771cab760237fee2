;; An executable cannot import a tag: nothing can provide it.
(module
  (import "env" "t" (tag $t (param i32))))
;; kiln-test: compile-error = "must define their tags"
