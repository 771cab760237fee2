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
//!   thread's may grow, for the wasm stack limit.
//!
//! Invariant: each function means the same on every OS; where an OS cannot
//! give exactly that, the function's docs say what differs.

pub mod stack;
pub mod vmem;
