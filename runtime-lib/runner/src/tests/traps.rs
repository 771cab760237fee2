//! The whole run (`entry::run_guest`) on hand-built descriptors whose
//! functions are hand-assembled x86_64 code: trap reports, backtraces,
//! memory faults, stack overflow, real crashes, `--invoke` output.
//!
//! Each scenario runs in a child process (this test binary re-executed for
//! one `child_*` test with `KILN_RT_CHILD=1`), because traps end the process.
//! Without that variable the `child_*` tests do nothing.
#![cfg(target_arch = "x86_64")]

use crate::grants::RunSettings;
use kiln_abi::ValRaw;
use kiln_abi::ValType::*;
use kiln_abi::descriptor::*;
use kiln_abi::tables::{SrcLoc, TrapSite};
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::VMOffsets;
use kiln_vm::fixture::*;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};

const CHILD_ENV: &str = "KILN_RT_CHILD";

/// Runs the test `child_<name>` of this module in a child process.
fn child(name: &str) -> Output {
    let exe = std::env::current_exe().expect("test binary path");
    Command::new(exe)
        .args([
            &format!("tests::traps::child_{name}"),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .expect("spawn child test")
}

fn in_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// Where the code page lives; the Rust array-call trampolines call into it.
static CODE: AtomicU64 = AtomicU64::new(0);

macro_rules! trampoline {
    ($name:ident, $offset:expr) => {
        extern "C" fn $name(vmctx: *mut u8, _values: *mut ValRaw) {
            let addr = CODE.load(Ordering::Relaxed) + $offset;
            // SAFETY: the code page holds a function at `$offset` taking the
            // vmctx in the C convention.
            let f: extern "C" fn(*mut u8) = unsafe { std::mem::transmute(addr as usize) };
            f(vmctx)
        }
    };
}
trampoline!(call_f0, 0);
trampoline!(call_f1, 16);
trampoline!(call_f2, 32);
trampoline!(call_f3, 64);
trampoline!(call_f4, 96);
trampoline!(call_f5, 128);

extern "C" fn host_boom(_vmctx: *mut u8) {
    kiln_vm::traps::report_host_error("boom")
}

extern "C" fn add_trampoline(_vmctx: *mut u8, values: *mut ValRaw) {
    // SAFETY: two i32 arguments, one result slot.
    unsafe {
        let (a, b) = (&*values, &*values.add(1));
        let a = i32::from_le_bytes(a.0[..4].try_into().unwrap());
        let b = i32::from_le_bytes(b.0[..4].try_into().unwrap());
        let mut r = [0u8; 16];
        r[..4].copy_from_slice(&a.wrapping_add(b).to_le_bytes());
        *values = ValRaw(r);
    }
}

/// Hand-assembled functions (C convention, vmctx in rdi, frame pointers):
/// - f0 @0: `unreachable`;
/// - f1 @16: calls f0;
/// - f2 @32: loads 4 bytes at memory offset 0x10000 (out of bounds);
/// - f3 @64: recursion with a prologue stack-limit check;
/// - f4 @96: loads from address 0x10 at a pc that is no trap site;
/// - f5 @128: calls the host function `host_boom`, a fatal host error.
fn code(mem_base_offset: u32) -> Vec<u8> {
    let mut c = vec![0xccu8; 160];
    let put =
        |c: &mut Vec<u8>, at: usize, bytes: &[u8]| c[at..at + bytes.len()].copy_from_slice(bytes);
    put(&mut c, 0, &[0x55, 0x48, 0x89, 0xe5, 0x0f, 0x0b]);
    let mut f1 = vec![0x55, 0x48, 0x89, 0xe5, 0xe8];
    f1.extend_from_slice(&(-25i32).to_le_bytes());
    f1.extend_from_slice(&[0x5d, 0xc3]);
    put(&mut c, 16, &f1);
    let mut f2 = vec![0x55, 0x48, 0x89, 0xe5, 0x48, 0x8b, 0x87];
    f2.extend_from_slice(&mem_base_offset.to_le_bytes());
    f2.extend_from_slice(&[0x8b, 0x80, 0x00, 0x00, 0x01, 0x00, 0x5d, 0xc3]);
    put(&mut c, 32, &f2);
    let mut f3 = vec![
        0x55, 0x48, 0x89, 0xe5, 0x48, 0x3b, 0x67, 0x08, 0x72, 0x07, 0xe8,
    ];
    f3.extend_from_slice(&(-15i32).to_le_bytes());
    f3.extend_from_slice(&[0x5d, 0xc3, 0x0f, 0x0b]);
    put(&mut c, 64, &f3);
    put(
        &mut c,
        96,
        &[
            0x55, 0x48, 0x89, 0xe5, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0, 0x5d, 0xc3,
        ],
    );
    let mut f5 = vec![0x55, 0x48, 0x89, 0xe5, 0x48, 0xb8];
    f5.extend_from_slice(&(host_boom as *const () as u64).to_le_bytes());
    f5.extend_from_slice(&[0xff, 0xd0, 0x5d, 0xc3]);
    put(&mut c, 128, &f5);
    c
}

/// The module: exports `run` (f1 -> f0), `load` (f2), `recurse` (f3),
/// `crash` (f4), `add` (a Rust function), one page of memory.
fn module(start: Option<u32>) -> ModuleBuilder {
    let base_offset = VMOffsets::new(
        8,
        kiln_abi::vmctx::VMCounts {
            defined_memories: 1,
            funcs: 7,
            ..Default::default()
        },
    )
    .defined_memory(0);
    let page = Box::leak(Box::new(CodePage::new(&code(base_offset))));
    CODE.store(page.at(0), Ordering::Relaxed);
    let f = |at: usize,
             len: u64,
             tramp: u64,
             name: Option<&str>,
             traps: Vec<TrapSite>,
             srclocs: Vec<SrcLoc>| FuncSpec {
        ty: 0,
        wasm_call: page.at(at),
        array_call: tramp,
        code_len: len,
        name: name.map(str::to_string),
        traps,
        srclocs,
    };
    let add = add_trampoline as *const () as u64;
    ModuleBuilder {
        name: Some("prog".into()),
        types: vec![(vec![], vec![]), (vec![I32, I32], vec![I32])],
        funcs: vec![
            f(
                0,
                6,
                call_f0 as *const () as u64,
                Some("inner"),
                vec![TrapSite::new(4, TrapCode::UnreachableCodeReached)],
                vec![SrcLoc::new(0, 0x40), SrcLoc::new(4, 0x42)],
            ),
            f(
                16,
                11,
                call_f1 as *const () as u64,
                None,
                vec![],
                vec![
                    SrcLoc::new(0, 0x50),
                    SrcLoc::new(4, 0x55),
                    SrcLoc::new(9, 0x58),
                ],
            ),
            f(
                32,
                19,
                call_f2 as *const () as u64,
                Some("load"),
                vec![TrapSite::new(11, TrapCode::MemoryOutOfBounds)],
                vec![SrcLoc::new(0, 0x60), SrcLoc::new(11, 0x66)],
            ),
            f(
                64,
                19,
                call_f3 as *const () as u64,
                Some("recurse"),
                vec![TrapSite::new(17, TrapCode::StackOverflow)],
                vec![
                    SrcLoc::new(0, 0x70),
                    SrcLoc::new(10, 0x75),
                    SrcLoc::new(17, 0x77),
                ],
            ),
            f(96, 13, call_f4 as *const () as u64, None, vec![], vec![]),
            FuncSpec {
                ty: 1,
                wasm_call: add,
                array_call: add,
                ..FuncSpec::default()
            },
            f(
                128,
                18,
                call_f5 as *const () as u64,
                None,
                vec![],
                vec![SrcLoc::new(0, 0x90), SrcLoc::new(14, 0x94)],
            ),
        ],
        memories: vec![memory(1, 1)],
        exports: vec![
            ("memory".into(), KIND_MEMORY, 0),
            ("run".into(), KIND_FUNC, 1),
            ("load".into(), KIND_FUNC, 2),
            ("recurse".into(), KIND_FUNC, 3),
            ("crash".into(), KIND_FUNC, 4),
            ("add".into(), KIND_FUNC, 5),
            ("host".into(), KIND_FUNC, 6),
        ],
        start,
        ..ModuleBuilder::default()
    }
}

/// Runs `b` like `main` does, with `invoke` and guest arguments.
fn run(b: ModuleBuilder, invoke: Option<&str>, args: &[&str]) -> i32 {
    let module = b.module();
    kiln_vm::traps::install().expect("handlers");
    kiln_vm::traps::registry::register_module(module);
    let mut settings = RunSettings {
        program: b"prog.wasm".to_vec(),
        invoke: invoke.map(str::to_string),
        ..Default::default()
    };
    settings.wasi.args = std::iter::once("prog.wasm")
        .chain(args.iter().copied())
        .map(|s| s.as_bytes().to_vec())
        .collect();
    crate::entry::run_guest(module, settings)
}

fn finish(status: i32) {
    kiln_vm::errors::write_fd(2, format!("<returned {status}>").as_bytes());
    std::process::exit(status);
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const HEAD: &str = "Error: failed to run main module `prog.wasm`\n\nCaused by:\n";

#[test]
fn child_unreachable() {
    if in_child() {
        finish(run(module(None), Some("run"), &[]));
    }
}

#[test]
fn unreachable_reports_backtrace() {
    let o = child("unreachable");
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "{HEAD}    0: failed to invoke `run`\n    1: error while executing at wasm backtrace:\n    \
             0:     0x42 - prog!inner\n    1:     0x55 - prog!<wasm function 1>\n    \
             2: wasm trap: wasm `unreachable` instruction executed\n\n"
        )
    );
}

#[test]
fn child_memory_fault() {
    if in_child() {
        finish(run(module(None), Some("load"), &[]));
    }
}

#[test]
fn memory_fault_names_the_wasm_address() {
    let o = child("memory_fault");
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "{HEAD}    0: failed to invoke `load`\n    1: error while executing at wasm backtrace:\n    \
             0:     0x66 - prog!load\n    \
             2: memory fault at wasm address 0x10000 in linear memory of size 0x10000\n    \
             3: wasm trap: out of bounds memory access\n\n"
        )
    );
}

#[test]
fn child_stack_overflow() {
    if in_child() {
        finish(run(module(None), Some("recurse"), &[]));
    }
}

#[test]
fn stack_overflow_is_call_stack_exhausted() {
    let o = child("stack_overflow");
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    let mut frames = String::from("    0: prog!recurse\n");
    for i in 1..20 {
        frames.push_str(&format!("  {i:>3}:     0x75 - prog!recurse\n"));
    }
    assert_eq!(
        stderr(&o),
        format!(
            "{HEAD}    0: failed to invoke `recurse`\n    1: error while executing at wasm backtrace:\n\
             {frames}    2: wasm trap: call stack exhausted\n\n"
        )
    );
}

#[test]
fn child_start_traps() {
    if in_child() {
        finish(run(module(Some(0)), None, &[]));
    }
}

#[test]
fn trap_in_start_function_is_an_instantiation_error() {
    let o = child("start_traps");
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "{HEAD}    0: failed to instantiate \"prog.wasm\"\n    1: error while executing at wasm backtrace:\n    \
             0:     0x42 - prog!inner\n    2: wasm trap: wasm `unreachable` instruction executed\n\n"
        )
    );
}

#[test]
fn child_segment_traps() {
    if in_child() {
        let mut b = module(None);
        b.data = vec![(value(65535), 0, SEGMENT_FLAG_ACTIVE, b"ab".to_vec())];
        finish(run(b, None, &[]));
    }
}

#[test]
fn segment_out_of_bounds_traps_at_instantiation() {
    let o = child("segment_traps");
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "{HEAD}    0: failed to instantiate \"prog.wasm\"\n    1: wasm trap: out of bounds memory access\n\n"
        )
    );
}

#[test]
fn child_crash() {
    if in_child() {
        finish(run(module(None), Some("crash"), &[]));
    }
}

#[test]
fn faults_outside_trap_sites_stay_crashes() {
    let o = child("crash");
    assert_eq!(
        o.status.signal(),
        Some(libc::SIGSEGV),
        "{:?} {}",
        o.status,
        stderr(&o)
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn child_invoke_add() {
    if in_child() {
        finish(run(module(None), Some("add"), &["40", "0x2", "extra"]));
    }
}

#[test]
fn invoke_prints_results_and_warnings() {
    let o = child("invoke_add");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: using `--invoke` with a function that takes arguments is experimental and may break in the future\n\
         warning: using `--invoke` with a function that returns values is experimental and may break in the future\n\
         <returned 0>"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).ends_with(" 42\n"),
        "{:?}",
        o.stdout
    );
}

#[test]
fn child_invoke_errors() {
    if in_child() {
        let a = run(module(None), Some("add"), &["1"]);
        let b = run(module(None), Some("add"), &["1", "x"]);
        let c = run(module(None), Some("nope"), &[]);
        finish(a * 100 + b * 10 + c);
    }
}

#[test]
fn invoke_errors_match_wasmtime() {
    let o = child("invoke_errors");
    let warn = "warning: using `--invoke` with a function that takes arguments is experimental and may break in the future\n";
    assert_eq!(
        stderr(&o),
        format!(
            "{warn}{HEAD}    not enough arguments for `add`\n\n\
             {warn}{HEAD}    invalid digit found in string\n\n\
             {HEAD}    no func export named `nope` found\n\n<returned 111>"
        )
    );
}

#[test]
fn child_default_export_missing() {
    if in_child() {
        let mut b = module(None);
        b.exports.retain(|e| e.0 != "_start");
        finish(run(b, None, &[]));
    }
}

#[test]
fn without_start_export_nothing_runs() {
    let o = child("default_export_missing");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "<returned 0>");
}

#[test]
fn child_internal_error() {
    if in_child() {
        kiln_vm::guard::guard(|| panic!("boom"));
    }
}

#[test]
fn panics_become_internal_errors() {
    let o = child("internal_error");
    assert_eq!(o.status.code(), Some(kiln_vm::guard::INTERNAL_ERROR_STATUS));
    assert!(
        stderr(&o).ends_with("Error: internal runtime error: boom\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn child_host_error() {
    if in_child() {
        finish(run(module(None), Some("host"), &[]));
    }
}

#[test]
fn host_errors_report_the_wasm_backtrace() {
    let o = child("host_error");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    let with_backtrace = format!(
        "{HEAD}    0: failed to invoke `host`\n    1: error while executing at wasm backtrace:\n    \
         0:     0x94 - prog!<wasm function 6>\n    2: boom\n\n"
    );
    // Without frame pointers in the runtime's own frames the backtrace
    // cannot be found and is left out.
    let without = format!("{HEAD}    0: failed to invoke `host`\n    1: boom\n\n");
    assert!(e == with_backtrace || e == without, "{e}");
}
