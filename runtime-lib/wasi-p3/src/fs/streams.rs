//! The stream methods of `wasi:filesystem/types@0.3.descriptor`:
//! `read-via-stream`, `write-via-stream`, `append-via-stream` and
//! `read-directory`.
//!
//! Phase: run time (lowered-import entries, called by the trampolines
//! directly, like `wasi:cli`'s stdio streams in `super::super`). Inputs:
//! the slots of a sync lowering (a borrowed descriptor handle, a stream
//! handle, an offset, a return pointer). Outputs: a host stream end
//! (`FileSource`) or sink (`FileSink`) on the descriptor's file,
//! through the kernel's positioned reads and writes, and the
//! `future<result<_, error-code>>` each method returns.
//!
//! Invariants: a regular file is always ready, so sources and sinks
//! never report BLOCKED; an I/O error ends the stream and resolves the
//! future with its `error-code`, the stream's end (or the guest's drop of
//! its end) resolves it `ok`, always on the event loop's next turn, as
//! Wasmtime 49's host task does (`HostSink::finish_later`,
//! `HostSource::finish_later`).
//! A directory (or any non-file) makes the stream end at once with the
//! future `err(is-directory)` (read) / `err(bad-descriptor)` (write), the
//! 0.2 methods' codes; such an error known at the call (and
//! `read-directory`'s on a file or an unreadable directory) resolves the
//! future on the event loop's next turn, as Wasmtime 49's host task does
//! (a guest awaiting it waits once, then gets the error rather than a
//! deadlock; `P3Cx::write_future_later`). Each future
//! is written exactly once: a source or sink whose future was resolved
//! early holds `None`.

use super::Descriptor3Res;
use super::types::{DescriptorType, DirectoryEntry, ErrorCode};
use kiln_abi::component::{CanonOpts, Type, TypeDef, TypeIndex};
use kiln_canon::p3::{HostSink, HostSource, SinkWrite, SourceRead};
use kiln_canon::{ComponentRuntime, ComponentType, Host, Resource, Trap};
use kiln_wasi_kernel::error::ErrorCode as KernelError;
use kiln_wasi_kernel::fs;
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::fs::Descriptor;
use kiln_wasi_p2::fs::streams::{DirEntryStream, OutputMode};
use kiln_wasi_p2::fs::types::ErrorCode as P2Error;
use kiln_wasi_p2::table::Describe;
use std::sync::Arc;

/// `read-via-stream`'s entry and type.
pub const READ_VIA_STREAM: (kiln_abi::component::LoweredHostFn, Describe) =
    (read_via_stream, DESCRIBE_READ);
/// `write-via-stream`'s entry and type.
pub const WRITE_VIA_STREAM: (kiln_abi::component::LoweredHostFn, Describe) =
    (write_via_stream, DESCRIBE_WRITE);
/// `append-via-stream`'s entry and type.
pub const APPEND_VIA_STREAM: (kiln_abi::component::LoweredHostFn, Describe) =
    (append_via_stream, DESCRIBE_APPEND);
/// `read-directory`'s entry and type.
pub const READ_DIRECTORY: (kiln_abi::component::LoweredHostFn, Describe) =
    (read_directory, DESCRIBE_READ_DIRECTORY);

/// Size and alignment of `result<_, error-code>`.
const RESULT_LAYOUT: (u32, u32) = (
    <Result<(), ErrorCode> as ComponentType>::SIZE32,
    <Result<(), ErrorCode> as ComponentType>::ALIGN32,
);

/// The bytes of a host-written `result<_, error-code>`: `ok`, or `err`
/// with a payload-free case (discriminant, then the case at the payload's
/// aligned offset).
fn result_bytes(r: Result<(), ErrorCode>) -> Vec<u8> {
    let mut v = vec![0; RESULT_LAYOUT.0 as usize];
    if let Err(e) = r {
        v[0] = 1;
        v[RESULT_LAYOUT.1 as usize] = e.case();
    }
    v
}

/// The `error-code` of a failed kernel read or write: by errno, as the
/// kernel classifies every host error (by kind when there is none).
fn io_code(e: &std::io::Error) -> ErrorCode {
    let e = match e.raw_os_error() {
        Some(n) => std::io::Error::from_raw_os_error(n),
        None => std::io::Error::from(e.kind()),
    };
    ErrorCode::from(P2Error::from(KernelError::from(e)))
}

/// A file as the writable end of the guest's read stream.
struct FileSource {
    file: Option<Arc<fs::File>>,
    position: u64,
    /// The result future (channel); `None` once written.
    future: Option<u32>,
    /// The outcome the future reports when the stream ends.
    outcome: Result<(), ErrorCode>,
}

impl HostSource for FileSource {
    fn read(&mut self, _host: &mut dyn Host, buf: &mut [u8]) -> Result<SourceRead, Trap> {
        let Some(file) = &self.file else {
            return Ok(SourceRead::End);
        };
        if buf.is_empty() {
            return Ok(SourceRead::Data(0));
        }
        loop {
            return match file.read_at_os(buf, self.position) {
                Ok(0) => Ok(SourceRead::End),
                Ok(n) => {
                    self.position += n as u64;
                    Ok(SourceRead::Data(n))
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.outcome = Err(io_code(&e));
                    Ok(SourceRead::End)
                }
            };
        }
    }

    fn closed(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let future = self.future.take()?;
        Some((future, result_bytes(self.outcome.clone()).into()))
    }

    fn ended(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let future = self.future.take()?;
        Some((future, result_bytes(self.outcome.clone()).into()))
    }

    fn finish_later(&self) -> bool {
        // As Wasmtime 49: its host task that feeds the stream resolves the
        // future, so a guest awaiting it after the stream's end waits.
        true
    }
}

/// A file as the readable end of the guest's write stream.
struct FileSink {
    file: Option<Arc<fs::File>>,
    mode: OutputMode,
    /// The result future (channel); `None` once written.
    future: Option<u32>,
}

impl HostSink for FileSink {
    fn write(&mut self, _host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap> {
        let Some(file) = &self.file else {
            let bytes = result_bytes(Err(ErrorCode::BadDescriptor));
            return Ok(SinkWrite::Closed(
                self.future.take().map(|f| (f, bytes.into())),
            ));
        };
        let mut done = 0;
        while done < data.len() {
            let n = match self.mode {
                OutputMode::Position(p) => file.write_at_os(&data[done..], p),
                OutputMode::Append => file.append_os(&data[done..]),
            };
            match n {
                Ok(0) => {
                    let bytes = result_bytes(Err(ErrorCode::Io));
                    return Ok(SinkWrite::Closed(
                        self.future.take().map(|f| (f, bytes.into())),
                    ));
                }
                Ok(n) => {
                    done += n;
                    if let OutputMode::Position(p) = &mut self.mode {
                        *p += n as u64;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let bytes = result_bytes(Err(io_code(&e)));
                    return Ok(SinkWrite::Closed(
                        self.future.take().map(|f| (f, bytes.into())),
                    ));
                }
            }
        }
        Ok(SinkWrite::Wrote(data.len()))
    }

    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let r = if self.file.is_some() {
            Ok(())
        } else {
            Err(ErrorCode::BadDescriptor)
        };
        Some((self.future.take()?, result_bytes(r).into()))
    }

    fn finish_later(&self) -> bool {
        // As Wasmtime 49: the stream's end resolves the future from the
        // host task that wrote the file, not in the guest's drop.
        true
    }
}

/// The parameter and result types of the lowered function of `opts`.
fn func_types(rt: &ComponentRuntime, opts: &CanonOpts) -> (Vec<u32>, Option<u32>) {
    match rt.component.func_type(opts.func_type) {
        Some((p, r)) => (p.to_vec(), r.first().copied()),
        None => (Vec::new(), None),
    }
}

/// The file behind borrowed descriptor handle `h` of the calling
/// instance (`None` for a directory); an unknown handle traps.
fn file_of(rt: &ComponentRuntime, opts: &CanonOpts, h: u32) -> Result<Option<Arc<fs::File>>, Trap> {
    let rep = borrowed_rep(rt, opts, h)?;
    kiln_wasi_p2::with_host(rt, |host: &mut P2Host| match host.fs.descriptors.get(rep) {
        Some(Descriptor::File(f)) => Ok(Some(f.clone())),
        Some(Descriptor::Dir(_)) => Ok(None),
        None => Err(kiln_canon::trap::trap("unknown descriptor")),
    })
}

/// The rep of borrowed descriptor handle `h` of the calling instance;
/// the borrow ends before this returns (what the callers need is cloned
/// out of the object behind it).
fn borrowed_rep(rt: &ComponentRuntime, opts: &CanonOpts, h: u32) -> Result<u32, Trap> {
    // Type the handle by this import's own resource types.
    rt.prepare_host_call(opts)?;
    rt.with_instance(opts.component_instance, |i| {
        i.enter_call();
        let rep = i.lift_borrow(Descriptor3Res::TYPE, h);
        i.exit_call()?;
        rep
    })
}

/// `read-via-stream(offset) -> tuple<stream<u8>, future<result<_,
/// error-code>>>`: slots `[self, offset, retptr]`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn read_via_stream(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        super::super::entry(opts, slots, n, |rt, opts, slots| {
            let inst = opts.component_instance;
            let file = file_of(rt, opts, slots[0] as u32)?;
            let (offset, ptr) = (slots[1], slots[2] as u32);
            let (_, result) = func_types(rt, opts);
            let (stream_ty, future_ty) = tuple_types(rt, result);
            let outcome = match file {
                Some(_) => Ok(()),
                None => Err(ErrorCode::IsDirectory),
            };
            let (sh, fh) = rt.with_p3(|cx| {
                let future = cx.new_channel(true, future_ty, RESULT_LAYOUT);
                let source = FileSource {
                    file,
                    position: offset,
                    future: outcome.is_ok().then_some(future),
                    outcome: outcome.clone(),
                };
                let (_, sh) = cx.host_stream(inst, stream_ty, (1, 1), Box::new(source))?;
                let fh = cx.guest_readable(inst, future)?;
                if outcome.is_err() {
                    cx.write_future_later(future, result_bytes(outcome))?;
                }
                Ok((sh, fh))
            })?;
            super::super::store_pair(opts, ptr, sh, fh)
        })
    }
}

/// The two element types of a result tuple type.
fn tuple_types(rt: &ComponentRuntime, result: Option<u32>) -> (u32, u32) {
    match result.and_then(|r| rt.component.types().get(TypeIndex(r))) {
        Some(Type::Tuple(ch)) => {
            let mut it = ch.iter().map(|c| c.ty.map_or(u32::MAX, |t| t.0));
            (it.next().unwrap_or(u32::MAX), it.next().unwrap_or(u32::MAX))
        }
        _ => (u32::MAX, u32::MAX),
    }
}

/// A write stream into the file behind `slots[0]`: takes the guest's
/// readable end `slots[1]` and returns the result future in slot 0.
fn write_stream(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    slots: &mut [u64],
    mode: OutputMode,
) -> Result<(), Trap> {
    let inst = opts.component_instance;
    let file = file_of(rt, opts, slots[0] as u32)?;
    let (params, result) = func_types(rt, opts);
    let stream_ty = params.get(1).copied().unwrap_or(u32::MAX);
    let h = slots[1] as u32;
    let fh = rt.with_p3(|cx| {
        let future = cx.new_channel(true, result.unwrap_or(u32::MAX), RESULT_LAYOUT);
        let is_file = file.is_some();
        let sink = FileSink {
            file,
            mode,
            future: is_file.then_some(future),
        };
        // The future is the guest's first: a stream already ended
        // finishes the sink inside `take_readable`.
        let fh = cx.guest_readable(inst, future)?;
        cx.take_readable(inst, h, stream_ty, Box::new(sink))?;
        if !is_file {
            cx.write_future_later(future, result_bytes(Err(ErrorCode::BadDescriptor)))?;
        }
        Ok(fh)
    })?;
    slots[0] = u64::from(fh);
    Ok(())
}

/// `write-via-stream(data, offset) -> future<result<_, error-code>>`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn write_via_stream(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        super::super::entry(opts, slots, n, |rt, opts, slots| {
            let offset = slots[2];
            write_stream(rt, opts, slots, OutputMode::Position(offset))
        })
    }
}

/// `append-via-stream(data) -> future<result<_, error-code>>`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn append_via_stream(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        super::super::entry(opts, slots, n, |rt, opts, slots| {
            write_stream(rt, opts, slots, OutputMode::Append)
        })
    }
}

/// Size and alignment of `directory-entry`.
const ENTRY_LAYOUT: (u32, u32) = (DirectoryEntry::SIZE32, DirectoryEntry::ALIGN32);

/// Byte offset of `directory-entry.name` (after `type`, at the string's
/// alignment of 4).
const NAME_OFFSET: u32 = DescriptorType::SIZE32.next_multiple_of(4);

/// A directory's entries as the writable end of the guest's
/// `stream<directory-entry>`: the host directory stream is opened when the
/// stream is made and read as the guest reads (as Wasmtime's 0.3
/// `read-directory` reads, unlike its 0.2 one), each element is laid out here
/// and its name handed to the read built-in, which allocates it with the
/// guest's `realloc` (`SourceRead::DataWithStrings`).
struct DirSource {
    /// `None` once done.
    entries: Option<DirEntryStream>,
    /// The result future (channel); `None` once written.
    future: Option<u32>,
    /// The outcome the future reports when the stream ends.
    outcome: Result<(), ErrorCode>,
}

impl HostSource for DirSource {
    fn read(&mut self, _host: &mut dyn Host, buf: &mut [u8]) -> Result<SourceRead, Trap> {
        let Some(entries) = &mut self.entries else {
            return Ok(SourceRead::End);
        };
        let size = ENTRY_LAYOUT.0 as usize;
        let mut names = Vec::new();
        let mut n = 0;
        while (n + 1) * size <= buf.len() {
            match entries.next_entry() {
                Ok(Some(e)) => {
                    let e = DirectoryEntry::from(e);
                    let elem = &mut buf[n * size..(n + 1) * size];
                    elem.fill(0);
                    elem[0] = e.r#type.case();
                    names.push(((n * size) as u32 + NAME_OFFSET, e.name));
                    n += 1;
                }
                Ok(None) => {
                    self.entries = None;
                    break;
                }
                Err(err) => {
                    self.outcome = Err(ErrorCode::from(err));
                    self.entries = None;
                    break;
                }
            }
        }
        if n == 0 && self.entries.is_none() {
            return Ok(SourceRead::End);
        }
        Ok(SourceRead::DataWithStrings(n * size, names))
    }

    fn closed(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let future = self.future.take()?;
        Some((future, result_bytes(self.outcome.clone()).into()))
    }

    fn ended(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let future = self.future.take()?;
        Some((future, result_bytes(self.outcome.clone()).into()))
    }

    fn finish_later(&self) -> bool {
        // As Wasmtime 49: its host task that feeds the stream resolves the
        // future, so a guest awaiting it after the stream's end waits.
        true
    }
}

/// `read-directory() -> tuple<stream<directory-entry>, future<result<_,
/// error-code>>>`: slots `[self, retptr]`. A file ends the stream at once
/// with the future `err(not-directory)`, as the 0.2 method fails.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn read_directory(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        super::super::entry(opts, slots, n, |rt, opts, slots| {
            let inst = opts.component_instance;
            let rep = borrowed_rep(rt, opts, slots[0] as u32)?;
            let ptr = slots[1] as u32;
            let listed = kiln_wasi_p2::with_host(rt, |host: &mut P2Host| {
                match host.fs.descriptors.get(rep) {
                    Some(Descriptor::Dir(d)) => Ok(d
                        .read_dir_lazy()
                        .map(DirEntryStream::lazy)
                        .map_err(|e| ErrorCode::from(P2Error::from(e)))),
                    Some(Descriptor::File(_)) => Ok(Err(ErrorCode::NotDirectory)),
                    None => Err(kiln_canon::trap::trap("unknown descriptor")),
                }
            })?;
            let (entries, outcome) = match listed {
                Ok(stream) => (Some(stream), Ok(())),
                Err(e) => (None, Err(e)),
            };
            let (_, result) = func_types(rt, opts);
            let (stream_ty, future_ty) = tuple_types(rt, result);
            let (sh, fh) = rt.with_p3(|cx| {
                let future = cx.new_channel(true, future_ty, RESULT_LAYOUT);
                let source = DirSource {
                    entries,
                    future: outcome.is_ok().then_some(future),
                    outcome: outcome.clone(),
                };
                let (_, sh) = cx.host_stream(inst, stream_ty, ENTRY_LAYOUT, Box::new(source))?;
                let fh = cx.guest_readable(inst, future)?;
                if outcome.is_err() {
                    cx.write_future_later(future, result_bytes(outcome))?;
                }
                Ok((sh, fh))
            })?;
            super::super::store_pair(opts, ptr, sh, fh)
        })
    }
}

/// `borrow<descriptor>`.
fn borrow_desc(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    b.add(TypeDef::Borrow(Descriptor3Res::TYPE.type_operand()))
}

/// `future<result<_, error-code>>`.
fn result_future(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    let r = <Result<(), ErrorCode> as ComponentType>::describe(b)?;
    b.add(TypeDef::Future(Some(r)))
}

/// The type of `read-via-stream`.
const DESCRIBE_READ: Describe = |b| {
    let this = borrow_desc(b)?;
    let u64_ = b.add(TypeDef::U64)?;
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let f = result_future(b)?;
    let params = b.add(TypeDef::Tuple(&[this, u64_]))?;
    Ok((params, b.add(TypeDef::Tuple(&[s, f]))?))
};

/// The type of `write-via-stream`.
const DESCRIBE_WRITE: Describe = |b| {
    let this = borrow_desc(b)?;
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let u64_ = b.add(TypeDef::U64)?;
    let params = b.add(TypeDef::Tuple(&[this, s, u64_]))?;
    Ok((params, result_future(b)?))
};

/// The type of `append-via-stream`.
const DESCRIBE_APPEND: Describe = |b| {
    let this = borrow_desc(b)?;
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let params = b.add(TypeDef::Tuple(&[this, s]))?;
    Ok((params, result_future(b)?))
};

/// The type of `read-directory`.
const DESCRIBE_READ_DIRECTORY: Describe = |b| {
    let this = borrow_desc(b)?;
    let e = <super::types::DirectoryEntry as ComponentType>::describe(b)?;
    let s = b.add(TypeDef::Stream(Some(e)))?;
    let f = result_future(b)?;
    let params = b.add(TypeDef::Tuple(&[this]))?;
    Ok((params, b.add(TypeDef::Tuple(&[s, f]))?))
};

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_canon::fixture::stored;

    /// The hand-laid bytes of host-written futures and directory entries
    /// are what the canonical ABI stores for the same values.
    #[test]
    fn hand_laid_bytes_match_the_canonical_layout() {
        use super::super::types::ErrorCode as E;
        assert_eq!(result_bytes(Ok(())), stored::<Result<(), E>>(&Ok(())));
        for e in [
            E::Access,
            E::Already,
            E::BadDescriptor,
            E::Busy,
            E::Deadlock,
            E::Quota,
            E::Exist,
            E::FileTooLarge,
            E::IllegalByteSequence,
            E::InProgress,
            E::Interrupted,
            E::Invalid,
            E::Io,
            E::IsDirectory,
            E::Loop,
            E::TooManyLinks,
            E::MessageSize,
            E::NameTooLong,
            E::NoDevice,
            E::NoEntry,
            E::NoLock,
            E::InsufficientMemory,
            E::InsufficientSpace,
            E::NotDirectory,
            E::NotEmpty,
            E::NotRecoverable,
            E::Unsupported,
            E::NoTty,
            E::NoSuchDevice,
            E::Overflow,
            E::NotPermitted,
            E::Pipe,
            E::ReadOnly,
            E::InvalidSeek,
            E::TextFileBusy,
            E::CrossDevice,
        ] {
            let want = stored::<Result<(), E>>(&Err(e.clone()));
            assert_eq!(result_bytes(Err(e.clone())), want, "{e:?}");
        }
        use super::super::types::DescriptorType as T;
        for t in [
            T::BlockDevice,
            T::CharacterDevice,
            T::Directory,
            T::Fifo,
            T::SymbolicLink,
            T::RegularFile,
            T::Socket,
            T::Other(None),
        ] {
            let entry = DirectoryEntry {
                r#type: t.clone(),
                name: "abc".into(),
            };
            let want = stored(&entry);
            assert_eq!(want[0], t.case(), "{t:?}");
            // The name is the last field: (pointer, length 3).
            assert_eq!(want.len() as u32, NAME_OFFSET + 8);
            let n = NAME_OFFSET as usize + 4;
            assert_eq!(&want[n..n + 4], &3u32.to_le_bytes());
        }
    }
}
