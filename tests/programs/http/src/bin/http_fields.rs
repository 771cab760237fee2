// kiln-test: wasi = http
// kiln-test: stdout-file
//! `wasi:http/types` without the network: `fields` and its validation
//! (invalid names and values, forbidden names, immutable headers of a
//! request or response, `from-list`, `clone`), and the request, response
//! and options setters with the values they refuse.

use wasip2::http::types::{
    Fields, HeaderError, Method, OutgoingRequest, OutgoingResponse, RequestOptions, Scheme,
};

fn show(f: &Fields) -> String {
    f.entries()
        .into_iter()
        .map(|(n, v)| format!("{n}={}", String::from_utf8_lossy(&v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn err(r: Result<(), HeaderError>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => format!("{e:?}"),
    }
}

fn main() {
    let f = Fields::new();
    println!("append ok: {}", err(f.append("x-a", b"1")));
    println!("append again: {}", err(f.append("X-A", b"2")));
    println!("append bad name: {}", err(f.append("bad name", b"v")));
    println!("append empty name: {}", err(f.append("", b"v")));
    println!("append bad value: {}", err(f.append("x-b", b"bad\nvalue")));
    println!(
        "append non-ascii value: {}",
        err(f.append("x-c", &[0xff, 0x41]))
    );
    for name in [
        "connection",
        "Keep-Alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "Host",
        "http2-settings",
        "te",
        "content-length",
    ] {
        println!("append {name}: {}", err(f.append(name, b"x")));
    }
    println!("entries: {}", show(&f));
    println!("get x-a: {:?}", f.get("X-a"));
    println!("get bad name: {:?}", f.get("bad name"));
    println!(
        "has x-a {} x-z {} bad {}",
        f.has("x-A"),
        f.has("x-z"),
        f.has("bad name")
    );
    println!(
        "set: {}",
        err(f.set("x-a", &[b"9".to_vec(), b"8".to_vec()]))
    );
    println!(
        "set bad value: {}",
        err(f.set("x-a", &[b"ok".to_vec(), b"\r".to_vec()]))
    );
    println!("set forbidden: {}", err(f.set("host", &[b"h".to_vec()])));
    println!("entries: {}", show(&f));
    println!("delete: {}", err(f.delete("x-a")));
    println!("delete missing: {}", err(f.delete("x-missing")));
    println!("delete bad: {}", err(f.delete("bad name")));
    println!("delete forbidden: {}", err(f.delete("connection")));
    println!("entries: {:?}", show(&f));
    match Fields::from_list(&[
        ("b".into(), b"1".to_vec()),
        ("A".into(), b"2".to_vec()),
        ("b".into(), b"3".to_vec()),
    ]) {
        Ok(l) => println!("from-list: {}", show(&l)),
        Err(e) => println!("from-list: {e:?}"),
    }
    for bad in [
        ("bad name", b"v".to_vec()),
        ("upgrade", b"v".to_vec()),
        ("x", b"\n".to_vec()),
    ] {
        match Fields::from_list(&[(bad.0.into(), bad.1)]) {
            Ok(l) => println!("from-list {:?}: ok {}", bad.0, show(&l)),
            Err(e) => println!("from-list {:?}: {e:?}", bad.0),
        }
    }
    let h = Fields::from_list(&[("x-h".into(), b"1".to_vec())]).expect("list");
    let req = OutgoingRequest::new(h);
    let hs = req.headers();
    println!("request headers: {}", show(&hs));
    println!(
        "append to request headers: {}",
        err(hs.append("x-more", b"1"))
    );
    println!(
        "set on request headers: {}",
        err(hs.set("x-h", &[b"2".to_vec()]))
    );
    println!("delete on request headers: {}", err(hs.delete("x-h")));
    println!(
        "forbidden on request headers: {}",
        err(hs.append("host", b"x"))
    );
    let copy = hs.clone();
    println!(
        "append to clone: {} -> {}",
        err(copy.append("x-more", b"1")),
        show(&copy)
    );
    println!("request headers still: {}", show(&req.headers()));
    println!(
        "method {:?} scheme {:?} authority {:?} path {:?}",
        req.method(),
        req.scheme(),
        req.authority(),
        req.path_with_query()
    );
    println!(
        "set-method PURGE: {:?}",
        req.set_method(&Method::Other("PURGE".into()))
    );
    println!(
        "set-method bad: {:?}",
        req.set_method(&Method::Other("BAD METHOD".into()))
    );
    println!(
        "set-method empty: {:?}",
        req.set_method(&Method::Other("".into()))
    );
    println!("method now {:?}", req.method());
    for s in [
        Scheme::Http,
        Scheme::Https,
        Scheme::Other("ws".into()),
        Scheme::Other("bad scheme".into()),
    ] {
        println!("set-scheme {s:?}: {:?}", req.set_scheme(Some(&s)));
    }
    println!("scheme now {:?}", req.scheme());
    for a in [
        "example.com",
        "example.com:8080",
        "127.0.0.1:1",
        "[::1]:80",
        "host:",
        "host:abc",
        "host:99999",
        "user@host",
        "a b",
        "",
    ] {
        println!("set-authority {a:?}: {:?}", req.set_authority(Some(a)));
    }
    println!("authority now {:?}", req.authority());
    for p in ["/", "/a/b?c=d", "*", "no-slash", "/a b", "/%zz", ""] {
        println!("set-path {p:?}: {:?}", req.set_path_with_query(Some(p)));
    }
    println!("path now {:?}", req.path_with_query());
    println!(
        "unset: {:?} {:?} {:?}",
        req.set_scheme(None),
        req.set_authority(None),
        req.set_path_with_query(None)
    );
    for v in [
        &b"x1"[..],
        b"",
        b"+5",
        b" 5",
        b"18446744073709551616",
        b"007",
    ] {
        match Fields::from_list(&[("content-length".into(), v.to_vec())]) {
            Ok(f) => println!(
                "content-length {:?}: ok, body {}",
                String::from_utf8_lossy(v),
                OutgoingRequest::new(f).body().is_ok()
            ),
            Err(e) => println!("content-length {:?}: {e:?}", String::from_utf8_lossy(v)),
        }
    }
    let opts = RequestOptions::new();
    println!(
        "options {:?} {:?} {:?}",
        opts.connect_timeout(),
        opts.first_byte_timeout(),
        opts.between_bytes_timeout()
    );
    println!(
        "set {:?} {:?} {:?}",
        opts.set_connect_timeout(Some(1)),
        opts.set_first_byte_timeout(Some(2)),
        opts.set_between_bytes_timeout(Some(3))
    );
    println!(
        "options {:?} {:?} {:?}",
        opts.connect_timeout(),
        opts.first_byte_timeout(),
        opts.between_bytes_timeout()
    );
    let resp = OutgoingResponse::new(Fields::new());
    println!("response status {}", resp.status_code());
    for s in [404, 99, 100, 999, 1000] {
        println!("set-status {s}: {:?}", resp.set_status_code(s));
    }
    println!("response status {}", resp.status_code());
    println!(
        "response headers immutable: {}",
        err(resp.headers().append("x", b"y"))
    );
    println!(
        "response body once: {} {}",
        resp.body().is_ok(),
        resp.body().is_ok()
    );
}
