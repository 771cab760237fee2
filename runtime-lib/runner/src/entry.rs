//! The run of a program from the shared set-up to its exit status: the
//! runners the compiler chooses between, and what they share.
//!
//! Phase: the whole process after `main` (the archive crate
//! `kiln-runtime`, which reads the linked-in descriptors and the process's
//! arguments). Inputs: the decoded program root ([`Program::new`]), the
//! runner the compiler chose (`__kiln_program_runner`: [`__kiln_run_module`]
//! or [`__kiln_run_component`], which continues in
//! `crate::component::entry`), `__kiln_grants`, the arguments, the
//! environment. Output: the exit status.
//!
//! Sequence ([`run`], then [`run_guest`] on the thread with enough stack):
//! descriptors checked (mismatch: `Error: ...`, status 1) -> grants resolved
//! -> trap handlers installed -> `-W` limits applied and the timeout armed
//! (`kiln_vm::limits`) -> WASI context (failure: `Error: <message>`,
//! status 1) -> instance -> segments -> start function -> `_initialize` if
//! exported -> the invoked export, or the export `""`, or `_start` (neither:
//! nothing runs) -> status 0. Traps exit from the signal handler (134);
//! `proc_exit` exits from the WASI host.
//!
//! Invariants: runs under the panic guard `main` installed
//! (`kiln_vm::guard`), so no panic unwinds into C or compiled code.
//! `SIGPIPE` is ignored, as in the `wasmtime` CLI (a Rust program), so a
//! closed pipe is an `EPIPE` error for the guest, not a kill.

use crate::grants::{self, Grants, RunSettings};
use kiln_abi::component::program::{
    ComponentDescriptor, PROGRAM_COMPONENT, PROGRAM_MODULE, ProgramDescriptor,
};
use kiln_abi::descriptor::{KIND_FUNC, ModuleDescriptor, NO_INDEX};
use kiln_abi::grants::{GRANT_FLAG_RUN_MODE, GrantsDescriptor, RUN_CONFIG_ENV};
use kiln_vm::descriptor::Module;
use kiln_vm::errors;
use kiln_vm::instance::{HostState, InitError, Instance};
use kiln_wasi_kernel::WasiCtx;

/// Defined only by a runtime of the same ABI version; every compiled module refers
/// to it (`kiln_abi::symbols::abi_version_symbol`), so a module compiled for
/// another ABI version fails to link with this runtime.
#[unsafe(export_name = kiln_abi::abi_version_symbol!())]
pub static ABI_VERSION_MARKER: u8 = kiln_abi::ABI_VERSION as u8;

/// Runs a program once the shared set-up is done; returns the exit status.
pub type Runner = fn(Program, RunSettings) -> i32;

/// The runner of a core module. Only the compiler's
/// `__kiln_program_runner` refers to it (`kiln_abi::symbols::RUN_MODULE`).
#[unsafe(no_mangle)]
pub static __kiln_run_module: Runner = run_module;

/// The runner of a component: only a component's `__kiln_program_runner`
/// refers to it, so a core module's executable links none of the
/// component runtime (`kiln_abi::symbols::RUN_COMPONENT`).
#[unsafe(no_mangle)]
pub static __kiln_run_component: Runner = run_component;

/// The runner of a component that exports an HTTP request handler: the
/// only reference to the server (`crate::component::serve`: hyper's server,
/// the connection processes), so other executables do not carry it
/// (`kiln_abi::symbols::RUN_COMPONENT_SERVER`).
#[unsafe(no_mangle)]
pub static __kiln_run_component_server: Runner = run_component_server;

/// What the executable runs.
#[derive(Copy, Clone, Debug)]
pub enum Program {
    /// A core module.
    Module(&'static ModuleDescriptor),
    /// A component.
    Component(&'static ComponentDescriptor),
}

impl Program {
    /// Decodes the root record.
    ///
    /// # Safety
    /// `p` is the compiler's `__kiln_program`, whose root is valid for the
    /// process.
    pub unsafe fn new(p: &'static ProgramDescriptor) -> Result<Program, String> {
        if p.magic != kiln_abi::MODULE_MAGIC || p.abi_version != kiln_abi::ABI_VERSION {
            return Err(format!(
                "this executable was compiled for Kiln runtime ABI version {} but its runtime implements version {}",
                p.abi_version,
                kiln_abi::ABI_VERSION
            ));
        }
        // Before any backtrace can be taken: which code is the compiler's.
        kiln_vm::traps::registry::set_compiled_code(p.code_start as usize, p.code_end as usize);
        let lacking = crate::cpu::missing(p.cpu_features);
        if !lacking.is_empty() {
            return Err(format!(
                "this executable was compiled for CPU features this machine lacks: {} \
                 (chosen by `kiln build --cpu` or the target's baseline)",
                lacking.join(", ")
            ));
        }
        if p.tier_features != 0 && crate::cpu::missing(p.tier_features).is_empty() {
            // SAFETY: `tier_flag` is the compiler's one-byte writable
            // `__kiln_tier_flag`, valid for the process. No Rust reference
            // to it exists (compiled code only loads it, and none has run
            // yet), so this write aliases nothing; it happens once, before
            // the first compiled function is called.
            unsafe { (p.tier_flag as *mut u8).write(1) };
        }
        let root = p.root as usize;
        // SAFETY: the caller's contract.
        unsafe {
            match p.kind {
                PROGRAM_MODULE => Ok(Program::Module(&*(root as *const ModuleDescriptor))),
                PROGRAM_COMPONENT => Ok(Program::Component(&*(root as *const ComponentDescriptor))),
                k => Err(format!("corrupt program descriptor: kind {k}")),
            }
        }
    }
}

/// Everything between entry and exit status: the set-up a module and a
/// component share, then `runner`.
pub fn run(program: Program, runner: Runner, grants: &GrantsDescriptor, args: Vec<Vec<u8>>) -> i32 {
    kiln_platform::process::prepare_for_guest();
    // SAFETY: as above.
    let baked = match unsafe { Grants::from_descriptor(grants) } {
        Ok(g) => g,
        Err(e) => return errors::report(&[e]),
    };
    let run_config = (baked.flags & GRANT_FLAG_RUN_MODE != 0)
        .then(|| std::env::var_os(RUN_CONFIG_ENV))
        .flatten();
    if run_config.is_some() {
        // SAFETY: still single-threaded: nothing else reads the environment.
        unsafe { std::env::remove_var(RUN_CONFIG_ENV) };
    }
    let settings = {
        match grants::resolve(
            baked,
            run_config.as_ref().map(|s| s.as_encoded_bytes()),
            args,
            &grants::HostEnv::Process,
        ) {
            Ok(s) => s,
            Err(e) => return errors::report(&[e]),
        }
    };
    if let Err(e) = kiln_vm::traps::install() {
        return errors::report(&[e]);
    }
    // Before any instance exists: memories and stacks read the limits, and
    // the timeout counts from here. A server's timeout is per request
    // (`crate::component::serve`), not armed for the process.
    let mut process_limits = settings.limits;
    if is_server(program, &settings) {
        process_limits.timeout = None;
    }
    if let Err(e) = kiln_vm::limits::apply(&process_limits) {
        return errors::report(&[e]);
    }
    runner(program, settings)
}

/// Whether `program` runs as an HTTP server with these settings (see
/// `crate::component::entry::run_component`).
pub fn is_server(program: Program, settings: &RunSettings) -> bool {
    use kiln_abi::component::program::{RUN_NONE, SERVE_NONE};
    match program {
        Program::Component(c) => {
            c.serve_kind != SERVE_NONE
                && settings.invoke.is_none()
                && (settings.serve || (settings.serve_unless_command && c.run_kind == RUN_NONE))
        }
        Program::Module(_) => false,
    }
}

/// [`Runner`] of a core module: its instance on the big-stack guest thread.
fn run_module(program: Program, settings: RunSettings) -> i32 {
    let Program::Module(m) = program else {
        return errors::report(&[
            "corrupt program descriptor: a component with a module's runner".to_string(),
        ]);
    };
    // SAFETY: the descriptors are the compiler's, valid for the process.
    let module = match unsafe { Module::new(m) } {
        Ok(m) => m,
        Err(e) => return errors::report(&[e]),
    };
    kiln_vm::traps::registry::register_module(module);
    kiln_vm::typeids::seed(&module);
    match kiln_vm::stack::run_guest(move || run_guest(module, settings)) {
        Ok(status) => status,
        Err(e) => errors::report(&[e]),
    }
}

/// [`Runner`] of a component (`crate::component::entry`).
fn run_component(program: Program, settings: RunSettings) -> i32 {
    run_component_with(program, settings, None)
}

/// [`Runner`] of a component with a request handler.
#[cfg(feature = "serve")]
fn run_component_server(program: Program, settings: RunSettings) -> i32 {
    run_component_with(program, settings, Some(crate::component::serve::serve))
}

/// [`Runner`] of a component with a request handler, in a runtime built
/// without serving (every target's runtime serves; an embedding may leave
/// it out): a server is refused, a component that also has a `run` still
/// runs.
#[cfg(not(feature = "serve"))]
fn run_component_server(program: Program, settings: RunSettings) -> i32 {
    if is_server(program, &settings) {
        return errors::report(&["serving HTTP is not supported on this target".to_string()]);
    }
    run_component_with(program, settings, None)
}

fn run_component_with(
    program: Program,
    settings: RunSettings,
    server: Option<crate::component::entry::Server>,
) -> i32 {
    let Program::Component(c) = program else {
        return errors::report(&[
            "corrupt program descriptor: a module with a component's runner".to_string(),
        ]);
    };
    match kiln_vm::stack::run_guest(move || {
        crate::component::entry::run_component(c, settings, server)
    }) {
        Ok(status) => status,
        Err(e) => errors::report(&[e]),
    }
}

/// Instantiates and runs the guest on the current thread; returns the exit
/// status (traps and `proc_exit` never return here).
pub fn run_guest(module: Module, settings: RunSettings) -> i32 {
    if let Err(e) = kiln_vm::traps::init_main_thread() {
        return errors::report(&[e]);
    }
    kiln_wasi_p1::set_fatal_handler(kiln_vm::traps::report_host_error_chain);
    let wasi = match WasiCtx::new(settings.wasi.clone()) {
        Ok(w) => w,
        Err(e) => return errors::report(&[e]),
    };
    let main_context = errors::main_module_context(&settings.program);
    let instantiate_context = errors::instantiate_context(&settings.program);
    // wasi-threads: the module imports its shared memory, created here from
    // the import's limits and shared by every thread's instance.
    let shared = match kiln_wasi_p1::threads::shared_memory_import(&module) {
        Ok(m) => m,
        Err(e) => return errors::report(&[main_context, instantiate_context, e]),
    };
    let imports: &[kiln_vm::instance::Import] = match shared {
        Some(m) => &kiln_wasi_p1::threads::spawn::imports(m),
        None => &[],
    };
    let instance = match Instance::with_imports(module, Some(HostState::new(wasi)), imports) {
        Ok(i) => Box::into_raw(i),
        Err(e) => return errors::report(&[main_context, instantiate_context, e]),
    };
    if let Some(m) = shared {
        // SAFETY: the main instance lives until the process exits, and so
        // does its WASI context; no other reference to it exists yet.
        let wasi = unsafe { (*instance).host_state::<WasiCtx>() }
            .map_or(std::ptr::null_mut(), |w| w as *mut WasiCtx);
        kiln_wasi_p1::threads::spawn::init(module, m, wasi);
    }
    // SAFETY: `instance` stays alive until the process exits (it is
    // deliberately never freed: `proc_exit` and traps exit from inside it).
    unsafe { run_instance(instance, &settings, main_context, instantiate_context) }
}

/// Steps after the instance exists: segments, start, `_initialize`, the
/// entry export.
///
/// # Safety
/// `instance` is live and not otherwise borrowed.
unsafe fn run_instance(
    instance: *mut Instance,
    settings: &RunSettings,
    main_context: String,
    instantiate_context: String,
) -> i32 {
    kiln_vm::traps::set_context(vec![main_context.clone(), instantiate_context.clone()]);
    // SAFETY: live, unborrowed.
    let module = unsafe { *(*instance).module() };
    // SAFETY: live, unborrowed; the borrow ends with the call.
    match unsafe { (*instance).apply_segments() } {
        Ok(()) => {}
        Err(InitError::Trap(code)) => kiln_vm::traps::report_host_trap(code),
        Err(InitError::Corrupt(e)) => {
            return errors::report(&[main_context, instantiate_context, e]);
        }
    }
    let fail = |e: String| errors::report(&[main_context.clone(), e]);
    if module.desc.start_func != NO_INDEX {
        // SAFETY: forwarded; the start function takes and returns nothing.
        if let Err(e) = unsafe { kiln_vm::invoke::call(instance, module.desc.start_func, &mut []) }
        {
            return errors::report(&[main_context.clone(), instantiate_context, e]);
        }
    }

    kiln_vm::traps::set_context(vec![main_context.clone()]);
    if let Some(init) = module.export("_initialize", KIND_FUNC) {
        // SAFETY: forwarded; a reactor's `_initialize` is `[] -> []`.
        if let Err(e) = unsafe { kiln_vm::invoke::call(instance, init, &mut []) } {
            return fail(e);
        }
    }
    let (func, name) = match &settings.invoke {
        Some(name) => match module.export(name, KIND_FUNC) {
            Some(f) => (f, Some(name.as_str())),
            None => return fail(format!("no func export named `{name}` found")),
        },
        None => match module
            .export("", KIND_FUNC)
            .or_else(|| module.export("_start", KIND_FUNC))
        {
            Some(f) => (f, None),
            None => return 0,
        },
    };
    let guest_args = settings.wasi.args.get(1..).unwrap_or_default();
    // SAFETY: forwarded.
    match unsafe { kiln_vm::invoke::invoke(instance, func, name, guest_args, &main_context) } {
        Ok(()) => 0,
        Err(e) => fail(e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn abi_symbol_name_matches_the_contract() {
        // The static above must carry exactly the name the compiler refers to.
        let name = kiln_abi::symbols::abi_version_symbol();
        assert_eq!(name, format!("__kiln_abi_v{}", kiln_abi::ABI_VERSION));
        assert_eq!(super::ABI_VERSION_MARKER as u32, kiln_abi::ABI_VERSION);
    }
}
