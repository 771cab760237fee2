//! The stream objects of `wasi:filesystem`: the input and output streams of
//! `read-via-stream`, `write-via-stream` and `append-via-stream` (as
//! `wasi:io` stream implementations), and the `directory-entry-stream`.
//!
//! Phase: run time. Inputs: a shared kernel [`fs::File`] and a starting
//! position. Outputs: bytes through the kernel's `pread`/`pwrite`/append.
//!
//! Invariants (wasmtime 48 `p2/filesystem.rs`, with blocking allowed on the
//! current thread, as its CLI runs):
//! - File streams are always ready: a read or write happens at once, at the
//!   stream's own position (the descriptor has none); a stream keeps the
//!   file open after its descriptor is dropped.
//! - A read returns at most 64 KiB; reading 0 bytes returns nothing without
//!   touching the file; end of file closes the stream.
//! - Writes are written in full (looping over short writes); a failed write
//!   is reported by the next `check-write` or `flush` (or at once by the
//!   blocking variants, which run `flush` after `write`), and closes the
//!   stream after being reported once.
//! - A failure's message is the host error's text, as wasmtime's
//!   `to-debug-string` prints it (`Invalid argument (os error 22)`);
//!   [`super::error_code_of_message`] recovers its `error-code`.

use super::types::{DirectoryEntry, ErrorCode};
use crate::wasi::kernel::error::KResult;
use crate::wasi::kernel::fs;
use crate::wasi::p2::io::{InputStreamImpl, OutputStreamImpl, Readiness, StreamFailure};
use std::sync::Arc;

/// Most bytes one read returns (wasmtime's `MAX_READ_SIZE_ALLOC`), also the
/// write permit of a ready file output stream.
pub const MAX_CHUNK: u64 = 64 * 1024;

/// A failure as the guest sees it.
fn failed(e: &std::io::Error) -> StreamFailure {
    StreamFailure::Failed(e.to_string())
}

/// `read-via-stream`.
#[derive(Debug)]
pub struct FileInput {
    file: Arc<fs::File>,
    position: u64,
    closed: bool,
}

impl FileInput {
    /// A stream reading `file` from `position`.
    pub fn new(file: Arc<fs::File>, position: u64) -> FileInput {
        FileInput {
            file,
            position,
            closed: false,
        }
    }
}

impl InputStreamImpl for FileInput {
    fn read(&mut self, len: u64) -> Result<Vec<u8>, StreamFailure> {
        if self.closed {
            return Err(StreamFailure::Closed);
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let mut buf = vec![0; len.min(MAX_CHUNK) as usize];
        loop {
            match self.file.read_at_os(&mut buf, self.position) {
                Ok(0) => {
                    self.closed = true;
                    return Err(StreamFailure::Closed);
                }
                Ok(n) => {
                    buf.truncate(n);
                    self.position += n as u64;
                    return Ok(buf);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Reported once, then the stream is closed.
                    self.closed = true;
                    return Err(failed(&e));
                }
            }
        }
    }

    fn readiness(&self) -> Readiness {
        Readiness::Always
    }
}

/// Where a file output stream writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OutputMode {
    /// At this position, which advances.
    Position(u64),
    /// At the end of the file.
    Append,
}

/// The state of a file output stream.
#[derive(Debug)]
enum OutputState {
    Ready,
    /// The last write failed; reported by the next check or flush.
    Failed(std::io::Error),
    Closed,
}

/// `write-via-stream` and `append-via-stream`.
#[derive(Debug)]
pub struct FileOutput {
    file: Arc<fs::File>,
    mode: OutputMode,
    state: OutputState,
}

impl FileOutput {
    /// A stream writing `file` as `mode` says.
    pub fn new(file: Arc<fs::File>, mode: OutputMode) -> FileOutput {
        FileOutput {
            file,
            mode,
            state: OutputState::Ready,
        }
    }

    /// Writes all of `data` (looping over short and interrupted writes).
    fn write_all(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            let n = match self.mode {
                OutputMode::Position(p) => self.file.write_at_os(data, p),
                OutputMode::Append => self.file.append_os(data),
            };
            let n = match n {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            if let OutputMode::Position(p) = &mut self.mode {
                *p += n as u64;
            }
            data = &data[n..];
        }
        Ok(())
    }

    /// Reports a pending failure once (closing the stream), or `Closed`.
    fn take_failure(&mut self) -> Result<(), StreamFailure> {
        match std::mem::replace(&mut self.state, OutputState::Closed) {
            OutputState::Ready => {
                self.state = OutputState::Ready;
                Ok(())
            }
            OutputState::Failed(e) => Err(failed(&e)),
            OutputState::Closed => Err(StreamFailure::Closed),
        }
    }
}

impl OutputStreamImpl for FileOutput {
    fn check_write(&mut self) -> Result<u64, StreamFailure> {
        self.take_failure().map(|()| MAX_CHUNK)
    }

    fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
        match self.state {
            OutputState::Ready => {}
            OutputState::Closed => return Err(StreamFailure::Closed),
            // The failure must be collected by `check-write` first.
            OutputState::Failed(_) => {
                return Err(StreamFailure::Trap(
                    "write not permitted: check_write not called first".into(),
                ));
            }
        }
        if let Err(e) = self.write_all(data) {
            self.state = OutputState::Failed(e);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamFailure> {
        self.take_failure()
    }

    fn readiness(&self) -> Readiness {
        Readiness::Always
    }
}

/// A `directory-entry-stream`: the entries read when it was created, in
/// host order, without `.` and `..`; an entry that could not be read is an
/// error in its place, and iteration goes on after it (as wasmtime).
#[derive(Debug)]
pub struct DirEntryStream {
    entries: std::vec::IntoIter<KResult<fs::DirEntry>>,
}

impl DirEntryStream {
    /// A stream over `entries`.
    pub fn new(entries: Vec<KResult<fs::DirEntry>>) -> DirEntryStream {
        DirEntryStream {
            entries: entries.into_iter(),
        }
    }

    /// `read-directory-entry`.
    pub fn next_entry(&mut self) -> Result<Option<DirectoryEntry>, ErrorCode> {
        match self.entries.next() {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(DirectoryEntry {
                r#type: e.file_type.into(),
                name: e.name,
            })),
            Some(Err(e)) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, contents: &[u8]) -> (std::path::PathBuf, Arc<fs::File>) {
        let dir =
            std::env::temp_dir().join(format!("kiln-p2-streams-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        std::fs::write(&path, contents).unwrap();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let mode = fs::OpenMode {
            read: true,
            write: true,
        };
        (
            dir,
            Arc::new(fs::File {
                file,
                open_mode: mode,
            }),
        )
    }

    #[test]
    fn input_reads_at_its_position_then_closes() {
        let (dir, f) = temp_file("in", b"hello world");
        let mut s = FileInput::new(f, 6);
        assert_eq!(s.read(0).unwrap(), b"");
        assert_eq!(s.read(3).unwrap(), b"wor");
        assert_eq!(s.read(100).unwrap(), b"ld");
        assert!(matches!(s.read(1), Err(StreamFailure::Closed)));
        assert!(matches!(s.read(1), Err(StreamFailure::Closed)));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn output_writes_at_position_and_appends() {
        let (dir, f) = temp_file("out", b"0123456789");
        let mut w = FileOutput::new(f.clone(), OutputMode::Position(2));
        assert_eq!(w.check_write().unwrap(), MAX_CHUNK);
        w.write(b"ab").unwrap();
        w.write(b"cd").unwrap();
        w.flush().unwrap();
        let mut a = FileOutput::new(f.clone(), OutputMode::Append);
        a.write(b"!").unwrap();
        assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"01abcd6789!");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_failed_write_is_reported_once_then_closed() {
        let (dir, f) = temp_file("fail", b"");
        let mut w = FileOutput::new(f, OutputMode::Position(u64::MAX / 2));
        w.write(b"x").unwrap();
        match w.flush() {
            Err(StreamFailure::Failed(m)) => assert!(m.contains("(os error"), "{m}"),
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(matches!(w.check_write(), Err(StreamFailure::Closed)));
        // A second write before collecting the failure breaks the protocol.
        let (dir2, f) = temp_file("fail2", b"");
        let mut w = FileOutput::new(f, OutputMode::Position(u64::MAX / 2));
        w.write(b"x").unwrap();
        assert!(matches!(w.write(b"y"), Err(StreamFailure::Trap(_))));
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(dir2);
    }

    #[test]
    fn directory_entries_keep_errors_in_place() {
        let entry = |name: &str| {
            Ok(fs::DirEntry {
                name: name.into(),
                file_type: fs::FileType::RegularFile,
                ino: 0,
            })
        };
        let mut s = DirEntryStream::new(vec![
            entry("a"),
            Err(crate::wasi::kernel::error::ErrorCode::IllegalByteSequence),
            entry("b"),
        ]);
        assert_eq!(s.next_entry().unwrap().unwrap().name, "a");
        assert_eq!(s.next_entry(), Err(ErrorCode::IllegalByteSequence));
        assert_eq!(s.next_entry().unwrap().unwrap().name, "b");
        assert_eq!(s.next_entry(), Ok(None));
    }
}
