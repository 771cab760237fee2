// A `wasi:cli/run` command in JavaScript built by componentize-js (the
// StarlingMonkey engine, SpiderMonkey for WASI), which imports `wasi:http`
// even for a command (`wasi = http`): `console` to stdout and stderr,
// arguments and environment through WASI imports, JSON, Intl-free
// formatting, typed arrays, `crypto`, timers, and `fetch` to the harness's
// HTTP server (a POST with headers and a body, a refused connection), then
// an exception escaping `run` (exit 1, as under wasmtime).
// kiln-test: js-tool = componentize-js
// kiln-test: wasi = http
// kiln-test: http-server
// kiln-test: args = one two
// kiln-test: env = SM_GREETING=grüß
// kiln-test: stdout-file
// kiln-test: stderr-contains = "to stderr"
// kiln-test: exit = 1
import { getArguments, getEnvironment } from "wasi:cli/environment@0.2.6";

export const run = {
  async run() {
    const env = new Map(getEnvironment());
    console.log("args", JSON.stringify(getArguments().slice(1)));
    console.log("greeting", env.get("SM_GREETING"), [...env.get("SM_GREETING")].length);
    console.error("to stderr");
    console.log("json", JSON.stringify({ a: [1, 2.5, "é€😀"], b: null, c: { d: true } }));
    console.log("numbers", (0.1 + 0.2).toFixed(3), (2 ** 53).toString(16), 7n ** 30n, Number.parseFloat("1e-7"));
    console.log("date", new Date(Date.UTC(2020, 1, 29, 12, 30)).toISOString());
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    console.log("random", bytes.length, bytes.some((b) => b !== 0) || bytes.every((b) => b === 0));
    const order = [];
    await new Promise((resolve) => {
      setTimeout(() => { order.push("late"); resolve(); }, 20);
      setTimeout(() => order.push("early"), 1);
    });
    console.log("timers", order.join(" "));
    const server = env.get("HTTP_SERVER");
    const r = await fetch(`http://${server}/echo?q=1`, {
      method: "POST",
      headers: { "x-kiln": "sm", "content-type": "text/plain" },
      body: "ping ✓",
    });
    console.log("fetch", r.status, r.headers.get("x-server"), r.headers.get("content-type"));
    const text = await r.text();
    console.log(text.split("\n").filter((l) => !l.startsWith("user-agent")).join("\n"));
    try {
      await fetch(`http://${env.get("HTTP_CLOSED")}/`);
    } catch (e) {
      console.log("refused", String(e));
    }
    throw new Error("thrown at the end");
  },
};
