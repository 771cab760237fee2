;; An async function called from another component instance with values
;; neither way passes yet (a string next to a stream: the runtime moves
;; ends only with scalars, the generated halves move no ends) is refused
;; at compile time, naming the function (never a miscompile). Async calls
;; of scalars, streams and futures run (`p3-tasks.wat`,
;; `p3-streams-between.wat`), and of other values (`p3-async-values.wat`).
;; kiln-test: compile-error = "async function `go` called from another component instance with borrowed handles, error contexts, or streams or futures next to other values"
(component
  (component $c
    (core module $m (memory (export "mem") 1) (func (export "f") (param i32 i32 i32))
      (func (export "r") (param i32 i32 i32 i32) (result i32) i32.const 0))
    (core instance $i (instantiate $m))
    (alias core export $i "mem" (core memory $mem))
    (alias core export $i "r" (core func $r))
    (func (export "go") async (param "x" string) (param "s" (stream u8))
      (canon lift (core func $i "f") (memory $mem) (realloc $r))))
  (instance $c (instantiate $c))
  (core module $n (memory (export "mem") 1))
  (core instance $j (instantiate $n))
  (alias core export $j "mem" (core memory $m2))
  (core func (canon lower (func $c "go") (memory $m2))))
