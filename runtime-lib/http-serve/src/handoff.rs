//! Handing accepted connections to a connection process that kept its
//! component instance ([`super::listen`]): the control channel between the
//! server process and one connection process.
//!
//! Phase: run time of a server executable. Shape: one `AF_UNIX` stream
//! socket pair per connection process, made before its fork. The process
//! says it is idle with one byte ([`IDLE`]); the server answers with a
//! connection (one byte carrying the socket as `SCM_RIGHTS`), or closes
//! its end to retire the process (its instance's idle time ran out).
//!
//! Invariants: the server sends a connection only to a process whose
//! [`IDLE`] it read and to which it sent nothing since, so a process is
//! never handed two connections at once nor one it is not waiting for; a
//! process that closed (exited) is seen as end of file by the server and
//! reaped there.

use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// The byte a connection process sends when it waits for a connection.
pub const IDLE: u8 = b'i';

/// A connected pair of control sockets: (the server's end, the
/// connection process's end), both close-on-exec; the server's end is
/// non-blocking.
pub fn pair() -> Result<(OwnedFd, OwnedFd), String> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    let r = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    if r != 0 {
        return Err(format!(
            "cannot create a control socket: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: two fresh descriptors this function owns from here on.
    let (a, b) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: setting a flag on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(a.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(a.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    Ok((a, b))
}

/// Sends `conn` over control socket `ctl` (the server's side). `false` if
/// the process is gone (its end closed): the caller keeps the connection.
pub fn send(ctl: RawFd, conn: &TcpStream) -> bool {
    let fd = conn.as_raw_fd();
    let mut byte = [b'c'];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    // Room for one descriptor's control message, aligned for `cmsghdr`.
    // (`as _` below: the header's length fields are `usize` on glibc and
    // `u32` on musl.)
    let mut space = [0u64; 4];
    // SAFETY: `msg` points at the local iovec and control buffer, which
    // outlive the call; the buffer is large enough for `CMSG_SPACE` of one
    // descriptor (24 bytes on 64-bit Linux, checked below), so the header
    // and data written through `CMSG_FIRSTHDR`/`CMSG_DATA` stay inside it.
    unsafe {
        let len = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as usize;
        if len > std::mem::size_of_val(&space) {
            return false;
        }
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = space.as_mut_ptr().cast();
        msg.msg_controllen = len as _;
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_SOCKET;
        (*c).cmsg_type = libc::SCM_RIGHTS;
        (*c).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as _;
        std::ptr::write_unaligned(libc::CMSG_DATA(c).cast::<RawFd>(), fd);
        loop {
            let n = libc::sendmsg(ctl, &msg, libc::MSG_NOSIGNAL);
            if n == 1 {
                return true;
            }
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
    }
}

/// What a connection process's read of its control socket gave.
pub enum Received {
    /// A connection to serve.
    Conn(TcpStream),
    /// The server retired this process (or is gone).
    Closed,
    /// Nothing yet.
    Nothing,
}

/// Receives one message on control socket `ctl` (the connection process's
/// side), without blocking.
pub fn receive(ctl: RawFd) -> Received {
    let mut byte = [0u8];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let mut space = [0u64; 4];
    // SAFETY: as in `send`: local buffers outlive the call; the kernel
    // writes at most `msg_controllen` bytes of control data, and a
    // descriptor is read only from a header the kernel filled, of the
    // right level, type and length.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = space.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&space) as _;
        let n = libc::recvmsg(ctl, &mut msg, libc::MSG_CMSG_CLOEXEC | libc::MSG_DONTWAIT);
        if n < 0 {
            return match std::io::Error::last_os_error().kind() {
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock => {
                    Received::Nothing
                }
                _ => Received::Closed,
            };
        }
        if n == 0 {
            return Received::Closed;
        }
        let c = libc::CMSG_FIRSTHDR(&msg);
        if c.is_null()
            || (*c).cmsg_level != libc::SOL_SOCKET
            || (*c).cmsg_type != libc::SCM_RIGHTS
            || ((*c).cmsg_len as usize)
                < libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as usize
        {
            return Received::Nothing;
        }
        let fd = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<RawFd>());
        Received::Conn(TcpStream::from_raw_fd(fd))
    }
}

/// Writes [`IDLE`] on `ctl` (the connection process's side). `false` if
/// the server's end is gone.
pub fn say_idle(ctl: RawFd) -> bool {
    loop {
        // SAFETY: writing one byte from a local to our own socket.
        let n = unsafe { libc::send(ctl, [IDLE].as_ptr().cast(), 1, libc::MSG_NOSIGNAL) };
        if n == 1 {
            return true;
        }
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        return false;
    }
}
