// kiln-test: target = wasm32-wasip2
// kiln-test: args = alpha beta --gamma=1 -x
// kiln-test: env = FOO=bar
// kiln-test: env = EMPTY=
// kiln-test: env = WITH_EQ=a=b
// kiln-test: stdin = "line one\nline two\n"
// kiln-test: stdout-file
// kiln-test: stderr-contains = "to stderr via std\nto stderr raw\n"
//! `wasi:cli` environment (get-arguments, get-environment, initial-cwd),
//! stdin/stdout/stderr (std and the raw get-* functions with
//! blocking-write-and-flush) and terminal-stdin/stdout/stderr, which are
//! `none` because the harness pipes all three.

use std::io::{BufRead, Write};

#[link(wasm_import_module = "wasi:cli/environment@0.2.0")]
extern "C" {
    #[link_name = "get-environment"]
    fn get_environment(ret: *mut [u32; 2]);
    #[link_name = "get-arguments"]
    fn get_arguments(ret: *mut [u32; 2]);
    #[link_name = "initial-cwd"]
    fn initial_cwd(ret: *mut [u32; 3]);
}

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stderr@0.2.0")]
extern "C" {
    #[link_name = "get-stderr"]
    fn get_stderr() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stdin@0.2.0")]
extern "C" {
    #[link_name = "get-stdin"]
    fn get_stdin() -> u32;
}

#[link(wasm_import_module = "wasi:cli/terminal-stdin@0.2.0")]
extern "C" {
    #[link_name = "get-terminal-stdin"]
    fn get_terminal_stdin(ret: *mut [u32; 2]);
}

#[link(wasm_import_module = "wasi:cli/terminal-stdout@0.2.0")]
extern "C" {
    #[link_name = "get-terminal-stdout"]
    fn get_terminal_stdout(ret: *mut [u32; 2]);
}

#[link(wasm_import_module = "wasi:cli/terminal-stderr@0.2.0")]
extern "C" {
    #[link_name = "get-terminal-stderr"]
    fn get_terminal_stderr(ret: *mut [u32; 2]);
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    fn blocking_write_and_flush(this: u32, ptr: *const u8, len: usize, ret: *mut [u32; 3]);
    #[link_name = "[method]input-stream.blocking-read"]
    fn blocking_read(this: u32, len: u64, ret: *mut [u32; 3]);
    #[link_name = "[resource-drop]output-stream"]
    fn drop_output_stream(this: u32);
    #[link_name = "[resource-drop]input-stream"]
    fn drop_input_stream(this: u32);
}

/// A `string` the host wrote into our memory (through `cabi_realloc`).
unsafe fn string_at(ptr: u32, len: u32) -> String {
    let bytes = std::slice::from_raw_parts(ptr as *const u8, len as usize);
    String::from_utf8(bytes.to_vec()).expect("host strings are utf-8")
}

fn write_raw(stream: u32, text: &str) {
    let mut ret = [0u32; 3];
    unsafe { blocking_write_and_flush(stream, text.as_ptr(), text.len(), &mut ret) };
    // result<_, stream-error>: the discriminant byte is first.
    assert_eq!(ret[0] & 0xff, 0, "blocking-write-and-flush failed");
}

fn main() {
    // std: arguments after argv[0] (whose text is the engine's choice).
    let args: Vec<String> = std::env::args().collect();
    println!("std argc={}", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("std arg[{i}]={a:?}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (k, v) in &vars {
        println!("std env {k}={v:?}");
    }
    println!("std var FOO={:?}", std::env::var("FOO").ok());
    println!("std var MISSING={:?}", std::env::var("MISSING").ok());

    // Raw get-arguments: list<string>, 8 bytes per element.
    let mut ret = [0u32; 2];
    unsafe { get_arguments(&mut ret) };
    println!("raw argc={}", ret[1]);
    let elems = unsafe { std::slice::from_raw_parts(ret[0] as *const [u32; 2], ret[1] as usize) };
    for (i, e) in elems.iter().enumerate().skip(1) {
        println!("raw arg[{i}]={:?}", unsafe { string_at(e[0], e[1]) });
    }
    // Raw get-environment: list<tuple<string, string>>, 16 bytes each.
    unsafe { get_environment(&mut ret) };
    let elems = unsafe { std::slice::from_raw_parts(ret[0] as *const [u32; 4], ret[1] as usize) };
    let mut env: Vec<(String, String)> = elems
        .iter()
        .map(|e| unsafe { (string_at(e[0], e[1]), string_at(e[2], e[3])) })
        .collect();
    env.sort();
    println!("raw env count={}", env.len());
    for (k, v) in &env {
        println!("raw env {k}={v:?}");
    }
    // initial-cwd: option<string>.
    let mut cwd = [0u32; 3];
    unsafe { initial_cwd(&mut cwd) };
    if cwd[0] & 0xff == 0 {
        println!("initial-cwd: none");
    } else {
        println!("initial-cwd: some({:?})", unsafe {
            string_at(cwd[1], cwd[2])
        });
    }

    // Terminals: option<own<terminal-*>>, none on pipes.
    for (name, get) in [
        (
            "stdin",
            get_terminal_stdin as unsafe extern "C" fn(*mut [u32; 2]),
        ),
        ("stdout", get_terminal_stdout),
        ("stderr", get_terminal_stderr),
    ] {
        let mut t = [0u32; 2];
        unsafe { get(&mut t) };
        println!(
            "terminal-{name}: {}",
            if t[0] & 0xff == 0 { "none" } else { "some" }
        );
    }

    // stdin: the first 5 bytes through the raw stream (blocking-read may
    // return fewer than asked, so loop), the rest through std.
    let raw_in = unsafe { get_stdin() };
    let mut head = Vec::new();
    while head.len() < 5 {
        let mut r = [0u32; 3];
        unsafe { blocking_read(raw_in, 5 - head.len() as u64, &mut r) };
        assert_eq!(r[0] & 0xff, 0, "blocking-read failed");
        head.extend_from_slice(unsafe {
            std::slice::from_raw_parts(r[1] as *const u8, r[2] as usize)
        });
    }
    println!("raw stdin head: {:?}", String::from_utf8_lossy(&head));
    let stdin = std::io::stdin();
    let mut first = String::new();
    stdin.lock().read_line(&mut first).expect("read_line");
    println!("std stdin line: {first:?}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdin.lock(), &mut rest).expect("read_to_string");
    println!("std stdin rest: {rest:?}");
    // At the end, blocking-read reports stream-error::closed (case 1).
    let mut r = [0u32; 3];
    unsafe { blocking_read(raw_in, 64, &mut r) };
    println!(
        "raw stdin at end: result case {}, stream-error case {}",
        r[0] & 0xff,
        r[1] & 0xff
    );
    unsafe { drop_input_stream(raw_in) };

    // Interleaving std and raw writes keeps their order on each stream.
    std::io::stdout().flush().expect("flush");
    let out = unsafe { get_stdout() };
    write_raw(out, "to stdout raw\n");
    println!("to stdout via std");
    std::io::stdout().flush().expect("flush");
    write_raw(out, "to stdout raw again\n");
    unsafe { drop_output_stream(out) };
    eprintln!("to stderr via std");
    let err = unsafe { get_stderr() };
    write_raw(err, "to stderr raw\n");
    unsafe { drop_output_stream(err) };
}
