//! Running a compiled component as a `wasi:cli/command`: the component
//! half of `crate::entry` after the shared set-up. A WASI 0.3 `run`
//! (async, `kiln_canon::p3`) is preferred over a 0.2 one. A component
//! that serves HTTP (see [`run_component`]) goes to `super::serve`.
//!
//! Phase: the guest thread of a component executable. Inputs: the
//! component descriptor and the resolved [`RunSettings`]. Output: the exit
//! status, as `wasmtime run` gives it for a component: `run` returning
//! `ok` -> 0, `err` -> 1 (silently); `wasi:cli/exit` exits from inside the
//! host;
//! traps report and exit 134 from the trap handler.

use crate::grants::RunSettings;
use kiln_abi::ValRaw;
use kiln_abi::component::program::{
    ComponentDescriptor, HTTP_HANDLER_INSTANCE, RUN_INSTANCE, RUN_NONE, RUN_P3, SERVE_NONE,
};
use kiln_canon::instances::{self, GuestFunc};
use kiln_canon::program::Component;
use kiln_vm::errors;

/// The HTTP server (`super::serve::serve`), passed in only by the runner
/// of a component with a request handler, so that only such executables
/// link it.
pub type Server = fn(&'static ComponentDescriptor, Component, RunSettings, String) -> i32;

/// Instantiates the component and calls its `wasi:cli/run` export, or
/// serves HTTP with `server`.
pub fn run_component(
    desc: &'static ComponentDescriptor,
    settings: RunSettings,
    server: Option<Server>,
) -> i32 {
    if let Err(e) = kiln_vm::traps::init_main_thread() {
        return errors::report(&[e]);
    }
    // A server: the component exports a request handler, and either the
    // build asked to serve (`--addr`, `kiln serve`) or it has no `run`.
    if settings.serve && desc.serve_kind == SERVE_NONE && settings.invoke.is_none() {
        // Asked to serve (`kiln serve`, `kiln build --addr`) a component
        // without a handler: Wasmtime's `serve` words.
        return errors::report(&[format!(
            "no exported instance named `{HTTP_HANDLER_INSTANCE}`"
        )]);
    }
    if crate::entry::is_server(crate::entry::Program::Component(desc), &settings) {
        let main_context = errors::main_module_context(&settings.program);
        // SAFETY: the compiler's descriptor, valid for the process.
        let component = match unsafe { Component::new(desc) } {
            Ok(c) => c,
            Err(e) => return errors::report(&[main_context, e]),
        };
        return match server {
            Some(serve) => serve(desc, component, settings, main_context),
            None => errors::report(&[
                main_context,
                "corrupt program descriptor: a request handler without the server's runner"
                    .to_string(),
            ]),
        };
    }
    let RunSettings {
        wasi,
        invoke,
        program,
        // Applied at start-up, process-wide (`kiln_vm::limits`).
        limits: _,
        // A command: not serving.
        serve: _,
        serve_addr: _,
        serve_unless_command: _,
    } = settings;
    let main_context = errors::main_module_context(&program);
    let wasi = match kiln_wasi_kernel::WasiCtx::new(wasi) {
        Ok(w) => w,
        Err(e) => return errors::report(&[e]),
    };
    let host = Box::new(kiln_wasi::new_host(wasi));
    // SAFETY: the compiler's descriptor, valid for the process.
    let component = match unsafe { Component::new(desc) } {
        Ok(c) => c,
        Err(e) => return errors::report(&[main_context, e]),
    };
    // Like Wasmtime, the invoke string is parsed and type-checked before
    // instantiation.
    let invoke = match invoke
        .as_deref()
        .map(|i| super::wave::prepare(&component, i))
    {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(chain)) => {
            let mut all = vec![main_context];
            all.extend(chain);
            return errors::report(&all);
        }
    };
    kiln_vm::traps::set_context(vec![main_context.clone()]);
    let rt = match instances::instantiate(component, host) {
        Ok(rt) => rt,
        Err(e) => return errors::report(&[main_context, e]),
    };
    if let Some(p) = invoke {
        return match super::wave::call(rt, &p) {
            Ok(line) => {
                errors::write_fd(1, format!("{line}\n").as_bytes());
                0
            }
            // A wasm trap code raised by the runtime, not by guest code
            // (an async export's task that never returned): a trap, as
            // under a 0.3 `run`.
            Err(t) if t.code.is_some() => {
                kiln_vm::traps::set_context(vec![main_context]);
                instances::raise(t)
            }
            Err(t) => errors::report(&[main_context, t.message]),
        };
    }
    // The compiler chose the `run` as `wasmtime run` would (a WASI 0.3 one
    // first, then Wasmtime's versioned lookup of the 0.2 instance); like
    // Wasmtime, the missing one is reported after instantiation (start
    // functions have run).
    let run = match component.desc.run_kind {
        RUN_NONE => None,
        kind => usize::try_from(component.desc.run_export)
            .ok()
            .and_then(|i| component.exports.get(i))
            .map(|e| (kind, e)),
    };
    let run = match run {
        Some((RUN_P3, run)) => return run_p3(rt, run, &main_context),
        Some((_, run)) => run,
        None => {
            return errors::report(&[
                main_context,
                format!("no exported instance named `{RUN_INSTANCE}`"),
            ]);
        }
    };
    let Some(&instance) = rt.core.get(run.func.instance as usize) else {
        return errors::report(&[
            main_context,
            "corrupt component descriptor: export instance".to_string(),
        ]);
    };
    let func = GuestFunc {
        instance,
        func: run.func.index,
    };
    kiln_vm::traps::set_context(vec![
        main_context.clone(),
        "failed to invoke `run` function".to_string(),
    ]);
    let mut values = [ValRaw::default()];
    // SAFETY: `run` is `[] -> [i32]` (`result`, flattened), checked by the
    // compiler's plan.
    if let Err(t) = unsafe { func.call(&mut values) } {
        return errors::report(&[main_context, t.message]);
    }
    let status = u32::from_le_bytes([
        values[0].0[0],
        values[0].0[1],
        values[0].0[2],
        values[0].0[3],
    ]);
    // SAFETY: the compiler's writable record, filled at instantiation.
    let opts = unsafe { &*(run.opts as usize as *const kiln_abi::component::CanonOpts) };
    // SAFETY: `run`'s record; post-return takes the flat results.
    if let Err(t) = unsafe { instances::call_post_return(opts, &mut values) } {
        return errors::report(&[main_context, t.message]);
    }
    match status {
        0 => 0,
        // Wasmtime prints nothing for `run` returning `err`.
        1 => 1,
        d => errors::report(&[main_context, format!("invalid variant discriminant: {d}")]),
    }
}

/// Calls a WASI 0.3 `run` export (`async func() -> result`) and drives it
/// on the event loop until its task exits: `ok` exits 0, `err` 1.
fn run_p3(
    rt: &'static kiln_canon::ComponentRuntime,
    run: &kiln_abi::component::program::ExportFuncDesc,
    main_context: &str,
) -> i32 {
    let Some(&instance) = rt.core.get(run.func.instance as usize) else {
        return errors::report(&[
            main_context.to_string(),
            "corrupt component descriptor: export instance".to_string(),
        ]);
    };
    let func = GuestFunc {
        instance,
        func: run.func.index,
    };
    // Wasmtime 49 reports a trap under an async `run` without the
    // "failed to invoke" context it gives a 0.2 `run`.
    kiln_vm::traps::set_context(vec![main_context.to_string()]);
    // SAFETY: the compiler's writable record, filled at instantiation.
    let opts = unsafe { &*(run.opts as usize as *const kiln_abi::component::CanonOpts) };
    let mut values = [ValRaw::default()];
    if !opts.is_async() {
        // Lifted without `async`: `[] -> [i32]` (the `result`), run as a
        // task that may block (its type is async).
        // SAFETY: as below.
        let called = unsafe { kiln_canon::p3::run::call_sync_export(rt, opts, func, &mut values) }
            .and_then(|()| {
                // SAFETY: `run`'s record; post-return takes the flat results.
                unsafe { instances::call_post_return(opts, &mut values) }
            });
        let status = u32::from_le_bytes([
            values[0].0[0],
            values[0].0[1],
            values[0].0[2],
            values[0].0[3],
        ]);
        return match called {
            Ok(()) => match status {
                0 => 0,
                1 => 1,
                d => errors::report(&[
                    main_context.to_string(),
                    format!("invalid variant discriminant: {d}"),
                ]),
            },
            Err(t) if t.code.is_some() => instances::raise(t),
            Err(t) => errors::report(&[main_context.to_string(), t.message]),
        };
    }
    // SAFETY: an async-lifted `run` is `[] -> [i32]` (the callback code),
    // checked by the compiler's plan.
    // `result` (no payloads) is its one flat value: nothing to read from
    // memory.
    let result = unsafe {
        kiln_canon::p3::run::call_async_export(rt, opts, func, &mut values, |_, flat| {
            Ok(flat.to_vec())
        })
    };
    match result {
        Ok(flat) => match flat.first().map(|v| *v as u32) {
            Some(0) => 0,
            Some(1) => 1,
            other => errors::report(&[
                main_context.to_string(),
                format!("invalid variant discriminant: {}", other.unwrap_or(0)),
            ]),
        },
        // A wasm trap code (a task that never returned) reports as a trap,
        // with the backtrace of where the runtime is (exit 134).
        Err(t) if t.code.is_some() => instances::raise(t),
        Err(t) => errors::report(&[main_context.to_string(), t.message]),
    }
}
