//! Kiln's HTTP server processes: what `kiln serve` and `kiln build --addr`
//! executables do around the guest, independent of any WASI host function.
//!
//! Phase: run time of a server executable. Inputs: the address and limits
//! ([`listen::ServeConfig`]), the `-H` header arguments, the function that
//! serves a connection in its own process. Outputs: processes, handed-over
//! connections, the exit status.
//!
//! Map:
//! - [`listen`]: the server process (listener, connection and worker
//!   processes, instance reuse, reaping, graceful shutdown);
//! - [`handoff`]: the control channel that hands an accepted connection to
//!   a connection process that kept its instance;
//! - [`gate`]: `--max-concurrent-requests` across the connection
//!   processes, and the shared mappings servers count in;
//! - [`header_args`]: the `-H name: value` arguments;
//! - [`clock`]: the server's monotonic clock for reactor deadlines and
//!   `hyper`'s timers.
//!
//! The process model (`listen`, `handoff`, `gate`: `fork`, descriptor
//! passing, shared mappings) is the `processes` feature, on by default;
//! runtimes for targets without `fork` (Windows) leave it out, and their
//! executables serve from one process (`kiln-runner`'s `serve/single.rs`,
//! on [`bind`] and [`clock`] of this crate).
//!
//! Why a crate of its own: the process model changes for other reasons
//! than the `wasi:http` host functions (`kiln-wasi-http`), and needs
//! nothing of them: no host object, host table or canonical ABI. So the
//! dependencies run one way: `kiln-runner` (the per-request lifecycle:
//! instances, the guest's handler) and `kiln-wasi-http` (a server connection's
//! `hyper` service) over this crate, this crate over only `kiln-vm` (error
//! words) and `kiln-wasi-kernel` (the reactor).

pub mod bind;
pub mod clock;
#[cfg(feature = "processes")]
pub mod gate;
#[cfg(feature = "processes")]
pub mod handoff;
pub mod header_args;
#[cfg(feature = "processes")]
pub mod listen;
