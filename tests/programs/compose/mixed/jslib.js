// The JavaScript library (world `jslib`): exports `text`, built on the
// `math` that `rustlib.rs` exports.
import math from "kiln:mixed/math@0.1.0";
export const text = {
  shout(s) { return s.toUpperCase() + "!"; },
  sum(a, b) { return math.add(a, b); },
  norm(x, y) { const p = math.scale({ x, y }, 2); return Math.hypot(p.x, p.y); },
  digits(n) { return Array.from(math.digits(n)).join("-"); },
  check(n) { if (n < 0) throw "negative: " + n; return n * 2; },
};
