// Three JavaScript engines in one program: this app (StarlingMonkey, built
// by componentize-js) imports `text` from `sm-lib.js` (StarlingMonkey too)
// and `api` from `types-lib.js` (QuickJS, built by componentize-qjs), all
// composed with `wasm-tools compose`. Strings, lists, records, options,
// variants, flags, 64-bit integers, a resource and `result` errors cross
// the fused adapters between the engines both ways.
// kiln-test: js-tool = componentize-js
// kiln-test: wasi = http
// kiln-test: compose = sm-lib
// kiln-test: compose = types-lib
// kiln-test: stdout-file
import { analyze, join, parse } from "kiln:js-test/text@0.1.0";
import * as api from "kiln:js-test/api@0.1.0";

const show = (x) =>
  JSON.stringify(x, (k, v) =>
    typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v,
  );

export const run = {
  run() {
    console.log("analyze", show(analyze("  the quick brown fox jumps  ")), show(analyze("")));
    console.log("analyze", show(analyze("é€😀 ab 😀😀😀😀")));
    console.log("join", join(["a", "bé", "", "😀"], "→"), JSON.stringify(join([], ",")));
    console.log("parse", show(parse("-9007199254740993")), show(parse("18")));
    try {
      parse("12x");
    } catch (e) {
      console.log("parse threw", show(e.payload ?? String(e)));
    }
    console.log("mirror", show(api.mirror({ x: 7, y: -8 })));
    console.log("describe", api.describe({ tag: "rect", val: { x: 3, y: 4 } }), api.describe({ tag: "none" }));
    console.log("flip", show(api.flip({ read: true, write: false, exec: true })));
    console.log("next", api.next("blue"));
    console.log("upper", show(api.upper(["a", "ß", ""])));
    console.log("bytes", show(api.bytes(new Uint8Array([1, 2, 250]))));
    console.log("nested", show(api.nested([["ab", new Int16Array([1, -3])], undefined])));
    console.log("maybe", api.maybe("x"));
    try {
      api.maybe(undefined);
    } catch (e) {
      console.log("maybe threw", show(e.payload ?? String(e)));
    }
    const c = api.make(40);
    console.log("counter", c.add(1), api.bump(c, 1), c.get());
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += analyze(`w${i} x`).words;
    console.log("many calls", sum);
  },
};
