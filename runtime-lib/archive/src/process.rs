//! The process entry point of every Kiln executable: `main`, which hands
//! the linked-in program to `kiln_runner`.
//!
//! Phase: the whole process. Inputs: `argc`/`argv` from the C runtime, the
//! linked-in descriptors `__kiln_program` (pointing at the module's
//! `__kiln_module` or the component's `__kiln_component`) and
//! `__kiln_grants` (read in place), and the runner the compiler chose,
//! `__kiln_program_runner` (`kiln_runner::entry::__kiln_run_module` or
//! `__kiln_run_component`, which continues in
//! `kiln_runner::component::entry`): `main` names neither, so the linker
//! keeps only the one the program uses. Output: the exit status of
//! `kiln_runner::entry::run` (the `//!` header of `kiln_runner::entry`
//! gives the sequence and exit statuses).
//!
//! Invariants: no panic unwinds into C or compiled code: [`main`] installs
//! the panic hook of `kiln_vm::guard` and runs under its `guard`. Only
//! this module refers to the compiler-emitted symbols, so `kiln_runner`
//! links into programs that have none (`kiln-runtime-embed`). Left out of
//! this crate's own test binary, which has a `main` of its own.

use kiln_abi::component::program::ProgramDescriptor;
use kiln_abi::grants::GrantsDescriptor;
use kiln_runner::entry::{Program, Runner, run};
use kiln_vm::errors;
use std::ffi::{CStr, c_char, c_int};

unsafe extern "C" {
    /// The program root the compiler emitted (a module or a component).
    static __kiln_program: ProgramDescriptor;
    /// The grants the compiler emitted.
    static __kiln_grants: GrantsDescriptor;
    /// The runner of the program's kind, which the compiler chose: the
    /// address of `kiln_runner::entry::__kiln_run_module` or
    /// `__kiln_run_component`.
    #[allow(
        improper_ctypes,
        reason = "the pointee is a Rust static of kiln-runner; C never reads it"
    )]
    static __kiln_program_runner: &'static Runner;
}

/// The process entry point, called by the C runtime.
///
/// # Safety
/// `argv` holds `argc` NUL-terminated strings (the C runtime's contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: the C runtime's arguments.
    run_with_args(|| unsafe { collect_args(argc, argv) })
}

/// What `main` does once the arguments are byte strings; entry points
/// that get them from elsewhere (Windows: `crate::start_windows`) call it
/// directly.
pub fn run_with_args(args: impl FnOnce() -> Vec<Vec<u8>>) -> c_int {
    kiln_vm::guard::install_panic_hook();
    kiln_vm::guard::guard(|| {
        let args = args();
        // SAFETY: the linker resolved the three symbols to the compiler's
        // descriptors and the runtime's runner, which live for the whole
        // process and are never written.
        let (program, grants, runner) = unsafe {
            (
                Program::new(&__kiln_program),
                &__kiln_grants,
                *__kiln_program_runner,
            )
        };
        match program {
            Ok(p) => run(p, runner, grants, args),
            Err(e) => errors::report(&[e]),
        }
    })
}

/// The arguments as byte strings.
///
/// # Safety
/// `argv` holds `argc` NUL-terminated strings.
unsafe fn collect_args(argc: c_int, argv: *const *const c_char) -> Vec<Vec<u8>> {
    (0..argc.max(0) as usize)
        .filter_map(|i| {
            // SAFETY: guaranteed by the caller.
            let p = unsafe { *argv.add(i) };
            // SAFETY: as above.
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
        })
        .collect()
}
