// A WASI 0.3 command in JavaScript (componentize-qjs, default async
// runtime): `run` is an async export; stdout, stderr and stdin are
// `stream<u8>`s with result futures; two concurrent `wait-for`s finish in
// deadline order; arguments and environment.
// kiln-test: args = one two
// kiln-test: env = JS_MODE=async
// kiln-test: stdin = "first line, é€😀\nsecond line\n"
// kiln-test: stdout = "hello from async JS\nargs [\"one\",\"two\"]\nenv [[\"JS_MODE\",\"async\"]]\nshort\nlong\nboth waits done\nstdin [\"FIRST LINE, É€😀\",\"SECOND LINE\",\"\"] in 1+ chunks\nbye\n"
// kiln-test: stderr-contains = "to stderr through a stream"
import { getArguments, getEnvironment } from "wasi:cli/environment@0.3.0";
import { readViaStream } from "wasi:cli/stdin@0.3.0";
import { writeViaStream } from "wasi:cli/stdout@0.3.0";
import { writeViaStream as writeStderr } from "wasi:cli/stderr@0.3.0";
import { waitFor } from "wasi:clocks/monotonic-clock@0.3.0";

function utf8(s) {
  const b = unescape(encodeURIComponent(s));
  const u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
  return u;
}
function fromUtf8(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return decodeURIComponent(escape(s));
}

export const run = {
  async run() {
    const { readable, writable } = wit.Stream(wit.Stream.U8);
    const done = writeViaStream(readable);
    const log = (s) => writable.writeAll(utf8(s + "\n"));
    await log("hello from async JS");
    // argv[0] is the program's path, which differs between runners.
    await log("args " + JSON.stringify(getArguments().slice(1)));
    await log("env " + JSON.stringify(getEnvironment().filter(([k]) => k.startsWith("JS_"))));

    const err = wit.Stream(wit.Stream.U8);
    const errDone = writeStderr(err.readable);
    await err.writable.writeAll(utf8("to stderr through a stream\n"));
    err.writable.drop();
    await errDone;

    const order = [];
    await Promise.all([
      waitFor(60000000).then(() => order.push("long")),
      waitFor(10000000).then(() => order.push("short")),
    ]);
    for (const o of order) await log(o);
    await log("both waits done");

    const [input, inputDone] = readViaStream();
    const bytes = [];
    let chunks = 0;
    for await (const chunk of input) {
      chunks++;
      bytes.push(...chunk);
    }
    await inputDone;
    const lines = fromUtf8(bytes).toUpperCase().split("\n");
    await log("stdin " + JSON.stringify(lines) + " in " + (chunks > 0 ? "1+" : "0") + " chunks");
    await log("bye");
    writable.drop();
    await done;
  },
};
