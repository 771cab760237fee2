;; -W max-memory-size below a memory's minimum: instantiation fails with
;; Wasmtime's message, exit status 1; nothing runs.
;; kiln-test: flags = "-W max-memory-size=100000"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "failed to instantiate"
;; kiln-test: stderr-contains = "    1: memory minimum size of 2 pages exceeds memory limits\n"
(module
  (memory (export "memory") 2)
  (func (export "_start") unreachable))
