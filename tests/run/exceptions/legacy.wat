;; The legacy exception instructions (`try`/`catch`/`catch_all`/`rethrow`/
;; `delegate`), which toolchains still emit, run on the same machinery as
;; `try_table`. Wasmtime rejects them, so the expectations follow the
;; legacy proposal's semantics (spec/proposals/exception-handling/legacy).
(module
  (tag $a (param i32))
  (tag $b (param i64))
  (tag $c)
  (func $throw-a (param i32) (throw $a (local.get 0)))
  (func $throw-b (param i64) (throw $b (local.get 0)))
  (func $throw-c (throw $c))

  ;; catch with a value, from a callee and from the same function.
  (func (export "catch") (param i32) (result i32)
    try (result i32)
      local.get 0
      i32.eqz
      if
        i32.const 7
        throw $a
      end
      local.get 0
      call $throw-a
      i32.const -1
    catch $a
      i32.const 100
      i32.add
    end)

  ;; Clauses are tried in order; catch_all takes what the others do not.
  (func (export "clauses") (param i32) (result i64)
    try (result i64)
      local.get 0
      i32.const 1
      i32.eq
      if
        i64.const 5
        call $throw-b
      end
      local.get 0
      i32.const 2
      i32.eq
      if
        call $throw-c
      end
      i32.const 3
      call $throw-a
      i64.const -1
    catch $b
    catch $a
      i64.extend_i32_u
      i64.const 30
      i64.add
    catch_all
      i64.const 99
    end)

  ;; rethrow from a catch body (through a nested block) to the caller's try.
  (func $rethrower (param i32)
    try
      local.get 0
      call $throw-a
    catch $a
      drop
      block
        rethrow 1
      end
    end)
  (func (export "rethrow") (param i32) (result i32)
    try (result i32)
      local.get 0
      call $rethrower
      i32.const -1
    catch $a
    end)

  ;; An exception inside a catch body is not caught by the same try.
  (func (export "catch-body-not-covered") (result i32)
    try (result i32)
      try (result i32)
        call $throw-c
        i32.const -1
      catch $a
        i32.const -3
        i32.add
      catch_all
        ;; Not caught by the `catch $a` above.
        i32.const 4
        call $throw-a
        i32.const -2
      end
    catch $a
      i32.const 1000
      i32.add
    end)

  ;; delegate sends the body's exceptions to the handlers of an outer try,
  ;; skipping those in between.
  (func (export "delegate") (result i32)
    try (result i32)
      block (result i32)
        try (result i32)
          try (result i32)
            i32.const 6
            call $throw-a
            i32.const -1
          delegate 2
        catch $a
          ;; Skipped by the delegate.
          i32.const -2
          i32.add
        end
      end
    catch $a
      i32.const 10
      i32.mul
    end)

  ;; delegate to the function's label sends the exception to the caller.
  (func $delegate-out
    try
      try
        i32.const 8
        call $throw-a
      delegate 1
    catch_all
      unreachable
    end)
  (func (export "delegate-out") (result i32)
    try (result i32)
      call $delegate-out
      i32.const -1
    catch $a
    end)

  ;; A catch that nothing in its body reaches; a try in dead code.
  (func (export "dead") (result i32)
    try (result i32)
      i32.const 3
    catch $a
      drop
      i32.const -1
    end
    return
    try
      call $throw-c
    catch_all
    end)

  ;; rethrow names the try whose caught exception is rethrown: here the
  ;; middle try's a(1), from inside a nested catch_all that caught a(2).
  (func (export "rethrow-outer") (result i32)
    try (result i32)
      try (result i32)
        i32.const 1
        call $throw-a
        i32.const -1
      catch $a
        drop
        try (result i32)
          i32.const 2
          call $throw-a
          i32.const -2
        catch_all
          rethrow 1
        end
      end
    catch $a
      i32.const 50
      i32.add
    end)

  ;; Uncaught after rethrow: an exception, not a trap.
  (func (export "uncaught")
    try
      call $throw-c
    catch_all
      rethrow 0
    end)
)
;; kiln-test: wasmtime-skip = "Wasmtime does not implement the legacy exception instructions"
;; kiln-test: invoke = "catch 0"
;; kiln-test: expect = "107"
;; kiln-test: invoke = "catch 5"
;; kiln-test: expect = "105"
;; kiln-test: invoke = "clauses 1"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "clauses 2"
;; kiln-test: expect = "99"
;; kiln-test: invoke = "clauses 3"
;; kiln-test: expect = "33"
;; kiln-test: invoke = "rethrow 12"
;; kiln-test: expect = "12"
;; kiln-test: invoke = "catch-body-not-covered"
;; kiln-test: expect = "1004"
;; kiln-test: invoke = "delegate"
;; kiln-test: expect = "60"
;; kiln-test: invoke = "delegate-out"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "dead"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "rethrow-outer"
;; kiln-test: expect = "51"
;; kiln-test: invoke = "uncaught"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "thrown Wasm exception"
