// A `wasi:http/incoming-handler` proxy in JavaScript built by
// componentize-js (StarlingMonkey: the service-worker `fetch` event), served
// by `serve::js::starlingmonkey` (`tests/all/serve/js.rs`). Routes: `/`
// greets with the path, query and a request header; `/echo` streams the
// request body back with its length in a header; `/json` answers a JSON
// document; `/fetch` fetches `/json` from the server named by the
// `x-upstream` request header (an outgoing request from inside a request)
// and answers what came back; `/throw` throws (500, the error on stderr);
// anything else is 404.
addEventListener("fetch", (event) => event.respondWith(handle(event.request)));

async function handle(req) {
  const url = new URL(req.url);
  switch (url.pathname) {
    case "/":
      return new Response(
        `hello ${url.pathname}${url.search} from ${req.headers.get("x-who") ?? "nobody"}\n`,
        { headers: { "x-engine": "starlingmonkey" } },
      );
    case "/echo": {
      const body = new Uint8Array(await req.arrayBuffer());
      return new Response(body, {
        status: 201,
        headers: { "x-length": String(body.length), "content-type": "application/octet-stream" },
      });
    }
    case "/json":
      return Response.json({ ok: true, list: [1, 2, 3], text: "é€😀" });
    case "/fetch": {
      const upstream = req.headers.get("x-upstream");
      const r = await fetch(`http://${upstream}/json`);
      const data = await r.json();
      return new Response(`upstream ${r.status} ${JSON.stringify(data)}\n`);
    }
    case "/throw":
      throw new Error("boom");
    default:
      return new Response("not found\n", { status: 404 });
  }
}
