// Two JavaScript components, each its own QuickJS runtime (itself a
// composition of the runtime and the generated bindings), composed with
// `wasm-tools compose`: this app imports `api` from `types-lib.js`
// (`compose = types-lib`). Every WIT value type crosses the fused adapters
// both ways, a resource is created, borrowed and passed by ownership, and
// `result` errors come back as exceptions.
// kiln-test: compose = types-lib
// kiln-test: stdout-file
import api from "kiln:js-test/api@0.1.0";
import stdout from "wasi:cli/stdout@0.2.6";

function utf8(s) {
  const b = unescape(encodeURIComponent(s));
  const u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
  return u;
}
function show(x) {
  return typeof x === "string"
    ? x
    : JSON.stringify(x, (k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
}

export const run = {
  run() {
    const out = stdout.getStdout();
    const log = (...xs) => out.blockingWriteAndFlush(utf8(xs.map(show).join(" ") + "\n"));
    log("keys", Object.keys(api));
    log("prims", api.prims(true, -5, 250, -300, 65000, -70000, 4000000000, -9007199254740991, 9007199254740990, 1.5, 1e300, "x"));
    log("prims", api.prims(false, 127, 0, 32767, 0, 2147483647, 1, 2 ** 40, 0, -0, -1e-300, "z"));
    log("prims", api.prims(false, -128, 255, -32768, 65535, -2147483648, 4294967295, 0, 2 ** 52, 3.4e38, Number.MIN_VALUE, "😀"));
    log("mirror", api.mirror({ x: 1, y: -2 }));
    log("describe", api.describe({ tag: "circle", val: 2.5 }), api.describe({ tag: "rect", val: { x: 3, y: 4 } }), api.describe({ tag: "none" }));
    log("reshape", api.reshape("circle"), api.reshape("rect"), api.reshape("?"));
    log("flip", api.flip({ read: true, write: false, exec: true }), api.flip({}));
    log("next", api.next("red"), api.next("green"), api.next("blue"));
    log("maybe", api.maybe("hi"), api.maybe(""));
    try {
      api.maybe(null);
    } catch (e) {
      log("maybe threw", e);
    }
    log("upper", api.upper(["a", "bé", "", "ß"]), api.upper([]));
    log("bytes", api.bytes(new Uint8Array([1, 2, 3, 255])), api.bytes(new Uint8Array(0)));
    log("nested", api.nested([["ab", [1, 2, -3]], null, ["", []], ["😀", [32767, 32767]]]));
    log("fails", api.fails(3));
    try {
      api.fails(11);
    } catch (e) {
      log("fails threw", e);
    }
    const c = api.make(5);
    log("counter", c.add(2), c.get(), api.bump(c, 10), c.get());
    const c2 = new api.Counter(100);
    log("counter2", c2.add(1), api.bump(c2, 1));
    log("total", api.total(c2));
    try {
      c2.get();
    } catch (e) {
      log("moved counter:", String(e));
    }
    let sum = 0;
    for (let i = 0; i < 2000; i++) sum += api.fails(i % 10);
    log("many calls", sum);
  },
};
