//! The server's listening sockets, for both server models (a process per
//! connection, [`super::listen`]; one process, `kiln-runner`'s).
//!
//! Phase: start of a server executable. Input: an address. Output: a
//! bound, non-blocking listener and the address it is bound to (its port
//! chosen for port 0), or the error in `wasmtime serve`'s words.

use kiln_vm::errors::os_error_text;
use std::net::{SocketAddr, TcpListener};

/// Binds a non-blocking listener on `addr`; errors in `wasmtime serve`'s
/// words (the OS error alone).
pub fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), String> {
    let listener = TcpListener::bind(addr).map_err(|e| os_error_text(&e))?;
    let local = listener.local_addr().map_err(|e| os_error_text(&e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot configure the listener: {e}"))?;
    Ok((listener, local))
}
