// kiln-test: wasi = http
// kiln-test: http-server
// kiln-test: exit = 1
// kiln-test: stdout = "got the stream\n"
// kiln-test: stderr-contains = resource has children
// kiln-test: stderr-like-wasmtime
//! `incoming-body.finish` while the body's stream lives fails as a drop
//! does (Wasmtime 49 deletes the body, a parent, from its table).

#[path = "../shared/send.rs"]
mod send;

use send::{Timeouts, response, start};
use wasip2::http::types::{IncomingBody, Scheme};

fn main() {
    let server = std::env::var("HTTP_SERVER").expect("HTTP_SERVER");
    let r = response(&start(Some(Scheme::Http), &server, "/", Timeouts::default()).expect("start"))
        .expect("response");
    let body = r.consume().expect("consume");
    let stream = body.stream().expect("stream");
    println!("got the stream");
    let trailers = IncomingBody::finish(body);
    drop(trailers);
    drop(stream);
    println!("not reached");
}
