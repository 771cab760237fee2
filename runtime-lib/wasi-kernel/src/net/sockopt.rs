//! Socket options with Wasmtime's portability rules: buffer sizes
//! halved on read (Linux doubles what is set) and clamped on write, zero
//! values refused, keep-alive times and counts clamped to Linux's limits.
//!
//! Phase: run time. Inputs: a socket descriptor and guest values. Outputs:
//! option values or [`NetError`]s.

use super::inet::{Family, NetError, NetResult};
use rustix::fd::AsFd;
use rustix::io::Errno;
use rustix::net::sockopt;
use std::time::Duration;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// The unicast hop limit (IPv4 TTL or IPv6 unicast hops).
pub fn hop_limit(fd: impl AsFd, family: Family) -> NetResult<u8> {
    match family {
        Family::Ipv4 => {
            let v = sockopt::ip_ttl(fd)?;
            u8::try_from(v).map_err(|_| NetError::NotSupported)
        }
        Family::Ipv6 => Ok(sockopt::ipv6_unicast_hops(fd)?),
    }
}

/// Sets the unicast hop limit; 0 is `InvalidArgument` (checked here
/// because hosts disagree about it).
pub fn set_hop_limit(fd: impl AsFd, family: Family, value: u8) -> NetResult<()> {
    if value == 0 {
        return Err(NetError::InvalidArgument);
    }
    match family {
        Family::Ipv4 => sockopt::set_ip_ttl(fd, value.into())?,
        Family::Ipv6 => sockopt::set_ipv6_unicast_hops(fd, Some(value))?,
    }
    Ok(())
}

/// What a buffer size read back from Linux means to the guest: Linux
/// reports twice the value set (bookkeeping overhead).
pub fn normalize_get_buffer_size(value: usize) -> u64 {
    (value / 2) as u64
}

/// A guest buffer size as passed to the host (`None` for 0, which is
/// `InvalidArgument`).
pub fn normalize_set_buffer_size(value: u64) -> Option<usize> {
    if value == 0 {
        return None;
    }
    let value = usize::try_from(value).unwrap_or(usize::MAX);
    Some(value.clamp(1, i32::MAX as usize))
}

/// `SO_RCVBUF` (normalized).
pub fn receive_buffer_size(fd: impl AsFd) -> NetResult<u64> {
    Ok(normalize_get_buffer_size(sockopt::socket_recv_buffer_size(
        fd,
    )?))
}

/// `SO_SNDBUF` (normalized).
pub fn send_buffer_size(fd: impl AsFd) -> NetResult<u64> {
    Ok(normalize_get_buffer_size(sockopt::socket_send_buffer_size(
        fd,
    )?))
}

/// Sets `SO_RCVBUF` (a hint: `ENOBUFS` is ignored).
pub fn set_receive_buffer_size(fd: impl AsFd, value: u64) -> NetResult<()> {
    let value = normalize_set_buffer_size(value).ok_or(NetError::InvalidArgument)?;
    match sockopt::set_socket_recv_buffer_size(fd, value) {
        Ok(()) | Err(Errno::NOBUFS) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Sets `SO_SNDBUF` (a hint: `ENOBUFS` is ignored).
pub fn set_send_buffer_size(fd: impl AsFd, value: u64) -> NetResult<()> {
    let value = normalize_set_buffer_size(value).ok_or(NetError::InvalidArgument)?;
    match sockopt::set_socket_send_buffer_size(fd, value) {
        Ok(()) | Err(Errno::NOBUFS) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A keep-alive time (nanoseconds) clamped so that the host's whole-second
/// value is never 0 and never above Linux's maximum (`i16::MAX` seconds).
pub fn clamp_keep_alive_time(nanos: u64) -> u64 {
    nanos.clamp(NANOS_PER_SEC, i16::MAX as u64 * NANOS_PER_SEC)
}

/// A keep-alive probe count clamped to 1..=127 (Linux's maximum).
pub fn clamp_keep_alive_count(count: u32) -> u32 {
    count.clamp(1, i8::MAX as u32)
}

/// `SO_KEEPALIVE`.
pub fn keep_alive_enabled(fd: impl AsFd) -> NetResult<bool> {
    Ok(sockopt::socket_keepalive(fd)?)
}

/// Sets `SO_KEEPALIVE`.
pub fn set_keep_alive_enabled(fd: impl AsFd, value: bool) -> NetResult<()> {
    Ok(sockopt::set_socket_keepalive(fd, value)?)
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// `TCP_KEEPIDLE` in nanoseconds.
pub fn keep_alive_idle_time(fd: impl AsFd) -> NetResult<u64> {
    Ok(nanos(sockopt::tcp_keepidle(fd)?))
}

/// Sets `TCP_KEEPIDLE` (clamped; the caller refuses 0).
pub fn set_keep_alive_idle_time(fd: impl AsFd, nanos: u64) -> NetResult<()> {
    let v = Duration::from_nanos(clamp_keep_alive_time(nanos));
    Ok(sockopt::set_tcp_keepidle(fd, v)?)
}

/// `TCP_KEEPINTVL` in nanoseconds.
pub fn keep_alive_interval(fd: impl AsFd) -> NetResult<u64> {
    Ok(nanos(sockopt::tcp_keepintvl(fd)?))
}

/// Sets `TCP_KEEPINTVL` (clamped; the caller refuses 0).
pub fn set_keep_alive_interval(fd: impl AsFd, nanos: u64) -> NetResult<()> {
    let v = Duration::from_nanos(clamp_keep_alive_time(nanos));
    Ok(sockopt::set_tcp_keepintvl(fd, v)?)
}

/// `TCP_KEEPCNT`.
pub fn keep_alive_count(fd: impl AsFd) -> NetResult<u32> {
    Ok(sockopt::tcp_keepcnt(fd)?)
}

/// Sets `TCP_KEEPCNT` (clamped; the caller refuses 0).
pub fn set_keep_alive_count(fd: impl AsFd, count: u32) -> NetResult<()> {
    Ok(sockopt::set_tcp_keepcnt(fd, clamp_keep_alive_count(count))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_sizes() {
        assert_eq!(normalize_set_buffer_size(0), None);
        assert_eq!(normalize_set_buffer_size(1), Some(1));
        assert_eq!(normalize_set_buffer_size(u64::MAX), Some(i32::MAX as usize));
        assert_eq!(normalize_get_buffer_size(8192), 4096);
    }

    #[test]
    fn keep_alive_clamping() {
        assert_eq!(clamp_keep_alive_time(1), NANOS_PER_SEC);
        assert_eq!(clamp_keep_alive_time(5 * NANOS_PER_SEC), 5 * NANOS_PER_SEC);
        assert_eq!(clamp_keep_alive_time(u64::MAX), 32767 * NANOS_PER_SEC);
        assert_eq!(clamp_keep_alive_count(1000), 127);
        assert_eq!(clamp_keep_alive_count(3), 3);
    }

    #[test]
    fn options_on_a_real_socket() {
        let fd = rustix::net::socket(
            rustix::net::AddressFamily::INET,
            rustix::net::SocketType::STREAM,
            None,
        )
        .expect("socket");
        set_hop_limit(&fd, Family::Ipv4, 42).expect("ttl");
        assert_eq!(hop_limit(&fd, Family::Ipv4), Ok(42));
        assert_eq!(
            set_hop_limit(&fd, Family::Ipv4, 0),
            Err(NetError::InvalidArgument)
        );
        set_receive_buffer_size(&fd, 8192).expect("rcvbuf");
        assert_eq!(receive_buffer_size(&fd), Ok(8192));
        set_keep_alive_idle_time(&fd, 1).expect("keepidle");
        assert_eq!(keep_alive_idle_time(&fd), Ok(NANOS_PER_SEC));
        set_keep_alive_count(&fd, 1000).expect("keepcnt");
        assert_eq!(keep_alive_count(&fd), Ok(127));
    }
}
