// A library in JavaScript built by componentize-js (StarlingMonkey):
// exports `text`, which `sm-compose.js` imports; an error of a
// `result`-returning function is a thrown value.
// kiln-test: library
// kiln-test: js-tool = componentize-js
export const text = {
  analyze(s) {
    const words = s.split(/\s+/).filter((w) => w.length > 0);
    const longest = words.reduce((a, w) => ([...w].length > [...(a ?? "")].length ? w : a), undefined);
    return { words: words.length, chars: [...s].length, longest };
  },
  join(parts, sep) {
    return parts.join(sep);
  },
  parse(s) {
    if (!/^-?\d+$/.test(s)) throw `not a number: ${s}`;
    return BigInt(s);
  },
};
