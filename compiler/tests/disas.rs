//! CLIF snapshot tests: every `tests/disas/<area>/<case>.wat` in the
//! repository is translated function by function and the CLIF compared with
//! the `;;` comment block at the end of the file. `BLESS=1` rewrites the
//! expectations.
//!
//! Header options (`;;! key = value` lines at the top, TOML-like):
//! - `target = "x86_64"` (the only target so far);
//! - `optimize = true`: run Cranelift's optimizer (`-O`) before printing;
//! - `compile = true`: print the disassembly of the compiled code instead
//!   of CLIF (also checks that the backend accepts the function).
//!
//! One trial per file; failures are collected and reported together.

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::isa::OwnedTargetIsa;
use kiln_compiler::func::ModuleEnv;
use kiln_compiler::func::translator::FuncTranslator;
use kiln_compiler::key::{DeclaredFuncs, FuncKey};
use kiln_compiler::{Config, OptLevel};
use std::path::{Path, PathBuf};

fn disas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/disas")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "wat") {
            out.push(p);
        }
    }
}

/// Header options of one case.
#[derive(Default)]
struct Options {
    optimize: bool,
    compile: bool,
}

fn parse_options(text: &str) -> Result<Options, String> {
    let mut o = Options::default();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(";;!") else {
            continue;
        };
        let Some((key, value)) = rest.split_once('=') else {
            return Err(format!("malformed header line `{line}`"));
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "target" if value == "\"x86_64\"" => {}
            "optimize" => o.optimize = value == "true",
            "compile" => o.compile = value == "true",
            _ => return Err(format!("unknown header option `{line}`")),
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
        if l.starts_with(";;") && !l.starts_with(";;!") {
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
    for (n, key) in keys.into_iter().enumerate() {
        ids.insert(key, cranelift_module::FuncId::from_u32(n as u32));
    }
    let env = ModuleEnv {
        info: &info,
        wasm: &wasm,
        offsets: kiln_abi::vmctx::VMOffsets::new(8, info.vm_counts()),
        isa: &*isa,
        ids: &ids,
    };
    let mut translator = FuncTranslator::new();
    let mut out = String::new();
    for i in info.bodies.keys() {
        let func = translator
            .translate(&env, info.func_index(i))
            .map_err(|e| e.to_string())?;
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

#[test]
fn disas() {
    let mut files = Vec::new();
    collect(&disas_dir(), &mut files);
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        let (wat, expected) = split_case(&text);
        let result = parse_options(&text).and_then(|o| render(&wat, &o));
        let actual = match result {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        if actual == expected {
            continue;
        }
        if bless {
            let mut new = wat.clone();
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
            std::fs::write(path, new).expect("write blessed case");
        } else {
            failures.push(format!(
                "{}: output differs (rerun with BLESS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} disas cases failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// Every compile-and-run case (`tests/run/**/*.wat`, owned by the
/// end-to-end suite) must also translate, verify and compile here: this
/// finds translator bugs without building executables.
#[test]
fn run_cases_translate() {
    let mut files = Vec::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/run"),
        &mut files,
    );
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        if text.contains(";;! compile-error") || text.contains(";;! skip") {
            continue;
        }
        let options = Options {
            optimize: true,
            compile: true,
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
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
