// kiln-test: wasi = http
// kiln-test: exit = 1
// kiln-test: stdout = "got the stream\n"
// kiln-test: stderr-contains = resource has children
// kiln-test: stderr-like-wasmtime
//! An `outgoing-body`'s stream is its child (Wasmtime 49): dropping the
//! body while the stream lives traps.

use wasip2::http::types::{Fields, OutgoingRequest};

fn main() {
    let req = OutgoingRequest::new(Fields::new());
    let body = req.body().expect("body");
    let stream = body.write().expect("write");
    println!("got the stream");
    drop(body);
    drop(stream);
    println!("not reached");
}
