// `run` returning `err` (exit status 1, nothing printed) and calling
// `exit` (the synchronous runtime, `--sync`); `run` throwing a non-Error
// value is how a JavaScript `run` returns `err`.
// kiln-test: js-flags = --sync
// kiln-test: args = err
// kiln-test: exit = 1
// kiln-test: stdout = "before err\n"
import env from "wasi:cli/environment@0.2.6";
import exit from "wasi:cli/exit@0.2.6";
import stdout from "wasi:cli/stdout@0.2.6";

function ascii(s) {
  return new Uint8Array([...s].map((c) => c.charCodeAt(0)));
}

export const run = {
  run() {
    const out = stdout.getStdout();
    const args = env.getArguments();
    if (args.includes("exit")) {
      out.blockingWriteAndFlush(ascii("before exit\n"));
      exit.exit({ tag: "err" });
    }
    out.blockingWriteAndFlush(ascii("before err\n"));
    throw "failed";
  },
};
