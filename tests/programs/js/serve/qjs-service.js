// A `wasi:http/handler@0.3.0` service (the WASI 0.3 service world) in
// JavaScript built by componentize-qjs (QuickJS, with its component-model
// async runtime), served by `serve::js::quickjs` (`tests/all/serve/js.rs`).
// Routes: `/echo` reads the request body as a stream and answers it back
// (201) with its length in a header; `/throw` throws (the runtime's Rust
// code panics: a trap, answered 500, reported on stderr); any other path
// greets with the method and the path and query.
import { Fields, Request, Response } from "wasi:http/types@0.3.0";

// UTF-8 bytes of `s` (QuickJS has no `TextEncoder`).
function utf8(s) {
  const out = [];
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

// A trailers future that resolves to "no trailers".
function noTrailers() {
  return wit.Future.from({ tag: "ok", val: null }, wit.Future.RESULT_OPTION_OTHER_ERROR_CODE).readable;
}

function respond(status, headers, contents) {
  const fields = Fields.fromList(headers.map(([n, v]) => [n, utf8(v)]));
  const [response, _sent] = Response.new(fields, contents, noTrailers());
  response.setStatusCode(status);
  return response;
}

export const handler = {
  async handle(request) {
    const path = request.getPathWithQuery() ?? "/";
    const method = request.getMethod();
    if (path === "/echo") {
      const { readable: res, writable: done } = wit.Future(wit.Future.RESULT_VOID_ERROR_CODE);
      const [body, _trailers] = Request.consumeBody(request, res);
      const chunks = [];
      let n = 0;
      for await (const chunk of body) {
        chunks.push(chunk);
        n += chunk.length;
      }
      done.write({ tag: "ok" });
      const out = wit.Stream.from((async function* () { yield* chunks; })(), wit.Stream.U8);
      return respond(201, [["x-length", String(n)]], out.readable);
    }
    if (path === "/throw") {
      throw new Error("thrown by the handler");
    }
    const text = `hello ${method.tag} ${path} from quickjs\n`;
    return respond(200, [["x-engine", "quickjs"], ["content-type", "text/plain"]],
      wit.Stream.from([utf8(text)], wit.Stream.U8).readable);
  },
};
