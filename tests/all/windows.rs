//! Windows executables beyond the cross slice's programs: what a user who
//! ships a `.exe` sees of the file itself (`cross::x86_64-pc-windows-gnu::
//! hello_exe`: the default `.exe` name, the DLLs it imports, its run under
//! Wine) and what Kiln refuses for Windows (`...::serve_timeout_refused`).

use crate::cross::Cross;
use crate::util;
use libtest_mimic::Failed;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The DLLs a Windows executable may import: every Windows 10 has them
/// (docs/targets.md, "Windows").
const SYSTEM_DLLS: &[&str] = &[
    "kernel32.dll",
    "ntdll.dll",
    "ws2_32.dll",
    "userenv.dll",
    "advapi32.dll",
    "bcrypt.dll",
    "bcryptprimitives.dll",
    "api-ms-win-core-synch-l1-2-0.dll",
    "ucrtbase.dll",
];

/// `kiln build --target x86_64-pc-windows-gnu examples/hello.wat` names
/// its output `hello.exe`, which imports only [`SYSTEM_DLLS`] and greets
/// under Wine.
pub fn hello_exe(cross: &Cross) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let hello = util::repo().join("examples/hello.wat");
    let o = util::run(
        util::kiln_cmd()
            .current_dir(dir.path())
            .args(["build", "--target", &cross.triple])
            .arg(&hello),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    if !o.status.success() {
        return Err(format!("kiln build failed\n{}", o.describe()).into());
    }
    let exe = dir.path().join("hello.exe");
    let bytes = std::fs::read(&exe).map_err(|e| format!("no hello.exe: {e}"))?;
    for dll in imported_dlls(&bytes)? {
        if !SYSTEM_DLLS.contains(&dll.to_ascii_lowercase().as_str()) {
            return Err(format!("hello.exe imports {dll}, not a DLL of every Windows").into());
        }
    }
    let o = util::run(&mut cross.command(&exe), b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    if o.code() != 0 || o.stdout_str() != "Hello, world!\n" {
        return Err(format!("hello.exe misbehaved under Wine\n{}", o.describe()).into());
    }
    Ok(())
}

/// The names of the DLLs a PE executable imports.
fn imported_dlls(bytes: &[u8]) -> Result<Vec<String>, String> {
    use object::read::pe::PeFile64;
    let pe = PeFile64::parse(bytes).map_err(|e| format!("not a PE32+ executable: {e}"))?;
    let table = pe
        .import_table()
        .map_err(|e| e.to_string())?
        .ok_or("no import table")?;
    let mut descriptors = table.descriptors().map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    while let Some(d) = descriptors.next().map_err(|e| e.to_string())? {
        let name = table
            .name(d.name.get(object::LittleEndian))
            .map_err(|e| e.to_string())?;
        names.push(String::from_utf8_lossy(name).into_owned());
    }
    Ok(names)
}

/// A server built for Windows runs every connection in one process, so
/// the per-request timeout (which abandons a connection's process on
/// Linux) is refused at build time, in one `error:` line that says why.
pub fn serve_timeout_refused(cross: &Cross) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let o = util::run(
        util::kiln_cmd()
            .args(["build", "--target", &cross.triple, "--addr", "127.0.0.1:0"])
            .args(["-W", "timeout=1s"])
            .arg(util::repo().join("examples/hello.wat"))
            .arg("-o")
            .arg(dir.path().join("server.exe")),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    let err = o.stderr_str();
    if o.code() != 1
        || err.lines().count() != 1
        || !err.starts_with("error: a request timeout")
        || !err.contains(&cross.triple)
    {
        return Err(format!(
            "expected one error line refusing the request timeout\n{}",
            o.describe()
        )
        .into());
    }
    Ok(())
}
