//! The platform layer: everything the runtime asks of the operating
//! system, behind one interface per concern, with one implementation per
//! OS family chosen at compile time (`cfg(unix)`: Linux, the code paths
//! Kiln has always had; `cfg(windows)`). The crates above name no OS.
//!
//! Concerns so far:
//! - [`vmem`]: virtual memory (reserve address space, make pages
//!   accessible or not, discard their contents, release), for linear
//!   memories and their pool;
//! - [`stack`]: where the calling thread's stack lies and how far the main
//!   thread's may grow, for the wasm stack limit;
//! - [`clock`]: clock resolutions;
//! - [`random`]: secure random bytes;
//! - [`process`]: what a Rust program's start-up does that a guest should
//!   see too (`SIGPIPE` ignored, closed standard descriptors reopened);
//! - [`stdio`]: unbuffered writes to stdout and stderr, for reports;
//! - [`fault`]: hardware faults (bad accesses, trapping instructions,
//!   integer division faults) handed to the runtime's trap handler, which
//!   may redirect the faulting thread;
//! - [`fs`]: file operations beyond cap-std's portable ones (precise
//!   and pre-1970 times, positioned and appending writes, advice);
//! - [`heap`]: the C library's heap, under the global allocator;
//! - [`net`]: socket creation and the socket errors only one OS has;
//! - [`poll`]: the OS poller behind the WASI kernel's reactor;
//! - [`os_error`]: OS errors in the words Wasmtime prints;
//! - [`os_str`]: printing OS strings held as bytes, as Rust does;
//! - [`resume`]: resume points (our own setjmp/longjmp per calling
//!   convention), where a trap unwinds to.
//!
//! Invariant: each function means the same on every OS; where an OS cannot
//! give exactly that, the function's docs say what differs.

pub mod clock;
pub mod fault;
pub mod fs;
pub mod heap;
pub mod net;
pub mod os_error;
pub mod os_str;
pub mod poll;
pub mod process;
pub mod random;
pub mod resume;
pub mod stack;
#[cfg(windows)]
mod stdin_worker;
pub mod stdio;
pub mod vmem;
