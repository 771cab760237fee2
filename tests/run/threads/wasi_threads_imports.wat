;; Only wasi-threads' shared `env` `memory` can be imported as a memory.
;; kiln-test: compile-error = "env"
(module
  (import "env" "memory" (memory 1 1)))
