// The engine at work, its output compared byte for byte: floating point
// (math functions, formatting with toFixed/toExponential/toPrecision,
// shortest round-trip printing), parsing, regular expressions with named
// groups, Unicode case mapping, JSON round trips, a sort with a custom
// comparator, Maps, typed arrays and DataView, BigInt arithmetic, UTC
// dates, generators, private fields, Proxies (the sync runtime, optimized
// for size).
// kiln-test: js-flags = --sync --opt-size
// kiln-test: stdout-file
import stdout from "wasi:cli/stdout@0.2.6";
function utf8(s) { const b = unescape(encodeURIComponent(s)); const u = new Uint8Array(b.length); for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return u; }
export const run = {
  run() {
    const out = stdout.getStdout();
    const lines = [];
    const log = (...xs) => lines.push(xs.map(String).join(" "));
    // numbers
    let acc = 0; for (let i = 1; i < 200000; i++) acc += Math.sin(i) * Math.sqrt(i) / Math.log(i + 1);
    log("acc", acc, acc.toFixed(10), acc.toExponential(5), (acc * 1e10).toPrecision(12));
    log([0.1, 1/3, 2/3, 1e-7, 123456789.123, -1.5e300, 5e-324, 2**31, 2**63].map(x => x.toString()).join(","));
    log(parseFloat("3.14abc"), parseInt("ff", 16), Number("0x1f"), (255).toString(2), (-7.5).toString(36));
    log(Math.fround(1.1), Math.imul(0x7fffffff, 3), Math.clz32(1), Math.hypot(3, 4, 12), Math.cbrt(-27), Math.atan2(1, -1), Math.expm1(1e-10), Math.log1p(1e-10));
    // strings / regex
    const text = "The quick brown fox jumps over the lazy dog. ".repeat(200) + "Ünïcödé 😀 text";
    log(text.length, text.match(/o/g).length, text.replace(/(\w+) (\w+)/g, "$2 $1").slice(0, 60));
    log(/(?<y>\d{4})-(?<m>\d{2})/.exec("on 2024-05-17").groups.y, "ß".toUpperCase(), "İ".toLowerCase().length, "a,b,,c".split(","), "abc".localeCompare("abd"));
    log([..."😀é"].map(c => c.codePointAt(0).toString(16)), String.fromCodePoint(0x1F600), "x".padStart(5, "ab"), "  t ".trim());
    // JSON, sort, maps
    const data = []; let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 5000; i++) data.push({ id: i, v: rnd(), s: "k" + Math.floor(rnd() * 1000) });
    data.sort((a, b) => a.v - b.v || a.id - b.id);
    const j = JSON.stringify(data.slice(0, 3));
    log(j, JSON.parse(JSON.stringify(data)).length);
    const m = new Map(); for (const d of data) m.set(d.s, (m.get(d.s) || 0) + 1);
    log(m.size, [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).join(";"));
    // typed arrays, dataview, bigint
    const f = new Float64Array([1.5, -0, NaN, Infinity]); const dv = new DataView(f.buffer);
    log(Array.from(new Uint8Array(f.buffer, 0, 8)).join(","), dv.getBigUint64(16, true).toString(16), Object.is(f[1], -0));
    log((2n ** 200n).toString(36), BigInt.asIntN(64, 2n ** 63n), (-(10n ** 30n)) / 7n, 10n ** 30n % 7n);
    // dates (UTC only), errors, generators, closures, classes, proxies
    const d = new Date(Date.UTC(2020, 1, 29, 12, 30, 15, 250)); log(d.toISOString(), d.getUTCDay(), d.valueOf(), Date.UTC(1969, 11, 31));
    try { null.x; } catch (e) { log(e.name, e.message); }
    function* g() { let a = 0, b = 1; for (;;) { yield a; [a, b] = [b, a + b]; } }
    const it = g(); const fib = []; for (let i = 0; i < 20; i++) fib.push(it.next().value); log(fib.join(" "));
    class A { #p = 3; get p() { return this.#p; } static s() { return "st"; } } class B extends A { toString() { return "B" + this.p; } }
    log(String(new B()), B.s(), new Proxy({}, { get: (t, k) => k.toString().toUpperCase() }).hello);
    log(Object.entries({ z: 1, a: 2, 10: 3, 2: 4 }).join("|"), Array.from({ length: 5 }, (_, i) => i * i).reverse());
    out.blockingWriteAndFlush(utf8(lines.join("\n") + "\n"));
  },
};
