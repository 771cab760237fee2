//! Sockets: what rustix's portable socket calls leave to the OS (how a
//! socket is made non-blocking and not inherited, `SIGPIPE` on send, the
//! errors only one OS has), and the raw handle a readiness wait names.
//!
//! Phase: run time. Inputs: rustix sockets (descriptors on Linux, winsock
//! `SOCKET`s on Windows; `rustix::fd` names both). Outputs: sockets and
//! errors. Winsock is started (`WSAStartup`) by std's first socket call;
//! [`socket`] makes one through std first on Windows for that reason.
//!
//! Invariants: Linux keeps its calls (`SOCK_NONBLOCK | SOCK_CLOEXEC` at
//! creation, `accept4`, `MSG_NOSIGNAL`). Windows sets non-blocking mode
//! with `FIONBIO` after creation (sockets are not inherited by the
//! processes Kiln never starts), and needs no `MSG_NOSIGNAL` (no
//! `SIGPIPE`).

use rustix::fd::OwnedFd;
use rustix::io::Errno;
use rustix::net::{AddressFamily, SendFlags, SocketType};

/// A raw socket, as readiness waits name it (`RawFd` on Linux,
/// `RawSocket` on Windows).
pub type RawSocket = rustix::fd::RawFd;

/// The poller's name ([`crate::poll::Raw`]) of a socket of the standard
/// library (a server's listener): its descriptor, or on Windows its
/// `SOCKET`.
pub fn poll_raw(socket: &impl rustix::fd::AsRawFd) -> crate::poll::Raw {
    socket.as_raw_fd()
}

/// The flags every send passes (Linux: `MSG_NOSIGNAL`, so that a closed
/// peer is an `EPIPE` error and not a signal).
#[cfg(unix)]
pub const SEND_FLAGS: SendFlags = SendFlags::NOSIGNAL;
/// The flags every send passes (Windows has no `SIGPIPE`).
#[cfg(windows)]
pub const SEND_FLAGS: SendFlags = SendFlags::empty();

/// Whether a TCP socket gets `SO_REUSEADDR` before it binds, as Wasmtime
/// does on Unix (a restarted server can take its port back while old
/// connections linger). Not on Windows, where the option would let a
/// socket take a port another is bound to (Wasmtime sets it only on Unix).
pub const REUSE_ADDRESS_ON_BIND: bool = cfg!(unix);

/// A new socket, non-blocking if asked, not inherited by child processes.
pub fn socket(
    family: AddressFamily,
    ty: SocketType,
    nonblocking: bool,
) -> rustix::io::Result<OwnedFd> {
    #[cfg(unix)]
    {
        use rustix::net::SocketFlags;
        let nb = if nonblocking {
            SocketFlags::NONBLOCK
        } else {
            SocketFlags::empty()
        };
        rustix::net::socket_with(family, ty, nb | SocketFlags::CLOEXEC, None)
    }
    #[cfg(windows)]
    {
        start_winsock();
        let fd = rustix::net::socket(family, ty, None)?;
        if nonblocking {
            rustix::io::ioctl_fionbio(&fd, true)?;
        }
        Ok(fd)
    }
}

/// Accepts a connection on `listener`, non-blocking if asked.
pub fn accept(listener: &OwnedFd, nonblocking: bool) -> rustix::io::Result<OwnedFd> {
    #[cfg(unix)]
    {
        use rustix::net::SocketFlags;
        let nb = if nonblocking {
            SocketFlags::NONBLOCK
        } else {
            SocketFlags::empty()
        };
        rustix::net::accept_with(listener, nb | SocketFlags::CLOEXEC)
    }
    #[cfg(windows)]
    {
        let fd = rustix::net::accept(listener)?;
        // An accepted socket inherits the listener's mode: set it either way.
        rustix::io::ioctl_fionbio(&fd, nonblocking)?;
        Ok(fd)
    }
}

/// Two connected stream sockets, for a thread to wake a readiness wait
/// (Linux: a Unix socket pair; Windows: a loopback TCP connection, the
/// only kind `WSAPoll` watches).
pub fn wake_pair() -> std::io::Result<(OwnedFd, OwnedFd)> {
    #[cfg(unix)]
    {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        Ok((a.into(), b.into()))
    }
    #[cfg(windows)]
    {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let a = std::net::TcpStream::connect(listener.local_addr()?)?;
        let (b, _) = listener.accept()?;
        a.set_nodelay(true)?;
        Ok((a.into(), b.into()))
    }
}

/// Receives into `len` bytes at `dst` from the socket `fd`, without
/// flags; the byte count.
///
/// # Safety
/// `dst` is valid for writes of `len` bytes for the call, and `fd` is an
/// open socket.
pub unsafe fn recv_into(fd: RawSocket, dst: *mut u8, len: usize) -> std::io::Result<usize> {
    #[cfg(unix)]
    // SAFETY: the caller's contract.
    let n = unsafe { libc::recv(fd, dst.cast(), len, 0) };
    #[cfg(windows)]
    // SAFETY: the caller's contract (winsock takes an `i32` length: at
    // most that much is asked for).
    let n = unsafe {
        windows_sys::Win32::Networking::WinSock::recv(
            fd as windows_sys::Win32::Networking::WinSock::SOCKET,
            dst,
            i32::try_from(len).unwrap_or(i32::MAX),
            0,
        )
    };
    usize::try_from(n).map_err(|_| std::io::Error::last_os_error())
}

/// Starts winsock once, through std (whose first socket call does it).
#[cfg(windows)]
fn start_winsock() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::net::UdpSocket::bind("127.0.0.1:0");
    });
}

/// Socket errors only some OSes have, as the Linux `errno` they are.
/// Windows has no such errors (`None`): its winsock codes for the same
/// conditions are the portable ones rustix names on both.
pub mod errno {
    use super::Errno;

    /// `EPERM`.
    #[cfg(unix)]
    pub const PERM: Option<Errno> = Some(Errno::PERM);
    /// `EPIPE`.
    #[cfg(unix)]
    pub const PIPE: Option<Errno> = Some(Errno::PIPE);
    /// `ENONET`.
    #[cfg(unix)]
    pub const NONET: Option<Errno> = Some(Errno::NONET);
    /// `ENOMEM`.
    #[cfg(unix)]
    pub const NOMEM: Option<Errno> = Some(Errno::NOMEM);
    /// `EPROTO`.
    #[cfg(unix)]
    pub const PROTO: Option<Errno> = Some(Errno::PROTO);
    /// `EPERM`.
    #[cfg(windows)]
    pub const PERM: Option<Errno> = None;
    /// `EPIPE` (winsock reports a send after shutdown as `WSAESHUTDOWN`).
    #[cfg(windows)]
    pub const PIPE: Option<Errno> = Some(Errno::SHUTDOWN);
    /// `ENONET`.
    #[cfg(windows)]
    pub const NONET: Option<Errno> = None;
    /// `ENOMEM`.
    #[cfg(windows)]
    pub const NOMEM: Option<Errno> = None;
    /// `EPROTO`.
    #[cfg(windows)]
    pub const PROTO: Option<Errno> = None;

    /// A non-blocking `connect` under way (Linux: `EINPROGRESS`; winsock:
    /// `WSAEWOULDBLOCK`).
    #[cfg(unix)]
    pub const CONNECTING: Errno = Errno::INPROGRESS;
    /// A non-blocking `connect` under way (Linux: `EINPROGRESS`; winsock:
    /// `WSAEWOULDBLOCK`).
    #[cfg(windows)]
    pub const CONNECTING: Errno = Errno::WOULDBLOCK;

    /// Whether `e` is `which`.
    pub fn is(e: Errno, which: Option<Errno>) -> bool {
        which == Some(e)
    }
}

#[cfg(test)]
mod tests;
