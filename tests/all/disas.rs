//! CLIF snapshot tests: every `tests/disas/<area>/<case>.wat` in the
//! repository is translated function by function and the CLIF compared with
//! the `;;` comment block at the end of the file. `BLESS=1` rewrites the
//! expectations.
//!
//! Header options, in the directive syntax of the run cases
//! (`;; kiln-test: key = value` lines at the top, see [`crate::directives`]):
//! - `target = "x86_64"` (the only target so far);
//! - `optimize = true`: run Cranelift's optimizer (`-O`) before printing;
//! - `compile = true`: print the disassembly of the compiled code instead
//!   of CLIF (also checks that the backend accepts the function);
//! - `interrupt = true`, `fuel = true`: emit the run-time limit checks of a
//!   build with `-W timeout` / `-W fuel` (`kiln_compiler::Checks`);
//! - `init-refs = true`: print the module's reference and element
//!   initializers (`__kiln_init_refs`, `__kiln_init_elems`,
//!   `kiln_compiler::trampolines::init_refs`) instead of its functions.
//!
//! One trial per file, `disas::<area>/<case>`, plus `disas::run_cases_translate`
//! (below).

use crate::{directives, util};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::isa::OwnedTargetIsa;
use kiln_compiler::func::ModuleEnv;
use kiln_compiler::func::translator::FuncTranslator;
use kiln_compiler::key::{DeclaredFuncs, FuncKey};
use kiln_compiler::trampolines::init_refs;
use kiln_compiler::{Config, OptLevel};
use libtest_mimic::{Failed, Trial};
use std::path::Path;

pub fn trials() -> Vec<Trial> {
    let root = util::repo().join("tests/disas");
    let mut trials: Vec<Trial> = util::files_with_ext(&root, &["wat"])
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .to_string_lossy()
                .into_owned();
            crate::timing::trial(format!("disas::{rel}"), move || disas_case(&path))
        })
        .collect();
    trials.push(crate::timing::trial(
        "disas::run_cases_translate",
        run_cases_translate,
    ));
    trials
}

/// Header options of one case.
#[derive(Default)]
struct Options {
    optimize: bool,
    compile: bool,
    init_refs: bool,
    checks: kiln_compiler::Checks,
}

fn parse_options(text: &str) -> Result<Options, String> {
    let mut o = Options::default();
    for d in directives::parse(text).map_err(|e| format!("{e:#}"))? {
        let value = d.text().map_err(|e| format!("{e:#}"))?;
        match d.key.as_str() {
            "target" if value == "x86_64" => {}
            "optimize" => o.optimize = value == "true",
            "compile" => o.compile = value == "true",
            "interrupt" => o.checks.interrupt = value == "true",
            "fuel" => o.checks.fuel = value == "true",
            "init-refs" => o.init_refs = value == "true",
            key => return Err(format!("line {}: unknown header option `{key}`", d.line)),
        }
    }
    Ok(o)
}

/// Splits a case into its WAT and its expectation (the trailing `;;` lines).
fn split_case(text: &str) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = lines.len();
    while start > 0 {
        let l = lines[start - 1];
        if l.starts_with(";;") && !l.starts_with(";; kiln-test:") {
            start -= 1;
        } else {
            break;
        }
    }
    let wat = lines[..start].join("\n");
    let expected = lines[start..]
        .iter()
        .map(|l| {
            l.strip_prefix(";; ")
                .unwrap_or_else(|| l.strip_prefix(";;").unwrap_or(l))
        })
        .collect::<Vec<_>>()
        .join("\n");
    (wat.trim_end().to_string(), expected.trim_end().to_string())
}

fn isa(optimize: bool) -> Result<OwnedTargetIsa, String> {
    let config = Config {
        target: Some("x86_64-unknown-linux-gnu".into()),
        opt_level: if optimize {
            OptLevel::Speed
        } else {
            OptLevel::None
        },
        ..Config::default()
    };
    kiln_compiler::isa::build_isa(&config).map_err(|e| e.to_string())
}

/// The text a case produces.
fn render(wat: &str, o: &Options) -> Result<String, String> {
    let wasm = wat::parse_str(wat).map_err(|e| e.to_string())?;
    render_wasm(&wasm, o)
}

/// [`render`] of a binary module.
fn render_wasm(wasm: &[u8], o: &Options) -> Result<String, String> {
    let wasm = wasm.to_vec();
    let info = kiln_compiler::module::translate_module(&wasm, &Config::default())
        .map_err(|e| e.to_string())?;
    let isa = isa(o.optimize)?;
    let mut ids = DeclaredFuncs::default();
    let mut keys: Vec<FuncKey> = info.funcs.keys().map(FuncKey::Wasm).collect();
    keys.extend((0..kiln_abi::libcalls::LIBCALLS.len()).map(FuncKey::Libcall));
    keys.extend((0..kiln_abi::wasi_p1::WASI_P1_FUNCS.len()).map(FuncKey::WasiP1));
    keys.extend([FuncKey::InitRefs, FuncKey::InitElems]);
    for (n, key) in keys.into_iter().enumerate() {
        ids.insert(key, cranelift_module::FuncId::from_u32(n as u32));
    }
    let env = ModuleEnv {
        info: &info,
        wasm: &wasm,
        offsets: kiln_abi::vmctx::VMOffsets::new(8, info.vm_counts()),
        isa: &*isa,
        ids: &ids,
        checks: o.checks,
    };
    let mut translator = FuncTranslator::new();
    let mut out = String::new();
    let funcs: Vec<_> = if o.init_refs {
        let plan = init_refs::plan(&info, &env.offsets);
        let mut builder = cranelift_frontend::FunctionBuilderContext::new();
        vec![
            Ok(init_refs::build_refs(
                &info,
                &plan.escaping,
                &env.offsets,
                &*isa,
                &ids,
                &mut builder,
            )),
            Ok(init_refs::build_elems(
                &info,
                plan.applied,
                &env.offsets,
                &*isa,
                &mut builder,
            )),
        ]
    } else {
        info.bodies
            .keys()
            .map(|i| translator.translate(&env, info.func_index(i)))
            .collect()
    };
    for func in funcs {
        let func = func.map_err(|e| e.to_string())?;
        cranelift_codegen::verifier::verify_function(&func, &*isa)
            .map_err(|e| format!("verifier: {e}\n{}", func.display()))?;
        let mut ctx = cranelift_codegen::Context::for_function(func);
        if o.compile {
            ctx.set_disasm(true);
            let compiled = ctx
                .compile(&*isa, &mut ControlPlane::default())
                .map_err(|e| format!("compile: {e:?}"))?;
            out.push_str(compiled.vcode.as_deref().unwrap_or("<no disassembly>"));
        } else {
            if o.optimize {
                ctx.optimize(&*isa, &mut ControlPlane::default())
                    .map_err(|e| format!("optimize: {e:?}"))?;
            }
            out.push_str(&ctx.func.display().to_string());
        }
        out.push('\n');
    }
    Ok(out.trim_end().to_string())
}

/// One snapshot case: compare, or rewrite the expectation under `BLESS=1`.
fn disas_case(path: &Path) -> Result<(), Failed> {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let (wat, expected) = split_case(&text);
    let actual = parse_options(&text).and_then(|o| render(&wat, &o))?;
    if actual == expected {
        return Ok(());
    }
    if !bless {
        return Err(format!(
            "output differs (rerun with BLESS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}"
        )
        .into());
    }
    let mut new = wat;
    new.push_str("\n\n");
    for line in actual.lines() {
        if line.is_empty() {
            new.push_str(";;\n");
        } else {
            new.push_str(";; ");
            new.push_str(line);
            new.push('\n');
        }
    }
    std::fs::write(path, new).map_err(|e| format!("cannot write the blessed case: {e}"))?;
    Ok(())
}

/// Every compile-and-run case (`tests/run/**/*.wat`, owned by the
/// end-to-end suite) must also translate, verify and compile here: this
/// finds translator bugs without building executables. One trial for the
/// whole directory; its failures are collected and reported together.
fn run_cases_translate() -> Result<(), Failed> {
    let files = util::files_with_ext(&util::repo().join("tests/run"), &["wat"]);
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        // A case whose directives do not parse fails its own `run::` trial.
        if crate::run_cases::parse(&text)
            .is_ok_and(|case| case.compile_error.is_some() || case.skip.is_some())
        {
            continue;
        }
        let options = Options {
            optimize: true,
            compile: true,
            ..Options::default()
        };
        let result = wat::parse_str(&text)
            .map_err(|e| e.to_string())
            .and_then(|wasm| {
                // Components go through `compile_component` instead (the
                // end-to-end suite runs them).
                if wasmparser::Parser::is_component(&wasm) {
                    kiln_compiler::compile_component(&wasm, &kiln_compiler::Config::default())
                        .map(drop)
                        .map_err(|e| e.to_string())
                } else {
                    render_wasm(&wasm, &options).map(drop)
                }
            });
        if let Err(e) = result {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n").into())
    }
}
