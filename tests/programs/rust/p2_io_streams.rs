// kiln-test: target = wasm32-wasip2
// kiln-test: stdin = "abcdefghijklmnopqrstuvwxyz\n"
// kiln-test: stdout-file
//! `wasi:io/streams` and `wasi:io/poll` on stdin and stdout through raw
//! imports: blocking-write-and-flush, the non-blocking check-write/write/
//! flush protocol with subscribe, blocking-flush, read/blocking-read,
//! skip/blocking-skip, splice/blocking-splice from stdin to stdout, the
//! closed state at end of input, `pollable.ready/block`, and `poll` over
//! several pollables (stream and clock ones).
//!
//! Non-blocking calls may legitimately return fewer bytes than asked, so the
//! program loops until it has the amount it wants and prints only totals.

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stdin@0.2.0")]
extern "C" {
    #[link_name = "get-stdin"]
    fn get_stdin() -> u32;
}

#[link(wasm_import_module = "wasi:clocks/monotonic-clock@0.2.0")]
extern "C" {
    #[link_name = "subscribe-duration"]
    fn subscribe_duration(nanos: u64) -> u32;
}

/// Return areas: `result<_, stream-error>` and `result<list<u8>,
/// stream-error>` are 12 bytes (discriminant byte, then the payload at 4);
/// `result<u64, stream-error>` is 16 (payload at 8).
type Ret12 = [u32; 3];
#[repr(C, align(8))]
struct Ret16([u32; 4]);

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.check-write"]
    fn check_write(this: u32, ret: *mut Ret16);
    #[link_name = "[method]output-stream.write"]
    fn write(this: u32, ptr: *const u8, len: usize, ret: *mut Ret12);
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    fn blocking_write_and_flush(this: u32, ptr: *const u8, len: usize, ret: *mut Ret12);
    #[link_name = "[method]output-stream.flush"]
    fn flush(this: u32, ret: *mut Ret12);
    #[link_name = "[method]output-stream.blocking-flush"]
    fn blocking_flush(this: u32, ret: *mut Ret12);
    #[link_name = "[method]output-stream.subscribe"]
    fn out_subscribe(this: u32) -> u32;
    #[link_name = "[method]output-stream.splice"]
    fn splice(this: u32, src: u32, len: u64, ret: *mut Ret16);
    #[link_name = "[method]output-stream.blocking-splice"]
    fn blocking_splice(this: u32, src: u32, len: u64, ret: *mut Ret16);
    #[link_name = "[method]input-stream.read"]
    fn read(this: u32, len: u64, ret: *mut Ret12);
    #[link_name = "[method]input-stream.blocking-read"]
    fn blocking_read(this: u32, len: u64, ret: *mut Ret12);
    #[link_name = "[method]input-stream.skip"]
    fn skip(this: u32, len: u64, ret: *mut Ret16);
    #[link_name = "[method]input-stream.blocking-skip"]
    fn blocking_skip(this: u32, len: u64, ret: *mut Ret16);
    #[link_name = "[method]input-stream.subscribe"]
    fn in_subscribe(this: u32) -> u32;
    #[link_name = "[resource-drop]output-stream"]
    fn drop_output_stream(this: u32);
    #[link_name = "[resource-drop]input-stream"]
    fn drop_input_stream(this: u32);
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "[method]pollable.ready"]
    fn ready(this: u32) -> u32;
    #[link_name = "[method]pollable.block"]
    fn block(this: u32);
    #[link_name = "poll"]
    fn poll(ptr: *const u32, len: usize, ret: *mut [u32; 2]);
    #[link_name = "[resource-drop]pollable"]
    fn drop_pollable(this: u32);
}

/// What a stream call returned.
#[derive(Debug, PartialEq)]
enum Res<T> {
    Ok(T),
    /// `stream-error::closed`.
    Closed,
    /// `stream-error::last-operation-failed`.
    Failed,
}

fn err_case(tag: u32) -> Res<()> {
    match tag & 0xff {
        0 => Res::Failed,
        1 => Res::Closed,
        t => panic!("bad stream-error case {t}"),
    }
}

fn unit_result(r: &Ret12) -> Res<()> {
    if r[0] & 0xff == 0 {
        Res::Ok(())
    } else {
        err_case(r[1])
    }
}

fn u64_result(r: &Ret16) -> Res<u64> {
    if r.0[0] & 0xff == 0 {
        Res::Ok(r.0[2] as u64 | (r.0[3] as u64) << 32)
    } else {
        match err_case(r.0[2]) {
            Res::Closed => Res::Closed,
            _ => Res::Failed,
        }
    }
}

fn list_result(r: &Ret12) -> Res<Vec<u8>> {
    if r[0] & 0xff == 0 {
        let bytes = unsafe { std::slice::from_raw_parts(r[1] as *const u8, r[2] as usize) };
        let v = bytes.to_vec();
        // The host allocated the list with our cabi_realloc (std's
        // allocator), so it is freed like any allocation of that layout.
        if r[2] != 0 {
            unsafe {
                std::alloc::dealloc(
                    r[1] as *mut u8,
                    std::alloc::Layout::from_size_align(r[2] as usize, 1).expect("layout"),
                )
            };
        }
        Res::Ok(v)
    } else {
        match err_case(r[1]) {
            Res::Closed => Res::Closed,
            _ => Res::Failed,
        }
    }
}

fn say(out: u32, text: &str) {
    let mut r = [0; 3];
    unsafe { blocking_write_and_flush(out, text.as_ptr(), text.len(), &mut r) };
    assert_eq!(unit_result(&r), Res::Ok(()));
}

/// Non-blocking write of all of `data`: wait for capacity with the
/// subscribe pollable, write at most check-write's permit, flush, wait.
fn write_nonblocking(out: u32, data: &[u8]) -> (usize, bool) {
    let mut rest = data;
    let mut writes = 0;
    let pollable = unsafe { out_subscribe(out) };
    let mut saw_permit = false;
    while !rest.is_empty() {
        let mut r = Ret16([0; 4]);
        unsafe { check_write(out, &mut r) };
        let permit = match u64_result(&r) {
            Res::Ok(n) => n,
            other => panic!("check-write: {other:?}"),
        };
        if permit == 0 {
            unsafe { block(pollable) };
            continue;
        }
        saw_permit = true;
        let n = rest.len().min(permit as usize);
        let mut w = [0; 3];
        unsafe { write(out, rest.as_ptr(), n, &mut w) };
        assert_eq!(unit_result(&w), Res::Ok(()));
        rest = &rest[n..];
        writes += 1;
    }
    let mut f = [0; 3];
    unsafe { flush(out, &mut f) };
    assert_eq!(unit_result(&f), Res::Ok(()));
    // After a flush the pollable is ready once the flush completed.
    unsafe { block(pollable) };
    let mut r = Ret16([0; 4]);
    unsafe { check_write(out, &mut r) };
    let after = matches!(u64_result(&r), Res::Ok(n) if n > 0);
    unsafe { drop_pollable(pollable) };
    assert!(writes >= 1 && saw_permit);
    (writes, after)
}

fn main() {
    let out = unsafe { get_stdout() };
    let inp = unsafe { get_stdin() };
    say(out, "1. blocking-write-and-flush\n");

    let (_, permit_after_flush) = write_nonblocking(out, b"2. check-write/write/flush\n");
    say(
        out,
        &format!("   check-write > 0 after flush+block: {permit_after_flush}\n"),
    );
    let mut r = [0; 3];
    unsafe { blocking_flush(out, &mut r) };
    say(out, &format!("   blocking-flush: {:?}\n", unit_result(&r)));
    let mut w = [0; 3];
    unsafe { write(out, std::ptr::null(), 0, &mut w) };
    say(out, &format!("   empty write: {:?}\n", unit_result(&w)));

    // read: wait until stdin is readable, then read; a non-blocking read may
    // return fewer bytes than asked (never more), so top up with
    // blocking-read.
    let p = unsafe { in_subscribe(inp) };
    unsafe { block(p) };
    say(
        out,
        &format!(
            "3. stdin pollable ready after block: {}\n",
            unsafe { ready(p) } == 1
        ),
    );
    unsafe { drop_pollable(p) };
    let mut got = Vec::new();
    let mut r = [0; 3];
    unsafe { read(inp, 4, &mut r) };
    match list_result(&r) {
        Res::Ok(v) => {
            assert!(
                !v.is_empty() && v.len() <= 4,
                "read returned {} bytes",
                v.len()
            );
            got.extend(v);
        }
        other => panic!("read: {other:?}"),
    }
    while got.len() < 4 {
        unsafe { blocking_read(inp, 4 - got.len() as u64, &mut r) };
        match list_result(&r) {
            Res::Ok(v) => got.extend(v),
            other => panic!("blocking-read: {other:?}"),
        }
    }
    say(
        out,
        &format!("   read 4: {:?}\n", String::from_utf8_lossy(&got)),
    );
    let mut r = [0; 3];
    unsafe { read(inp, 0, &mut r) };
    say(out, &format!("   read 0: {:?}\n", list_result(&r)));

    // skip 3 ("efg"): skip may skip fewer, blocking-skip the rest.
    let mut skipped = 0;
    let mut s = Ret16([0; 4]);
    unsafe { skip(inp, 3, &mut s) };
    match u64_result(&s) {
        Res::Ok(n) => skipped += n,
        other => panic!("skip: {other:?}"),
    }
    while skipped < 3 {
        unsafe { blocking_skip(inp, 3 - skipped, &mut s) };
        match u64_result(&s) {
            Res::Ok(n) => skipped += n,
            other => panic!("blocking-skip: {other:?}"),
        }
    }
    say(out, &format!("4. skipped {skipped}\n   splice: "));

    // splice 5 ("hijkl") and blocking-splice 5 ("mnopq") stdin -> stdout.
    let mut spliced = 0;
    unsafe { splice(out, inp, 5, &mut s) };
    match u64_result(&s) {
        Res::Ok(n) => spliced += n,
        other => panic!("splice: {other:?}"),
    }
    while spliced < 5 {
        unsafe { blocking_splice(out, inp, 5 - spliced, &mut s) };
        match u64_result(&s) {
            Res::Ok(n) => spliced += n,
            other => panic!("blocking-splice: {other:?}"),
        }
    }
    let mut r = [0; 3];
    unsafe { blocking_flush(out, &mut r) };
    say(out, &format!(" ({spliced} bytes)\n   blocking-splice: "));
    let mut spliced = 0;
    while spliced < 5 {
        unsafe { blocking_splice(out, inp, 5 - spliced, &mut s) };
        match u64_result(&s) {
            Res::Ok(n) => spliced += n,
            other => panic!("blocking-splice: {other:?}"),
        }
    }
    unsafe { blocking_flush(out, &mut r) };
    say(out, &format!(" ({spliced} bytes)\n"));

    // The rest, then the end of input: closed from every read call.
    let mut rest = Vec::new();
    loop {
        let mut r = [0; 3];
        unsafe { blocking_read(inp, 100, &mut r) };
        match list_result(&r) {
            Res::Ok(v) => rest.extend(v),
            Res::Closed => break,
            Res::Failed => panic!("blocking-read failed"),
        }
    }
    say(
        out,
        &format!("5. rest: {:?}\n", String::from_utf8_lossy(&rest)),
    );
    let mut r = [0; 3];
    unsafe { read(inp, 1, &mut r) };
    say(out, &format!("   read at end: {:?}\n", list_result(&r)));
    unsafe { blocking_read(inp, 1, &mut r) };
    say(
        out,
        &format!("   blocking-read at end: {:?}\n", list_result(&r)),
    );
    unsafe { skip(inp, 1, &mut s) };
    say(out, &format!("   skip at end: {:?}\n", u64_result(&s)));
    unsafe { blocking_skip(inp, 1, &mut s) };
    say(
        out,
        &format!("   blocking-skip at end: {:?}\n", u64_result(&s)),
    );
    unsafe { splice(out, inp, 1, &mut s) };
    say(out, &format!("   splice at end: {:?}\n", u64_result(&s)));
    unsafe { blocking_splice(out, inp, 1, &mut s) };
    say(
        out,
        &format!("   blocking-splice at end: {:?}\n", u64_result(&s)),
    );

    // poll: a long timer, stdin at end (ready: a read would not block) and
    // stdout (ready: it has capacity).
    let long = unsafe { subscribe_duration(3_600_000_000_000) };
    let in_p = unsafe { in_subscribe(inp) };
    let out_p = unsafe { out_subscribe(out) };
    let list = [long, in_p, out_p];
    let mut ret = [0u32; 2];
    unsafe { poll(list.as_ptr(), list.len(), &mut ret) };
    let mut ready_idx =
        unsafe { std::slice::from_raw_parts(ret[0] as *const u32, ret[1] as usize) }.to_vec();
    ready_idx.sort();
    say(
        out,
        &format!("6. poll [long timer, stdin, stdout] -> {ready_idx:?}\n"),
    );
    // A zero timer is due at once: after block() it stays ready.
    let zero = unsafe { subscribe_duration(0) };
    unsafe { block(zero) };
    say(
        out,
        &format!(
            "   ready(): long={} stdin={} stdout={} zero={}\n",
            unsafe { ready(long) },
            unsafe { ready(in_p) },
            unsafe { ready(out_p) },
            unsafe { ready(zero) }
        ),
    );
    let list = [long, zero];
    unsafe { poll(list.as_ptr(), list.len(), &mut ret) };
    let ready_idx = unsafe { std::slice::from_raw_parts(ret[0] as *const u32, ret[1] as usize) };
    say(
        out,
        &format!("   poll [long timer, fired zero timer] -> {ready_idx:?}\n"),
    );
    // A short timer among a long one: poll blocks until the short one fires.
    let short = unsafe { subscribe_duration(20_000_000) };
    let list = [long, short];
    unsafe { poll(list.as_ptr(), list.len(), &mut ret) };
    let ready_idx = unsafe { std::slice::from_raw_parts(ret[0] as *const u32, ret[1] as usize) };
    say(
        out,
        &format!("   poll [long timer, 20ms timer] -> {ready_idx:?}\n"),
    );
    // The same pollable twice: both indices reported.
    let list = [zero, zero];
    unsafe { poll(list.as_ptr(), list.len(), &mut ret) };
    let ready_idx = unsafe { std::slice::from_raw_parts(ret[0] as *const u32, ret[1] as usize) };
    say(out, &format!("   poll [zero, zero] -> {ready_idx:?}\n"));
    for p in [long, in_p, out_p, zero, short] {
        unsafe { drop_pollable(p) };
    }
    unsafe { drop_input_stream(inp) };
    say(out, "done\n");
    unsafe { drop_output_stream(out) };
}
