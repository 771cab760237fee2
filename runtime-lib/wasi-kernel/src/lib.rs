//! Kiln's WASI kernel: the one implementation of the WASI world that every
//! ABI facade of the runtime (WASI P1 `wasi_snapshot_preview1`, WASI 0.2
//! components, and later WASI 0.3 and `wasi:http`) operates on.
//!
//! Phase: run time of a produced executable. Inputs: the grants decided at
//! start-up (arguments, environment, preopened directories, network flags
//! `kiln_abi::grants::GRANT_FLAG_*`). Outputs: the [`Kernel`] state and the
//! ABI-neutral operations on it: descriptors ([`table`]), files and
//! directories through capabilities ([`fs`]), standard streams ([`stdio`]),
//! clocks ([`clock`]), random ([`random`]), sockets and name lookup
//! ([`net`]), readiness ([`poll`]) and the one `mio` event loop ([`reactor`])
//! every facade waits on.
//!
//! This crate knows nothing of guests: no linear memory, no handle tables,
//! no canonical ABI. Facades translate guest encodings to these calls.
//!
//! Invariants:
//! - Descriptors 0-2 are stdin, stdout and stderr; preopened directories
//!   follow from 3 in grant order (as wasmtime numbers them).
//! - All filesystem access goes through [`fs::Dir`] capabilities; nothing in
//!   the kernel opens a host path except the preopens at start-up.
//! - ABI-specific encodings (errno numbers, rights, record layouts) live in
//!   the facades, never here: no filesystem, clock, socket or random logic
//!   is written twice.

pub mod clock;
pub mod error;
pub mod fs;
pub mod net;
pub mod poll;
pub mod random;
pub mod reactor;
pub mod stdio;
pub mod table;

use error::{ErrorCode, KResult};
use std::path::PathBuf;

/// An open file with the per-descriptor state P1 needs (P2 keeps positions
/// in its streams instead and ignores these fields).
#[derive(Debug)]
pub struct FileDesc {
    /// The file.
    pub file: fs::File,
    /// Current position for `read`/`write`.
    pub position: u64,
    /// Writes append.
    pub append: bool,
    /// Non-blocking was requested (recorded and reported; file I/O always
    /// blocks, as in wasmtime).
    pub nonblocking: bool,
}

/// Something a descriptor number names.
#[derive(Debug)]
pub enum Descriptor {
    /// stdin, stdout or stderr.
    Stdio(stdio::Stdio),
    /// A directory; `preopen` is the guest path of a preopened one.
    Dir {
        /// The directory.
        dir: fs::Dir,
        /// Guest name if this is a preopen.
        preopen: Option<String>,
    },
    /// A file.
    File(FileDesc),
    /// A socket.
    Socket(net::Socket),
}

impl Descriptor {
    /// The directory, or `err` if this is not one.
    pub fn as_dir(&self, err: ErrorCode) -> KResult<&fs::Dir> {
        match self {
            Descriptor::Dir { dir, .. } => Ok(dir),
            _ => Err(err),
        }
    }
}

/// The guest's whole WASI state.
#[derive(Debug)]
pub struct Kernel {
    /// Arguments, `args[0]` the program name.
    pub args: Vec<Vec<u8>>,
    /// Environment variables.
    pub env: Vec<(Vec<u8>, Vec<u8>)>,
    /// Open descriptors.
    pub table: table::FdTable<Descriptor>,
    /// Clocks.
    pub clocks: clock::Clocks,
    /// Network grants.
    pub net: net::NetPolicy,
}

impl Kernel {
    /// Sets up stdio and opens the preopened directories. Fails with the OS
    /// error of the first directory that could not be opened, worded as
    /// Wasmtime words it (without the directory's name).
    pub fn new(
        args: Vec<Vec<u8>>,
        env: Vec<(Vec<u8>, Vec<u8>)>,
        preopens: &[(PathBuf, String)],
        flags: u32,
    ) -> Result<Kernel, String> {
        // What the runtime itself needs is made before the guest can use
        // up the descriptor limit.
        reactor::prepare();
        let mut table = table::FdTable::new();
        let full = |_| "descriptor table full".to_string();
        for kind in [
            stdio::StdioKind::Stdin,
            stdio::StdioKind::Stdout,
            stdio::StdioKind::Stderr,
        ] {
            table
                .push(Descriptor::Stdio(stdio::Stdio::new(kind)))
                .map_err(full)?;
        }
        for (host, guest) in preopens {
            // Wasmtime reports only the OS error (`Error: No such file or
            // directory (os error 2)`), and so must we: same stderr bytes.
            let dir = fs::Dir::open_ambient(host).map_err(|e| e.to_string())?;
            table
                .push(Descriptor::Dir {
                    dir,
                    preopen: Some(guest.clone()),
                })
                .map_err(full)?;
        }
        Ok(Kernel {
            args,
            env,
            table,
            clocks: clock::Clocks::default(),
            net: net::NetPolicy::from_flags(flags),
        })
    }
}
