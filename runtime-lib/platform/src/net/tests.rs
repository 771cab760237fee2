use super::*;

#[test]
fn a_wake_pair_carries_a_byte() {
    let (a, b) = wake_pair().unwrap();
    assert_eq!(rustix::net::send(&b, &[1], SEND_FLAGS), Ok(1));
    let mut buf = [0u8; 1];
    let (n, _) = rustix::net::recv(&a, &mut buf, rustix::net::RecvFlags::empty()).unwrap();
    assert_eq!((n, buf[0]), (1, 1));
}

#[test]
fn a_non_blocking_listener_accepts_with_would_block() {
    let fd = socket(AddressFamily::INET, SocketType::STREAM, true).unwrap();
    let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    rustix::net::bind(&fd, &any).unwrap();
    rustix::net::listen(&fd, 1).unwrap();
    assert_eq!(accept(&fd, true).err(), Some(Errno::WOULDBLOCK));
    let addr = rustix::net::getsockname(&fd).unwrap();
    let addr = std::net::SocketAddr::try_from(addr).unwrap();
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(&mut client, b"x").unwrap();
    let conn = loop {
        match accept(&fd, true) {
            Ok(c) => break c,
            Err(Errno::WOULDBLOCK) => std::thread::yield_now(),
            Err(e) => panic!("{e}"),
        }
    };
    let mut buf = [0u8; 1];
    rustix::io::ioctl_fionbio(&conn, false).unwrap();
    let (n, _) = rustix::net::recv(&conn, &mut buf, rustix::net::RecvFlags::empty()).unwrap();
    assert_eq!((n, buf[0]), (1, b'x'));
    assert_eq!(rustix::net::send(&conn, b"y", SEND_FLAGS), Ok(1));
}
