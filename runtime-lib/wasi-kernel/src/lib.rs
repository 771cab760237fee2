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
//! Every facade starts from a [`WasiCtx`] ([`ctx`]: the kernel made from a
//! [`WasiConfig`], after the process-wide set-up a guest expects).
//!
//! This crate knows nothing of guests: no linear memory, no handle tables,
//! no canonical ABI. Facades translate guest encodings to these calls.
//!
//! Invariants:
//! - Descriptors 0-2 are stdin, stdout and stderr; preopened directories
//!   follow from 3 in grant order (as wasmtime numbers them).
//! - Threads (wasi-threads) share one [`Kernel`] through `&Kernel`: the
//!   descriptor table has its own lock, held only to look a number up,
//!   insert or remove one (never across I/O), and hands out
//!   [`Arc<Descriptor>`]s; a descriptor's mutable state (a file's position
//!   and flags, [`FileDesc::state`]) has a lock of its own. So a call that
//!   blocks (a read of stdin, a wait in the reactor) holds no lock another
//!   thread's call needs, except that descriptor's own, as in wasi-common.
//!   Closing a descriptor that another thread is using only removes its
//!   number: the host object closes when that use ends.
//! - All filesystem access goes through [`fs::Dir`] capabilities; nothing in
//!   the kernel opens a host path except the preopens at start-up.
//! - ABI-specific encodings (errno numbers, rights, record layouts) live in
//!   the facades, never here: no filesystem, clock, socket or random logic
//!   is written twice.

pub mod clock;
pub mod ctx;
pub mod error;
pub mod fs;
pub mod net;
pub mod poll;
pub mod random;
pub mod reactor;
pub mod stdio;
pub mod table;

pub use ctx::{WasiConfig, WasiCtx};
use error::{ErrorCode, KResult};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// An open file with the per-descriptor state P1 needs (P2 keeps positions
/// in its streams instead and has no `FileDesc`).
#[derive(Debug)]
pub struct FileDesc {
    /// The file.
    pub file: fs::File,
    /// Position and flags, under this descriptor's own lock: an operation
    /// that reads and moves the position holds it across its I/O, so that
    /// two threads reading one descriptor never read the same bytes (as
    /// with a POSIX file description).
    pub state: Mutex<FileState>,
}

/// The mutable state of a [`FileDesc`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct FileState {
    /// Current position for `read`/`write`.
    pub position: u64,
    /// Writes append.
    pub append: bool,
    /// Non-blocking was requested (recorded and reported; file I/O always
    /// blocks, as in wasmtime).
    pub nonblocking: bool,
}

impl FileDesc {
    /// A descriptor for `file` in `state`.
    pub fn new(file: fs::File, state: FileState) -> FileDesc {
        FileDesc {
            file,
            state: Mutex::new(state),
        }
    }

    /// Locks the position and flags. A poisoned lock means an operation
    /// panicked, which already ended the process (the runtime aborts on
    /// panic); its state is still the last one written.
    pub fn lock(&self) -> MutexGuard<'_, FileState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
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

/// A descriptor that is a directory: derefs to its [`fs::Dir`] and keeps
/// the descriptor alive while it is used.
#[derive(Debug, Clone)]
pub struct DirHandle(Arc<Descriptor>);

impl DirHandle {
    /// `desc` as a directory, or `err` if it is not one.
    pub fn new(desc: Arc<Descriptor>, err: ErrorCode) -> KResult<DirHandle> {
        desc.as_dir(err)?;
        Ok(DirHandle(desc))
    }
}

impl std::ops::Deref for DirHandle {
    type Target = fs::Dir;
    fn deref(&self) -> &fs::Dir {
        match &*self.0 {
            Descriptor::Dir { dir, .. } => dir,
            // `new` admits directories only, and a descriptor never
            // changes kind.
            _ => unreachable!("DirHandle of a non-directory"),
        }
    }
}

// Every thread of a guest shares the kernel through `&Kernel`.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Kernel>()
};

/// The guest's whole WASI state, shared by every thread of the guest.
#[derive(Debug)]
pub struct Kernel {
    /// Arguments, `args[0]` the program name.
    pub args: Vec<Vec<u8>>,
    /// Environment variables.
    pub env: Vec<(Vec<u8>, Vec<u8>)>,
    /// Open descriptors (see the crate's invariants for the locking).
    table: Mutex<table::FdTable<Arc<Descriptor>>>,
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
                .push(Arc::new(Descriptor::Stdio(stdio::Stdio::new(kind))))
                .map_err(full)?;
        }
        for (host, guest) in preopens {
            // Wasmtime reports only the OS error (`Error: No such file or
            // directory (os error 2)`), and so must we: same stderr bytes.
            let dir = fs::Dir::open_ambient(host).map_err(|e| e.to_string())?;
            table
                .push(Arc::new(Descriptor::Dir {
                    dir,
                    preopen: Some(guest.clone()),
                }))
                .map_err(full)?;
        }
        Ok(Kernel {
            args,
            env,
            table: Mutex::new(table),
            clocks: clock::Clocks::default(),
            net: net::NetPolicy::from_flags(flags),
        })
    }

    /// The table, locked. Held only for table operations, never across
    /// I/O; a poisoned lock means a table operation panicked, which already
    /// ended the process (the runtime aborts on panic).
    fn table(&self) -> MutexGuard<'_, table::FdTable<Arc<Descriptor>>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The descriptor `fd`, or `BadDescriptor`.
    pub fn get(&self, fd: u32) -> KResult<Arc<Descriptor>> {
        self.table().get(fd).cloned()
    }

    /// The directory `fd`: `BadDescriptor` if `fd` is not open, `err` if
    /// it is not a directory.
    pub fn dir(&self, fd: u32, err: ErrorCode) -> KResult<DirHandle> {
        DirHandle::new(self.get(fd)?, err)
    }

    /// Inserts `desc`, returning its number.
    pub fn push(&self, desc: Descriptor) -> KResult<u32> {
        self.table().push(Arc::new(desc))
    }

    /// Removes `fd`. The host object closes once no other thread is using
    /// it (after the table lock is released).
    pub fn remove(&self, fd: u32) -> KResult<()> {
        let removed = self.table().remove(fd)?;
        drop(removed);
        Ok(())
    }

    /// Moves `from` to `to`, closing what `to` held. Both must be open.
    pub fn renumber(&self, from: u32, to: u32) -> KResult<()> {
        self.table().renumber(from, to)
    }

    /// The open descriptors in number order, at this moment.
    pub fn descriptors(&self) -> Vec<(u32, Arc<Descriptor>)> {
        self.table()
            .iter()
            .map(|(fd, d)| (fd, Arc::clone(d)))
            .collect()
    }
}
