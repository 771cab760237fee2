//! Linux: epoll through mio, edge-triggered.

use super::Readiness;
use std::io;
use std::time::Duration;

pub type Raw = std::os::fd::RawFd;

pub const NONE: Raw = -1;

pub struct Poller {
    poll: mio::Poll,
    events: mio::Events,
}

impl Poller {
    pub fn new() -> io::Result<Poller> {
        Ok(Poller {
            poll: mio::Poll::new()?,
            events: mio::Events::with_capacity(64),
        })
    }

    pub fn arm(&mut self, fd: Raw, read: bool, write: bool, known: bool) -> bool {
        if fd < 0 {
            return false;
        }
        let interest = match (read, write) {
            (true, true) => mio::Interest::READABLE | mio::Interest::WRITABLE,
            (false, true) => mio::Interest::WRITABLE,
            _ => mio::Interest::READABLE,
        };
        let registry = self.poll.registry();
        let source = &mut mio::unix::SourceFd(&fd);
        let token = mio::Token(fd as usize);
        let errno = |r: io::Result<()>| r.err().map(|e| e.raw_os_error());
        if known {
            match errno(registry.reregister(source, token, interest)) {
                None => true,
                Some(Some(libc::ENOENT)) => registry.register(source, token, interest).is_ok(),
                Some(_) => false,
            }
        } else {
            match errno(registry.register(source, token, interest)) {
                None => true,
                Some(Some(libc::EEXIST)) => registry.reregister(source, token, interest).is_ok(),
                Some(_) => false,
            }
        }
    }

    pub fn poll(
        &mut self,
        timeout: Option<Duration>,
        capacity: usize,
        on_event: &mut dyn FnMut(Raw, Readiness),
    ) -> io::Result<()> {
        if self.events.capacity() < capacity {
            self.events = mio::Events::with_capacity(capacity);
        }
        self.poll.poll(&mut self.events, timeout)?;
        for ev in self.events.iter() {
            on_event(
                ev.token().0 as Raw,
                Readiness {
                    readable: ev.is_readable(),
                    writable: ev.is_writable(),
                    read_closed: ev.is_read_closed(),
                    write_closed: ev.is_write_closed(),
                    error: ev.is_error(),
                },
            );
        }
        Ok(())
    }
}
