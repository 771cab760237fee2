// The library `compose-types.js` imports (world `types-lib`): exports the
// `api` interface, a resource class included; errors of `result`-returning
// functions are thrown values.
// kiln-test: library
class Counter {
  constructor(start) {
    this.v = start;
  }
  add(n) {
    this.v += n;
    return this.v;
  }
  get() {
    return this.v;
  }
}

export const api = {
  Counter,
  prims(a, b, c, d, e, f, g, h, i, j, k, l) {
    return [!a, -b, c + 1, -d, e + 1, -f, g - 1, h - 1, i + 1, j * 2, k / 3, l === "x" ? "é" : "😀"];
  },
  mirror(p) {
    return { x: p.y, y: p.x };
  },
  describe(s) {
    return JSON.stringify(s);
  },
  reshape(s) {
    return s === "circle" ? { tag: "circle", val: 0.5 } : s === "rect" ? { tag: "rect", val: { x: -1, y: 2 } } : { tag: "none" };
  },
  flip(p) {
    return { read: !p.read, write: !p.write, exec: !p.exec };
  },
  next(c) {
    return c === "red" ? "green" : c === "green" ? "blue" : "red";
  },
  maybe(x) {
    if (x === null || x === undefined) throw 7;
    return x + "!";
  },
  upper(xs) {
    return xs.map((s) => s.toUpperCase() + "é€😀");
  },
  bytes(b) {
    return new Uint8Array(Array.from(b).reverse());
  },
  nested(x) {
    return x.map((e) =>
      e === null ? { tag: "err", val: "none" } : { tag: "ok", val: { x: e[0].length, y: e[1].reduce((a, b) => a + b, 0) } },
    );
  },
  fails(x) {
    if (x > 10) throw "too big: " + x;
    return x * 2;
  },
  make(start) {
    return new Counter(start);
  },
  bump(c, n) {
    return c.add(n);
  },
  total(c) {
    return c.get();
  },
};
