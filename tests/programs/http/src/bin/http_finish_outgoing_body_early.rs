// kiln-test: wasi = http
// kiln-test: exit = 1
// kiln-test: stdout = "got the stream\n"
// kiln-test: stderr-contains = resource has children
// kiln-test: stderr-like-wasmtime
//! `outgoing-body.finish` while the body's stream lives fails as a drop
//! does (Wasmtime 49 deletes the body, a parent, from its table).

use wasip2::http::types::{Fields, OutgoingBody, OutgoingRequest};

fn main() {
    let req = OutgoingRequest::new(Fields::new());
    let body = req.body().expect("body");
    let stream = body.write().expect("write");
    println!("got the stream");
    let r = OutgoingBody::finish(body, None);
    println!("finish: {r:?}");
    drop(stream);
    println!("not reached");
}
