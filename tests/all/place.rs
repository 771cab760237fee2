//! The fast link (`kiln_linker::place`): an x86_64 static executable made by
//! placing the object into a cached runtime image must behave as the one
//! lld links (`KILN_PLACE=0`), byte for byte on stdout and stderr and in
//! its exit status; keep the module's function names in its symbol table
//! (none with `--strip`); and come from an image cached per set of runtime
//! symbols. Every other x86_64 run case and program of the suite is placed
//! too; these trials compare the two links directly.

use crate::util;
use libtest_mimic::{Failed, Trial};
use object::{Object, ObjectSection, ObjectSymbol};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const TARGET: &str = "x86_64-unknown-linux-musl";
const TIMEOUT: Duration = Duration::from_secs(120);

/// Run cases whose behaviour covers what placement must get right: a memory
/// image, tables and indirect calls, traps with backtraces through inlined
/// frames, exceptions, WASI output and exit statuses.
const CASES: &[&str] = &[
    "memory/memory.wat",
    "memory/bulk.wat",
    "call/call_indirect.wat",
    "trap/inlined_frames.wat",
    "trap/stack_overflow_frames.wat",
    "trap/data_segment_oob.wat",
    "exceptions/payloads.wat",
    "wasi/proc_exit.wat",
    "table/init_refs.wat",
];

pub fn trials() -> Vec<Trial> {
    let host_is_x86_64 = std::env::consts::ARCH == "x86_64";
    let mut trials: Vec<Trial> = CASES
        .iter()
        .map(|case| {
            crate::timing::trial(format!("place::same_as_lld::{case}"), move || {
                same_as_lld(case)
            })
            .with_ignored_flag(!host_is_x86_64)
        })
        .collect();
    trials.push(
        crate::timing::trial("place::symbols_and_strip", symbols_and_strip)
            .with_ignored_flag(!host_is_x86_64),
    );
    trials.push(
        crate::timing::trial("place::image_cache", image_cache).with_ignored_flag(!host_is_x86_64),
    );
    trials
}

/// `kiln build` of `input` to `exe` with the given cache and placement.
fn build(
    input: &Path,
    exe: &Path,
    cache: &Path,
    place: bool,
    extra: &[&str],
) -> Result<(), Failed> {
    let o = util::run(
        Command::new(util::kiln())
            .env("KILN_CACHE_DIR", cache)
            .env("KILN_PLACE", if place { "1" } else { "0" })
            .env("KILN_TIMINGS", "1")
            .args(["build", "--target", TARGET])
            .args(extra)
            .arg(input)
            .arg("-o")
            .arg(exe),
        b"",
        TIMEOUT,
    )?;
    if !o.status.success() {
        return Err(format!("kiln build failed\n{}", o.describe()).into());
    }
    // The CLI says when placement did not apply (`KILN_TIMINGS`).
    if place && o.stderr_str().contains("linking with lld") {
        return Err(format!("placement was not used\n{}", o.describe()).into());
    }
    Ok(())
}

fn same_as_lld(case: &str) -> Result<(), Failed> {
    let input = util::repo().join("tests/run").join(case);
    let dir = tempfile::tempdir()?;
    let cache = util::scratch("kiln-cache");
    let (placed, linked) = (dir.path().join("placed"), dir.path().join("linked"));
    build(&input, &placed, &cache, true, &[])?;
    build(&input, &linked, &cache, false, &[])?;
    let run = |exe: &PathBuf| util::run(&mut Command::new(exe), b"", TIMEOUT);
    let (a, b) = (run(&placed)?, run(&linked)?);
    if a.status.code() != b.status.code() || a.stdout != b.stdout || a.stderr != b.stderr {
        return Err(format!(
            "placed and lld-linked executables differ\nplaced:\n{}\nlld:\n{}",
            a.describe(),
            b.describe()
        )
        .into());
    }
    Ok(())
}

/// The names `nm` or a debugger would show: the module's functions are
/// symbols of the executable, by their name-section names (`$fac`; an
/// unnamed one keeps `__kiln_func_<N>`), unless stripped.
fn symbols_and_strip() -> Result<(), Failed> {
    let input = util::repo().join("tests/run/call/calls.wat");
    let dir = tempfile::tempdir()?;
    let cache = util::scratch("kiln-cache");
    let exe = dir.path().join("calls");
    build(&input, &exe, &cache, true, &[])?;
    let bytes = std::fs::read(&exe)?;
    let file = object::File::parse(&*bytes)?;
    let names: Vec<String> = file
        .symbols()
        .filter_map(|s| s.name().ok().map(str::to_string))
        .collect();
    for want in ["fac", "__kiln_func_1", "__kiln_start", "__kiln_program"] {
        if !names.iter().any(|n| n == want) {
            return Err(format!("no `{want}` in the symbol table").into());
        }
    }
    // The function symbol lies in an executable section of the module.
    let func = file
        .symbols()
        .find(|s| s.name() == Ok("fac"))
        .ok_or("no fac")?;
    let section = file.section_by_index(func.section_index().ok_or("no section")?)?;
    if section.name()? != ".kiln.text" || func.address() < section.address() {
        return Err(format!("fac in `{}`", section.name()?).into());
    }
    // A profiler maps a sample to a file offset and the file offset to the
    // symbol whose section puts it there: no other section, not even one
    // without bytes (`.bss`), may claim the function's (perf did).
    let elf = object::read::elf::ElfFile64::<object::LittleEndian>::parse(&*bytes)?;
    let le = object::LittleEndian;
    let (offset, _) = section.file_range().ok_or("no file range")?;
    let at = func.address() - section.address() + offset;
    for other in elf.sections() {
        let h = other.elf_section_header();
        let start = h.sh_offset.get(le);
        if other.index() != section.index()
            && h.sh_addr.get(le) != 0
            && (start..start + h.sh_size.get(le)).contains(&at)
        {
            return Err(
                format!("`{}` claims the file offset {at:#x} of fac", other.name()?).into(),
            );
        }
    }
    // And it tells a mapping's segment by the file page the mapping starts
    // at: no code segment starts in a page another segment starts in. (Two
    // data segments may: lld starts the writable segment in the file page
    // where a RELRO segment shorter than a page starts, and no sample lands
    // in either.)
    let loads: Vec<(u64, bool)> = elf
        .elf_program_headers()
        .iter()
        .filter(|p| p.p_type.get(le) == object::elf::PT_LOAD)
        .map(|p| {
            let code = p.p_flags.get(le) & object::elf::PF_X != 0;
            (p.p_offset.get(le) / 4096, code)
        })
        .collect();
    for (index, &(page, code)) in loads.iter().enumerate() {
        let shared = loads
            .iter()
            .enumerate()
            .any(|(other, &(p, _))| other != index && p == page);
        if code && shared {
            return Err(format!("a code segment starts in a shared file page: {loads:x?}").into());
        }
    }
    let stripped = dir.path().join("stripped");
    build(&input, &stripped, &cache, true, &["--strip"])?;
    let bytes = std::fs::read(&stripped)?;
    let file = object::File::parse(&*bytes)?;
    if file.symbols().next().is_some() {
        return Err("`--strip` left a symbol table".into());
    }
    let o = util::run(&mut Command::new(&stripped), b"", TIMEOUT)?;
    if !o.status.success() {
        return Err(format!("the stripped executable failed\n{}", o.describe()).into());
    }
    Ok(())
}

/// One image per set of runtime symbols, made once and reused.
fn image_cache() -> Result<(), Failed> {
    let cache = tempfile::tempdir()?;
    let dir = tempfile::tempdir()?;
    let images = || -> Vec<PathBuf> {
        let pattern = cache.path().join("runtimes");
        let mut found = Vec::new();
        for hash in std::fs::read_dir(&pattern).into_iter().flatten().flatten() {
            let d = hash.path().join(TARGET).join("images");
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with("image-") {
                    found.push(e.path());
                }
            }
        }
        found.sort();
        found
    };
    let run = util::repo().join("tests/run");
    build(
        &run.join("call/calls.wat"),
        &dir.path().join("a"),
        cache.path(),
        true,
        &[],
    )?;
    let first = images();
    if first.len() != 1 {
        return Err(format!("expected one image, found {first:?}").into());
    }
    let made = std::fs::metadata(&first[0])?.modified()?;
    // Same runtime symbols: the same image, not rebuilt.
    build(
        &run.join("call/calls.wat"),
        &dir.path().join("b"),
        cache.path(),
        true,
        &["-O", "1"],
    )?;
    if images() != first || std::fs::metadata(&first[0])?.modified()? != made {
        return Err("the image was rebuilt for the same runtime symbols".into());
    }
    // Output to stdout needs the WASI host: another image.
    build(
        &run.join("wasi/proc_exit.wat"),
        &dir.path().join("c"),
        cache.path(),
        true,
        &[],
    )?;
    if images().len() != 2 {
        return Err(format!("expected a second image, found {:?}", images()).into());
    }
    Ok(())
}
