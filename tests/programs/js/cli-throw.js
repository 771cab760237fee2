// A JavaScript exception escaping `run` (the size-optimized runtime,
// `--opt-size`): the runtime's Rust code panics, which is a wasm trap
// (status 134) with the panic message on stderr and Wasmtime's backtrace.
// Frame 0 is the `unreachable` of the panic, reported at the `if` before
// it, as Wasmtime reports a trap right after an `else`-less `if`
// (tests/run/trap/if_then_unreachable.wat). The build is not reproducible
// (offsets move from one build to the next), so the backtrace is compared
// with wasmtime's on the same component (`stderr-like-wasmtime`).
// kiln-test: js-flags = --opt-size
// kiln-test: exit = 134
// kiln-test: stdout = "about to throw\n"
// kiln-test: stderr-contains = "Exception { message: Some(\"boom\"), stack: Some(\"    at run (/cli-throw.js:22:17)"
// kiln-test: stderr-like-wasmtime
// kiln-test: stderr-contains = "wasm trap: wasm `unreachable` instruction executed"
import stdout from "wasi:cli/stdout@0.2.6";

export const run = {
  run() {
    const out = stdout.getStdout();
    out.blockingWriteAndFlush(new Uint8Array([...("about to throw\n")].map((c) => c.charCodeAt(0))));
    if (out) {
      throw new Error("boom");
    }
  },
};
