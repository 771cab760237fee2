//! JavaScript `wasi:http` servers. A WASI 0.2 proxy,
//! `tests/programs/js/serve/sm-proxy.js`,
//! built at test time by componentize-js (StarlingMonkey, the engine of
//! the JavaScript toolchains that use the service-worker `fetch` event),
//! served by `kiln serve` (by `wasmtime serve -S cli` under
//! `KILN_TEST_ENGINE=wasmtime`, the same checks): a greeting with the
//! request's path, query and a header, a body echoed back, JSON, an
//! outgoing `fetch` from inside a request, an exception answered 500 with
//! StarlingMonkey's report on stderr and the server going on, and 404.
//!
//! StarlingMonkey's engine exports `wasi:http/incoming-handler@0.2.10`,
//! so the world must name that version exactly. Its WIT dependencies are
//! the WASI 0.2.12 packages that the installed jco (a dependency of
//! componentize-js) ships, renumbered to 0.2.10 (their 0.2.11 and 0.2.12
//! additions are not used by the engine).
//!
//! A WASI 0.3 service, `tests/programs/js/serve/qjs-service.js`, built by
//! componentize-qjs (QuickJS with the component-model async runtime)
//! against the WASI 0.3.0 packages jco ships: a greeting, a body read as a
//! stream and answered back, and an exception (a trap: 500, the report on
//! stderr as Wasmtime 49's, the server going on).

use super::{How, Server, expect, fail};
use crate::util;
use libtest_mimic::{Completion, Failed, Trial};
use std::path::{Path, PathBuf};

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::ignorable_trial("serve::js::starlingmonkey", starlingmonkey),
        crate::timing::ignorable_trial("serve::js::quickjs", quickjs),
    ]
}

/// The directory of the JavaScript proxy.
fn source_dir() -> PathBuf {
    crate::js::root().join("serve")
}

/// Copies the `.wit` files of `from` (recursively) into `to`, with each
/// `renumber.0` replaced by `renumber.1`, if given.
fn copy_wit(from: &Path, to: &Path, renumber: Option<(&str, &str)>) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_wit(&src, &dst, renumber)?;
        } else if src.extension().is_some_and(|x| x == "wit") {
            let text = std::fs::read_to_string(&src)?;
            let text = match renumber {
                Some((old, new)) => text.replace(old, new),
                None => text,
            };
            std::fs::write(&dst, text)?;
        }
    }
    Ok(())
}

/// A JavaScript server of `serve/`: its name (`<name>.js`), world file,
/// toolchain, and the jco WASI packages its world depends on.
struct JsServer {
    name: &'static str,
    world: &'static str,
    tool: crate::js::Tool,
    /// The directory of jco's `lib/wit/builtin/` to use.
    wasi: &'static str,
    /// A version renumbering of those packages, if the engine needs one.
    renumber: Option<(&'static str, &'static str)>,
}

/// `/echo` of 100 KB (more than one read and one write of the body):
/// answered back whole, `201`, its length in `x-length`.
fn echo_100k(server: &Server) -> Result<(), Failed> {
    let (big, arg) = super::p3::body_file("serve-js", 100_000)?;
    let big = String::from_utf8_lossy(&big).into_owned();
    let (head, body) = curl(server, "/echo", &["--data-binary", &arg])?;
    expect(
        head.starts_with("HTTP/1.1 201") && head.contains("\nx-length: 100000") && body == big,
        || format!("{head}\n\n{} bytes", body.len()),
    )
}

/// Builds the component of `js` (once per change of its sources).
fn build(js: &JsServer) -> Result<PathBuf, Failed> {
    let out = util::scratch("serve-js");
    let wasm = out.join(format!("{}.wasm", js.name));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let newest = [format!("{}.js", js.name), js.world.to_string()]
        .iter()
        .filter_map(|f| modified(&source_dir().join(f)))
        .max();
    if let (Some(built), Some(newest)) = (modified(&wasm), newest)
        && built >= newest
    {
        return Ok(wasm);
    }
    let wit = out.join(format!("wit-{}", js.name));
    let _ = std::fs::remove_dir_all(&wit);
    std::fs::create_dir_all(&wit).map_err(fail)?;
    std::fs::copy(source_dir().join(js.world), wit.join("world.wit")).map_err(fail)?;
    let wasi = crate::js::root()
        .join("node_modules/@bytecodealliance/jco/lib/wit/builtin")
        .join(js.wasi);
    copy_wit(&wasi, &wit.join("deps"), js.renumber)
        .map_err(|e| format!("{}: {e}", wasi.display()))?;
    let tmp = util::tmp_path(&out, &format!("{}.wasm", js.name));
    let build = crate::js::Build {
        tool: js.tool,
        flags: Vec::new(),
        wit: Some(wit),
    };
    crate::js::componentize(&source_dir(), js.name, &build, &tmp).map_err(fail)?;
    std::fs::rename(&tmp, &wasm).map_err(fail)?;
    Ok(wasm)
}

/// [`super::p3::curl`] with the body as text.
fn curl(server: &Server, path: &str, extra: &[&str]) -> Result<(String, String), Failed> {
    let (head, body) = super::p3::curl(server, path, extra)?;
    Ok((head, String::from_utf8_lossy(&body).into_owned()))
}

fn starlingmonkey() -> Result<Completion, Failed> {
    if let Err(why) = crate::js::tool(crate::js::Tool::StarlingMonkey) {
        return util::toolchain_missing(why);
    }
    let wasm = build(&JsServer {
        name: "sm-proxy",
        world: "world.wit",
        tool: crate::js::Tool::StarlingMonkey,
        wasi: "0.2.12",
        renumber: Some(("0.2.12", "0.2.10")),
    })?;
    let server = Server::start(How::Wasm(&wasm))?;
    let show = |h: &str, b: &str| format!("{h}\n\n{b}");

    let (head, body) = curl(&server, "/?a=1&b=%C3%A9", &["-H", "x-who: curl"])?;
    expect(
        head.starts_with("HTTP/1.1 200")
            && head.contains("\nx-engine: starlingmonkey")
            && head.contains("\ncontent-type: text/plain;charset=UTF-8")
            && body == "hello /?a=1&b=%C3%A9 from curl\n",
        || show(&head, &body),
    )?;

    echo_100k(&server)?;

    let json = r#"{"ok":true,"list":[1,2,3],"text":"é€😀"}"#;
    let (head, body) = curl(&server, "/json", &[])?;
    expect(
        head.starts_with("HTTP/1.1 200")
            && head.contains("\ncontent-type: application/json")
            && body == json,
        || show(&head, &body),
    )?;

    let up = format!("x-upstream: {}", server.addr);
    let (head, body) = curl(&server, "/fetch", &["-H", &up])?;
    expect(
        head.starts_with("HTTP/1.1 200") && body == format!("upstream 200 {json}\n"),
        || show(&head, &body),
    )?;

    let (head, _) = curl(&server, "/throw", &[])?;
    expect(head.starts_with("HTTP/1.1 500"), || head.clone())?;
    let err = server.stderr_with("Stack:");
    expect(
        err.contains("stderr [") && err.contains(":: Error while running request handler: boom"),
        || format!("stderr: {err}"),
    )?;

    let (head, body) = curl(&server, "/nope", &[])?;
    expect(
        head.starts_with("HTTP/1.1 404") && body == "not found\n",
        || show(&head, &body),
    )?;
    // Still serving after the exception.
    let (head, _) = curl(&server, "/", &[])?;
    expect(head.starts_with("HTTP/1.1 200"), || head.clone())?;
    Ok(Completion::Completed)
}

fn quickjs() -> Result<Completion, Failed> {
    if let Err(why) = crate::js::tool(crate::js::Tool::Qjs) {
        return util::toolchain_missing(why);
    }
    let wasm = build(&JsServer {
        name: "qjs-service",
        world: "qjs-service.wit",
        tool: crate::js::Tool::Qjs,
        wasi: "0.3.0",
        renumber: None,
    })?;
    let server = Server::start(How::Wasm(&wasm))?;
    let show = |h: &str, b: &str| format!("{h}\n\n{b}");

    let (head, body) = curl(&server, "/hi?x=%C3%A9", &[])?;
    expect(
        head.starts_with("HTTP/1.1 200")
            && head.contains("\nx-engine: quickjs")
            && head.contains("\ncontent-type: text/plain")
            && body == "hello get /hi?x=%C3%A9 from quickjs\n",
        || show(&head, &body),
    )?;

    echo_100k(&server)?;

    let (head, _) = curl(&server, "/throw", &[])?;
    expect(head.starts_with("HTTP/1.1 500"), || head.clone())?;
    let err = server.stderr_with("error: worker trapped or panicked\n");
    // Report first, as Wasmtime 49 mostly orders them (its order races).
    let report = err.find("worker failed: ");
    let unanswered = err.find("error: worker trapped or panicked\n");
    let ordered = report.is_some_and(|r| unanswered.is_some_and(|u| r < u));
    expect(
        err.contains("Exception { message: Some(\"thrown by the handler\")")
            && err.contains("[async-lift]wasi:http/handler@0.3.0#handle")
            && err.contains("wasm trap: wasm `unreachable` instruction executed")
            && (ordered || (util::reference_engine() && report.is_some() && unanswered.is_some())),
        || format!("stderr: {err}"),
    )?;
    // Still serving after the trap.
    let (head, body) = curl(&server, "/", &[])?;
    expect(
        head.starts_with("HTTP/1.1 200") && body == "hello get / from quickjs\n",
        || show(&head, &body),
    )?;
    Ok(Completion::Completed)
}
