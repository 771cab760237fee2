;; Where a trap right after an `else`-less `if` is reported. Wasmtime's
;; translation branches from the `if` straight to the code after its `end`,
;; and when that code starts with `unreachable` Cranelift's mid-end turns the
;; branch into a conditional trap that keeps the `if`'s source location: the
;; backtrace shows the `if`'s offset when the condition skips the arm, and
;; the `unreachable`'s when the arm falls through to it. Kiln reports the
;; same (it once gave the `unreachable`'s offset in both cases, which showed
;; in componentize-qjs components when JavaScript code threw).
;; Offsets (module bytes as the `wat` crate encodes this file):
;; `$branch_out`'s `if` 0x77, `unreachable` 0x7c; `$fall_through`'s `if`
;; 0x83, `unreachable` 0x89; `$with_params`'s `if` 0x91; `$else_traps`'s
;; `if` 0x9e (its `else` arm traps at once, the same rewrite); `$empty_else`'s
;; `unreachable` 0xaf (an explicit `else` arm is a block of its own).
(module
  (func $branch_out (param i32)
    block
      local.get 0
      i32.eqz
      if
        br 1
      end
      unreachable
    end)
  (func $fall_through (param i32) (param i32)
    local.get 0
    if
      local.get 1
      drop
    end
    unreachable)
  (func $with_params (param i32) (result i32)
    i32.const 7
    local.get 0
    if (param i32) (result i32)
      i32.const 1
      i32.add
      return
    end
    unreachable)
  (func $else_traps (param i32) (result i32)
    local.get 0
    if (result i32)
      i32.const 1
    else
      unreachable
    end)
  (func $empty_else (param i32)
    local.get 0
    if
      return
    else
    end
    unreachable)
  (func (export "branch_out") (param i32) local.get 0 call $branch_out)
  (func (export "fall_through") (param i32) local.get 0 i32.const 0 call $fall_through)
  (func (export "with_params") (param i32) (result i32) local.get 0 call $with_params)
  (func (export "else_traps") (param i32) (result i32) local.get 0 call $else_traps)
  (func (export "empty_else") (param i32) local.get 0 call $empty_else))
;; kiln-test: invoke = "branch_out 0"
;; kiln-test: expect = ""
;; kiln-test: invoke = "branch_out 1"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "0:     0x77 - <unknown>!branch_out\n"
;; kiln-test: invoke = "fall_through 0"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "0:     0x83 - <unknown>!fall_through\n"
;; kiln-test: invoke = "fall_through 1"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "0:     0x89 - <unknown>!fall_through\n"
;; kiln-test: invoke = "with_params 0"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "0:     0x91 - <unknown>!with_params\n"
;; kiln-test: invoke = "with_params 1"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "else_traps 0"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "0:     0x9e - <unknown>!else_traps\n"
;; kiln-test: invoke = "else_traps 1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "empty_else 0"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "0:     0xaf - <unknown>!empty_else\n"
;; kiln-test: invoke = "empty_else 1"
;; kiln-test: expect = ""
