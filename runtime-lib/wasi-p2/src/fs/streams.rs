//! The stream objects of `wasi:filesystem`: the input and output streams of
//! `read-via-stream`, `write-via-stream` and `append-via-stream` (as
//! `wasi:io` stream implementations), and the `directory-entry-stream`.
//!
//! Phase: run time. Inputs: a shared kernel [`fs::File`] and a starting
//! position. Outputs: bytes through the kernel's `pread`/`pwrite`/append.
//!
//! Invariants: Wasmtime's file streams (`p2/filesystem.rs`), whose I/O
//! runs as a background task that only a *wait* on the stream collects
//! (its `Pollable::ready`, reached by `subscribe` + `block`/`poll` and by
//! every blocking stream function). Here the I/O happens at once, and the
//! result is held back until the next wait, so guests see wasmtime's
//! answers, none of which depends on timing:
//! - Input: a non-blocking `read` of n > 0 bytes from an idle stream
//!   starts a read of n (at most 64 KiB) and returns nothing; further reads
//!   return nothing until a wait. After a wait, the read's bytes are handed
//!   out (in pieces if asked for less). A wait on an idle stream reads 4096
//!   bytes, except inside a blocking read, which reads as many bytes as it
//!   asks for (wasmtime's file `blocking-read`; so a blocking read of 0
//!   bytes reads 0 bytes, which is end of file). End of file closes the
//!   stream.
//! - Output: `check-write` grants 64 KiB when idle and 0 while a write is
//!   outstanding (until a wait); a second `write` before that is a trap
//!   ("write not permitted: check_write not called first"). Writes are
//!   written in full at the stream's own position (or appended); a failed
//!   write is reported by the first `check-write` or `flush` after a wait,
//!   once, and then the stream is closed.
//! - A stream keeps its file open after its descriptor is dropped.
//! - A failure's message is the host error's text, as wasmtime's
//!   `to-debug-string` prints it (`Invalid argument (os error 22)`);
//!   [`super::error_code_of_message`] recovers its `error-code`.
//!
//! A wait is observed as a call of `readiness` (the `wasi:io` layer asks
//! every stream it waits on for its readiness, and only then); file
//! streams are always ready. A wait's read happens at the stream's next
//! operation (the same bytes unless the file changed in between), and a
//! wait inside the running host call ([`host_call_number`]) is a blocking
//! read's.

use super::types::{DirectoryEntry, ErrorCode};
use crate::host_call_number;
use crate::io::{InputStreamImpl, OutputStreamImpl, Readiness, StreamFailure};
use kiln_wasi_kernel::error::KResult;
use kiln_wasi_kernel::fs;
use std::cell::Cell;
use std::sync::Arc;

/// Most bytes one read returns (wasmtime's `MAX_READ_SIZE_ALLOC`), also the
/// write permit of a ready file output stream.
pub const MAX_CHUNK: u64 = 64 * 1024;

/// What a wait on an idle input stream reads (wasmtime's
/// `DEFAULT_READ_SIZE`).
const WAIT_READ: u64 = 4096;

/// A failure as the guest sees it.
fn failed(e: &std::io::Error) -> StreamFailure {
    StreamFailure::Failed(e.to_string())
}

/// The state of a file input stream (wasmtime's `ReadState`).
#[derive(Debug)]
enum ReadState {
    Idle,
    /// A read of this many bytes was asked for; it happens at the next wait.
    Pending(u64),
    /// Read bytes not handed out yet.
    Data(Vec<u8>),
    /// The read failed; reported once.
    Failed(std::io::Error),
    Closed,
}

/// `read-via-stream`.
#[derive(Debug)]
pub struct FileInput {
    file: Arc<fs::File>,
    position: u64,
    state: ReadState,
    /// The host call of the first wait since the last operation.
    waited: Cell<Option<u64>>,
}

impl FileInput {
    /// A stream reading `file` from `position`.
    pub fn new(file: Arc<fs::File>, position: u64) -> FileInput {
        FileInput {
            file,
            position,
            state: ReadState::Idle,
            waited: Cell::new(None),
        }
    }

    /// One read of up to `len` bytes at the stream's position (retrying
    /// interrupted reads); 0 bytes read is end of file.
    fn read_now(&self, len: u64) -> ReadState {
        let mut buf = vec![0; len.min(MAX_CHUNK) as usize];
        loop {
            match self.file.read_at_os(&mut buf, self.position) {
                Ok(0) => return ReadState::Closed,
                Ok(n) => {
                    buf.truncate(n);
                    return ReadState::Data(buf);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return ReadState::Failed(e),
            }
        }
    }
}

impl InputStreamImpl for FileInput {
    fn read(&mut self, len: u64) -> Result<Vec<u8>, StreamFailure> {
        if let Some(call) = self.waited.take() {
            match self.state {
                ReadState::Idle if call == host_call_number() => self.state = self.read_now(len),
                ReadState::Idle => self.state = self.read_now(WAIT_READ),
                ReadState::Pending(n) => self.state = self.read_now(n),
                _ => {}
            }
        }
        match &mut self.state {
            ReadState::Idle => {
                if len > 0 {
                    self.state = ReadState::Pending(len);
                }
                Ok(Vec::new())
            }
            ReadState::Pending(_) => Ok(Vec::new()),
            ReadState::Data(data) => {
                let n = data.len().min(usize::try_from(len).unwrap_or(usize::MAX));
                let chunk: Vec<u8> = data.drain(..n).collect();
                if data.is_empty() {
                    self.state = ReadState::Idle;
                }
                self.position += n as u64;
                Ok(chunk)
            }
            ReadState::Failed(_) => match std::mem::replace(&mut self.state, ReadState::Closed) {
                ReadState::Failed(e) => Err(failed(&e)),
                _ => unreachable!("matched Failed above"),
            },
            ReadState::Closed => Err(StreamFailure::Closed),
        }
    }

    fn readiness(&self) -> Readiness {
        // The first wait decides (a later one finds the read done).
        if self.waited.get().is_none() {
            self.waited.set(Some(host_call_number()));
        }
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

/// The state of a file output stream (wasmtime's `OutputState`).
#[derive(Debug)]
enum OutputState {
    Ready,
    /// A write happened; its outcome is collected at the next wait.
    Writing(std::io::Result<()>),
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
    /// A wait happened since the last operation.
    waited: Cell<bool>,
}

impl FileOutput {
    /// A stream writing `file` as `mode` says.
    pub fn new(file: Arc<fs::File>, mode: OutputMode) -> FileOutput {
        FileOutput {
            file,
            mode,
            state: OutputState::Ready,
            waited: Cell::new(false),
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

    /// Collects an outstanding write if a wait happened since.
    fn settle(&mut self) {
        if self.waited.replace(false)
            && let OutputState::Writing(_) = self.state
        {
            self.state = match std::mem::replace(&mut self.state, OutputState::Ready) {
                OutputState::Writing(Err(e)) => OutputState::Failed(e),
                _ => OutputState::Ready,
            };
        }
    }

    /// Reports a collected failure once (closing the stream).
    fn take_failure(&mut self) -> StreamFailure {
        match std::mem::replace(&mut self.state, OutputState::Closed) {
            OutputState::Failed(e) => failed(&e),
            _ => StreamFailure::Closed,
        }
    }
}

impl OutputStreamImpl for FileOutput {
    fn check_write(&mut self) -> Result<u64, StreamFailure> {
        self.settle();
        match self.state {
            OutputState::Ready => Ok(MAX_CHUNK),
            OutputState::Writing(_) => Ok(0),
            OutputState::Failed(_) | OutputState::Closed => Err(self.take_failure()),
        }
    }

    fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
        self.settle();
        match self.state {
            OutputState::Ready => {
                let r = self.write_all(data);
                self.state = OutputState::Writing(r);
                Ok(())
            }
            OutputState::Closed => Err(StreamFailure::Closed),
            OutputState::Writing(_) | OutputState::Failed(_) => Err(StreamFailure::Trap(
                "write not permitted: check_write not called first".into(),
            )),
        }
    }

    fn flush(&mut self) -> Result<(), StreamFailure> {
        self.settle();
        match self.state {
            OutputState::Ready | OutputState::Writing(_) => Ok(()),
            OutputState::Failed(_) | OutputState::Closed => Err(self.take_failure()),
        }
    }

    fn readiness(&self) -> Readiness {
        self.waited.set(true);
        Readiness::Always
    }
}

/// A `directory-entry-stream`: the entries read when it was created (WASI
/// 0.2; WASI 0.3 reads them as the guest does), in host order, without `.`
/// and `..`; an entry that could not be read is an
/// error in its place, and iteration goes on after it (as wasmtime).
pub struct DirEntryStream {
    /// Entries read already (WASI 0.2) or read on demand (WASI 0.3,
    /// [`fs::Dir::read_dir_lazy`]).
    entries: Box<dyn Iterator<Item = KResult<fs::DirEntry>> + Send>,
}

impl std::fmt::Debug for DirEntryStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirEntryStream").finish_non_exhaustive()
    }
}

impl DirEntryStream {
    /// A stream over `entries`.
    pub fn new(entries: Vec<KResult<fs::DirEntry>>) -> DirEntryStream {
        DirEntryStream::lazy(entries.into_iter())
    }

    /// A stream over entries read as it is read.
    pub fn lazy(
        entries: impl Iterator<Item = KResult<fs::DirEntry>> + Send + 'static,
    ) -> DirEntryStream {
        DirEntryStream {
            entries: Box::new(entries),
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

    /// A blocking read as the `wasi:io` layer does it: wait, then read.
    fn blocking_read(s: &mut FileInput, len: u64) -> Result<Vec<u8>, StreamFailure> {
        s.readiness();
        s.read(len)
    }

    #[test]
    fn a_pollable_wait_reads_4096() {
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let (dir, f) = temp_file("poll", &data);
        let mut s = FileInput::new(f, 0);
        s.readiness();
        // The next operation comes in a later host call.
        s.waited.set(s.waited.get().map(|c| c.wrapping_sub(1)));
        assert_eq!(s.read(10).unwrap(), &data[..10]);
        // The rest of the 4096 bytes read by the wait, even if a blocking
        // read asks for more.
        assert_eq!(blocking_read(&mut s, 8000).unwrap(), &data[10..4096]);
        assert_eq!(blocking_read(&mut s, 8000).unwrap(), &data[4096..]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn input_reads_only_after_a_wait() {
        let (dir, f) = temp_file("in", b"hello world");
        let mut s = FileInput::new(f, 2);
        assert_eq!(s.read(0).unwrap(), b"");
        // Starts a read of 4 that the next wait collects.
        assert_eq!(s.read(4).unwrap(), b"");
        assert_eq!(s.read(100).unwrap(), b"");
        assert_eq!(blocking_read(&mut s, 2).unwrap(), b"ll");
        assert_eq!(s.read(100).unwrap(), b"o ");
        assert_eq!(blocking_read(&mut s, 3).unwrap(), b"wor");
        assert_eq!(blocking_read(&mut s, 100).unwrap(), b"ld");
        assert!(matches!(
            blocking_read(&mut s, 1),
            Err(StreamFailure::Closed)
        ));
        assert!(matches!(s.read(1), Err(StreamFailure::Closed)));
        // A blocking read of 0 bytes reads 0 bytes: end of file.
        let mut s = FileInput::new(s.file.clone(), 0);
        assert!(matches!(
            blocking_read(&mut s, 0),
            Err(StreamFailure::Closed)
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn output_writes_at_position_and_appends() {
        let (dir, f) = temp_file("out", b"0123456789");
        let mut w = FileOutput::new(f.clone(), OutputMode::Position(2));
        assert_eq!(w.check_write().unwrap(), MAX_CHUNK);
        w.write(b"ab").unwrap();
        // Outstanding until a wait.
        assert_eq!(w.check_write().unwrap(), 0);
        w.flush().unwrap();
        w.readiness();
        assert_eq!(w.check_write().unwrap(), MAX_CHUNK);
        w.write(b"cd").unwrap();
        let mut a = FileOutput::new(f.clone(), OutputMode::Append);
        a.write(b"!").unwrap();
        assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"01abcd6789!");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_failed_write_is_reported_once_then_closed() {
        let (dir, f) = temp_file("fail", b"");
        let mut w = FileOutput::new(f.clone(), OutputMode::Position(u64::MAX / 2));
        w.write(b"x").unwrap();
        w.flush().unwrap();
        w.readiness();
        match w.check_write() {
            Err(StreamFailure::Failed(m)) => assert!(m.contains("(os error"), "{m}"),
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(matches!(w.check_write(), Err(StreamFailure::Closed)));
        assert!(matches!(w.write(b"y"), Err(StreamFailure::Closed)));
        // A second write before the first is collected breaks the protocol.
        let mut w = FileOutput::new(f, OutputMode::Position(0));
        w.write(b"x").unwrap();
        assert!(matches!(w.write(b"y"), Err(StreamFailure::Trap(_))));
        let _ = std::fs::remove_dir_all(dir);
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
            Err(kiln_wasi_kernel::error::ErrorCode::IllegalByteSequence),
            entry("b"),
        ]);
        assert_eq!(s.next_entry().unwrap().unwrap().name, "a");
        assert_eq!(s.next_entry(), Err(ErrorCode::IllegalByteSequence));
        assert_eq!(s.next_entry().unwrap().unwrap().name, "b");
        assert_eq!(s.next_entry(), Ok(None));
    }
}
