// A `wasi:cli/run` command in JavaScript (componentize-qjs, default async
// runtime): the QuickJS runtime has no `console`, so output goes through
// the WASI streams; arguments, environment, standard input, Unicode,
// number formatting, BigInt, dates, base64.
// kiln-test: args = one two
// kiln-test: env = JS_GREETING=héllo
// kiln-test: stdin = "first line, é€😀\nsecond line\n"
// kiln-test: stdout-file
import env from "wasi:cli/environment@0.2.6";
import stdin from "wasi:cli/stdin@0.2.6";
import stdout from "wasi:cli/stdout@0.2.6";
import stderr from "wasi:cli/stderr@0.2.6";

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
function show(x) {
  return typeof x === "string" ? x : JSON.stringify(x);
}

export const run = {
  run() {
    // Handles are per run: streams taken at module initialization would
    // belong to the build-time snapshot.
    const out = stdout.getStdout();
    const log = (...xs) => out.blockingWriteAndFlush(utf8(xs.map(show).join(" ") + "\n"));
    log("hello from JS", 1, 2.5, true, null, [1, "a"], { k: { v: 1 } });
    stderr.getStderr().blockingWriteAndFlush(utf8("to stderr\n"));
    // argv[0] is the program's path, which differs between runners.
    log("args", env.getArguments().slice(1));
    log("env", env.getEnvironment().filter(([k]) => k.startsWith("JS_")));
    log("cwd", env.initialCwd());
    log(String(Math.PI), (0.1 + 0.2).toString(), 1e21, -0, 2 ** 53 + 1, String(2n ** 100n));
    log(new Date(0).toISOString(), typeof performance.now(), btoa("kiln"), atob("anM="));
    log("é€😀".length, [..."é€😀"].length, encodeURIComponent("é€😀"));
    const input = stdin.getStdin();
    const all = [];
    for (;;) {
      try {
        all.push(...input.blockingRead(7));
      } catch (e) {
        log("end of input:", e.tag);
        break;
      }
    }
    log("stdin:", fromUtf8(all).split("\n"));
    const big = [];
    for (let i = 0; i < 100000; i++) big.push({ i, s: "v" + i });
    log("objects", big.length, big[99999].s, big.reduce((a, o) => a + o.i, 0));
  },
};
