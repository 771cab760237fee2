use super::*;
use crate::net::{SEND_FLAGS, wake_pair};
use rustix::fd::AsRawFd;

/// The events of one wait, as (descriptor, readiness) pairs.
fn wait(poller: &mut Poller, timeout: Duration) -> Vec<(Raw, Readiness)> {
    let mut got = Vec::new();
    poller
        .poll(Some(timeout), 8, &mut |fd, r| got.push((fd, r)))
        .unwrap();
    got
}

#[test]
fn a_socket_becomes_readable_and_stays_armed() {
    let (a, b) = wake_pair().unwrap();
    let mut poller = Poller::new().unwrap();
    let fd = a.as_raw_fd();
    assert!(poller.arm(fd, true, false, false));
    let quiet = wait(&mut poller, Duration::ZERO);
    assert!(
        quiet.iter().all(|(f, r)| *f != fd || !r.readable),
        "{quiet:?}"
    );
    assert_eq!(rustix::net::send(&b, &[1], SEND_FLAGS), Ok(1));
    let got = wait(&mut poller, Duration::from_secs(5));
    assert!(got.iter().any(|(f, r)| *f == fd && r.readable), "{got:?}");
    // Re-armed (known), it reports the byte still unread.
    assert!(poller.arm(fd, true, false, true));
    let again = wait(&mut poller, Duration::from_secs(5));
    assert!(
        again.iter().any(|(f, r)| *f == fd && r.readable),
        "{again:?}"
    );
}

#[test]
fn a_hang_up_makes_the_read_side_ready() {
    let (a, b) = wake_pair().unwrap();
    let mut poller = Poller::new().unwrap();
    let fd = a.as_raw_fd();
    assert!(poller.arm(fd, true, false, false));
    drop(b);
    let got = wait(&mut poller, Duration::from_secs(5));
    assert!(
        got.iter()
            .any(|(f, r)| *f == fd && (r.readable || r.read_closed)),
        "{got:?}"
    );
}

#[test]
fn what_cannot_be_watched_fails_to_arm() {
    let mut poller = Poller::new().unwrap();
    assert!(!poller.arm(NONE, true, false, false));
    // A regular file: epoll refuses it; WSAPoll watches only sockets.
    let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
    assert!(!poller.arm(raw_of_file(&file), true, false, false));
}

#[cfg(unix)]
fn raw_of_file(f: &std::fs::File) -> Raw {
    std::os::fd::AsRawFd::as_raw_fd(f)
}

#[cfg(windows)]
fn raw_of_file(f: &std::fs::File) -> Raw {
    std::os::windows::io::AsRawHandle::as_raw_handle(f) as Raw
}

#[test]
fn a_wait_with_nothing_armed_sleeps_its_timeout() {
    let mut poller = Poller::new().unwrap();
    let start = std::time::Instant::now();
    let got = wait(&mut poller, Duration::from_millis(20));
    assert!(got.is_empty());
    assert!(start.elapsed() >= Duration::from_millis(20));
}
