;; A `--dir` whose host directory does not exist ends the run before the
;; module starts, with exit status 1 and Wasmtime's message: only the OS
;; error, without the directory's name (found by differential runs of real
;; modules, where Kiln used to print "failed to open directory '...': ...").
;; kiln-test: flags = "--dir /nonexistent-kiln-preopen-test::/data"
;; kiln-test: exit = 1
;; kiln-test: stdout = ""
;; kiln-test: stderr = "Error: No such file or directory (os error 2)\n"
(module
  (memory (export "memory") 1)
  (func (export "_start")))
