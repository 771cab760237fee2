//! The trap report, written without allocating.
//!
//! Phase: trap handler, or the runtime reporting an instantiation trap.
//! Inputs: context messages, backtrace frames, the memory fault (wasm
//! address, memory size) for faults inside a linear memory, the trap code.
//! Output: bytes on a file descriptor, through a fixed stack buffer.
//!
//! The chain is Wasmtime's: context messages, then the backtrace (only if it
//! has frames), then `memory fault at wasm address 0x.. in linear memory of
//! size 0x..` (only for faults inside a memory), then `wasm trap: <reason>`,
//! printed by [`crate::errors::write_chain`].

use super::backtrace::{Backtrace, Frame};
use crate::errors::write_chain;
use kiln_abi::trap::TrapCode;
use std::fmt::{self, Display, Write};

/// A `fmt::Write` that buffers on the stack and writes to a file descriptor
/// when full and on [`FdWriter::flush`].
pub struct FdWriter {
    fd: i32,
    buf: [u8; 2048],
    len: usize,
}

impl FdWriter {
    /// A writer to `fd`.
    pub fn new(fd: i32) -> FdWriter {
        FdWriter {
            fd,
            buf: [0; 2048],
            len: 0,
        }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        crate::errors::write_fd(self.fd, &self.buf[..self.len]);
        self.len = 0;
    }
}

impl Write for FdWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut bytes = s.as_bytes();
        while !bytes.is_empty() {
            if self.len == self.buf.len() {
                self.flush();
            }
            let n = bytes.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
            self.len += n;
            bytes = &bytes[n..];
        }
        Ok(())
    }
}

/// `memory fault at wasm address 0x{:x} in linear memory of size 0x{:x}`.
pub struct MemoryFault {
    /// Faulting address relative to the memory's base.
    pub wasm_address: u64,
    /// The memory's size in bytes.
    pub memory_size: u64,
}

impl Display for MemoryFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "memory fault at wasm address 0x{:x} in linear memory of size 0x{:x}",
            self.wasm_address, self.memory_size
        )
    }
}

/// `wasm trap: <reason>`.
pub struct TrapMessage(pub TrapCode);

impl Display for TrapMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.0.message())
    }
}

/// Formats the whole report into `w`.
pub fn format_trap(
    w: &mut dyn Write,
    context: &[String],
    frames: &[Option<Frame>],
    fault: Option<&MemoryFault>,
    code: TrapCode,
) -> fmt::Result {
    const NONE: &str = "";
    let backtrace = Backtrace { frames };
    let trap = TrapMessage(code);
    let mut items: [&dyn Display; 8] = [&NONE; 8];
    let mut n = 0;
    // At most 5 context messages are kept (there are never more than 2).
    for c in context.iter().take(5) {
        items[n] = c;
        n += 1;
    }
    if frames.iter().any(Option::is_some) {
        items[n] = &backtrace;
        n += 1;
    }
    if let Some(fault) = fault {
        items[n] = fault;
        n += 1;
    }
    items[n] = &trap;
    n += 1;
    let (first, causes) = items[..n]
        .split_first()
        .expect("the trap message is always there");
    write_chain(w, *first, causes)
}

/// The longest chain of messages a host error prints (wiggle's
/// `In func ... at convert <ty>: ` context, `Int conversion error: ...` and
/// its `TryFromIntError` cause).
pub const MAX_HOST_MESSAGES: usize = 3;

/// Formats a host error: context, backtrace (if any frames), `messages`
/// (the error's own chain, outermost first; at most [`MAX_HOST_MESSAGES`]
/// are printed).
pub fn format_host_error(
    w: &mut dyn Write,
    context: &[String],
    frames: &[Option<Frame>],
    messages: &[&str],
) -> fmt::Result {
    const NONE: &str = "";
    let backtrace = Backtrace { frames };
    let mut items: [&dyn Display; 7 + MAX_HOST_MESSAGES] = [&NONE; 7 + MAX_HOST_MESSAGES];
    let mut n = 0;
    for c in context.iter().take(6) {
        items[n] = c;
        n += 1;
    }
    if frames.iter().any(Option::is_some) {
        items[n] = &backtrace;
        n += 1;
    }
    for m in messages.iter().take(MAX_HOST_MESSAGES) {
        items[n] = m;
        n += 1;
    }
    let (first, causes) = items[..n]
        .split_first()
        .expect("the context or a message is always there");
    write_chain(w, *first, causes)
}

/// Writes the report to `fd`. `fault` is `Some((wasm address, memory
/// size))` for a fault inside a linear memory.
pub fn write_trap(
    fd: i32,
    context: &[String],
    frames: &[Option<Frame>],
    fault: Option<(u64, u64)>,
    code: TrapCode,
) {
    let fault = fault.map(|(wasm_address, memory_size)| MemoryFault {
        wasm_address,
        memory_size,
    });
    let mut w = FdWriter::new(fd);
    let _ = format_trap(&mut w, context, frames, fault.as_ref(), code);
    w.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::leak_module;

    fn ctx() -> Vec<String> {
        vec![
            "failed to run main module `prog.wasm`".to_string(),
            "failed to invoke command default".to_string(),
        ]
    }

    #[test]
    fn host_error_with_its_own_chain() {
        let mut s = String::new();
        let ptr = "Pointer out of bounds: Region { start: 65532, len: 8 }";
        let context =
            format!("In func wasi_snapshot_preview1::clock_time_get at write timestamp: {ptr}");
        format_host_error(&mut s, &ctx(), &[], &[context.as_str(), ptr]).expect("formats");
        assert_eq!(
            s,
            format!(
                "Error: failed to run main module `prog.wasm`\n\nCaused by:\n    \
                 0: failed to invoke command default\n    1: {context}\n    2: {ptr}\n\n"
            )
        );
    }

    #[test]
    fn host_error_with_three_messages() {
        let mut s = String::new();
        let int = "Int conversion error: TryFromIntError(NegOverflow)";
        let range = "out of range integral type conversion attempted";
        let context = format!("In func wasi_snapshot_preview1::path_open at convert Rights: {int}");
        format_host_error(&mut s, &ctx(), &[], &[context.as_str(), int, range]).expect("formats");
        assert_eq!(
            s,
            format!(
                "Error: failed to run main module `prog.wasm`\n\nCaused by:\n    \
                 0: failed to invoke command default\n    1: {context}\n    2: {int}\n    \
                 3: {range}\n\n"
            )
        );
    }

    #[test]
    fn trap_with_backtrace_matches_wasmtime() {
        let named = leak_module(Some("prog"), &[Some("f"), None]);
        let anon = leak_module(None, &[None, None, None, None]);
        let frames = [
            Some(Frame {
                module: named,
                func: 0,
                wasm_offset: Some(0x1d),
            }),
            Some(Frame {
                module: anon,
                func: 3,
                wasm_offset: Some(0x12a),
            }),
            Some(Frame {
                module: named,
                func: 1,
                wasm_offset: None,
            }),
        ];
        let mut s = String::new();
        format_trap(
            &mut s,
            &ctx(),
            &frames,
            None,
            TrapCode::UnreachableCodeReached,
        )
        .unwrap();
        assert_eq!(
            s,
            "Error: failed to run main module `prog.wasm`\n\
             \n\
             Caused by:\n    \
             0: failed to invoke command default\n    \
             1: error while executing at wasm backtrace:\n    \
             0:     0x1d - prog!f\n    \
             1:    0x12a - <unknown>!<wasm function 3>\n    \
             2: prog!<wasm function 1>\n    \
             2: wasm trap: wasm `unreachable` instruction executed\n\n"
        );
    }

    #[test]
    fn memory_fault_comes_between_backtrace_and_trap() {
        let m = leak_module(None, &[None]);
        let frames = [Some(Frame {
            module: m,
            func: 0,
            wasm_offset: Some(0x30),
        })];
        let fault = MemoryFault {
            wasm_address: 0x10000,
            memory_size: 0x10000,
        };
        let mut s = String::new();
        format_trap(
            &mut s,
            &ctx()[..1],
            &frames,
            Some(&fault),
            TrapCode::MemoryOutOfBounds,
        )
        .unwrap();
        assert_eq!(
            s,
            "Error: failed to run main module `prog.wasm`\n\nCaused by:\n    \
             0: error while executing at wasm backtrace:\n    \
             0:     0x30 - <unknown>!<wasm function 0>\n    \
             1: memory fault at wasm address 0x10000 in linear memory of size 0x10000\n    \
             2: wasm trap: out of bounds memory access\n\n"
        );
    }

    #[test]
    fn modules_with_dwarf_get_the_details_note() {
        let plain = leak_module(Some("m"), &[Some("f")]);
        let mut desc = *plain.desc;
        desc.flags = kiln_abi::descriptor::MODULE_FLAG_UNPARSED_DEBUGINFO;
        // SAFETY: the arrays of a valid hand-built descriptor.
        let m = unsafe { crate::descriptor::Module::new(Box::leak(Box::new(desc))) }.unwrap();
        let m: &'static crate::descriptor::Module = Box::leak(Box::new(m));
        let frames = [Some(Frame {
            module: m,
            func: 0,
            wasm_offset: Some(0x10),
        })];
        let mut s = String::new();
        format_trap(
            &mut s,
            &ctx()[..1],
            &frames,
            None,
            TrapCode::UnreachableCodeReached,
        )
        .unwrap();
        assert_eq!(
            s,
            "Error: failed to run main module `prog.wasm`\n\nCaused by:\n    \
             0: error while executing at wasm backtrace:\n    \
             0:     0x10 - m!f\n\
             note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more debugging information\n    \
             1: wasm trap: wasm `unreachable` instruction executed\n\n"
        );
    }

    #[test]
    fn host_trap_without_frames_has_no_backtrace() {
        let mut s = String::new();
        let context = vec![
            "failed to run main module `a.wasm`".to_string(),
            "failed to instantiate \"a.wasm\"".to_string(),
        ];
        format_trap(&mut s, &context, &[], None, TrapCode::TableOutOfBounds).unwrap();
        assert_eq!(
            s,
            "Error: failed to run main module `a.wasm`\n\nCaused by:\n    \
             0: failed to instantiate \"a.wasm\"\n    \
             1: wasm trap: undefined element: out of bounds table access\n\n"
        );
    }

    /// Through a pipe (Linux only: Windows writes descriptors 1 and 2).
    #[cfg(unix)]
    #[test]
    fn fd_writer_handles_long_output() {
        let mut fds = [0i32; 2];
        // SAFETY: creating a pipe into a valid array.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let long = "x".repeat(5000);
        let mut w = FdWriter::new(fds[1]);
        w.write_str(&long).unwrap();
        w.write_str("end").unwrap();
        w.flush();
        // SAFETY: closing our own descriptor.
        unsafe { libc::close(fds[1]) };
        let mut out = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            // SAFETY: reading into a valid buffer.
            let n = unsafe { libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            out.extend_from_slice(&buf[..n as usize]);
        }
        // SAFETY: closing our own descriptor.
        unsafe { libc::close(fds[0]) };
        assert_eq!(out.len(), 5003);
        assert!(out.ends_with(b"xend"));
    }
}
