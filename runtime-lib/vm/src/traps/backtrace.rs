//! Wasm backtraces: a frame-pointer walk from the faulting context, mapped
//! to (module, function, wasm offset), printed as Wasmtime prints a
//! `WasmBacktrace`.
//!
//! Phase: inside the trap handler (no allocation, no locks). Inputs: the
//! faulting pc and frame pointer, the [`super::registry`] and each
//! function's source-location table. Output: up to [`MAX_FRAMES`] frames
//! (Wasmtime's default `wasm_backtrace_max_frames`), innermost first.
//!
//! Walk: compiled code keeps frame pointers, so at any trap site `fp` points
//! at `[saved fp, return address]` (s390x: the back chain, [`RET_OFFSET`]). Frame 0 is the faulting pc (looked up
//! exactly); every further frame is a return address, looked up at `pc - 1`
//! (the call instruction), as Wasmtime does; the compiler keeps source-map
//! entries exactly for these two kinds of lookup (`kiln_abi::tables`), and
//! each is a linear scan of one function's map. A return address outside
//! compiled wasm code (the array-call trampoline that entered wasm) ends an
//! activation: if the host that entered it was itself called from wasm
//! (a component's host function calling the guest's `realloc`), the walk
//! follows the host frames down to that wasm caller and goes on, as
//! Wasmtime's backtraces span every activation; past the outermost
//! activation, at a frame pointer outside the wasm stack range, or at
//! [`MAX_FRAMES`], it stops. A pc in code the compiler inlined (its
//! source location names an entry of the module's inlined-frames table)
//! stands for several frames: each inlined callee's, innermost first, then
//! that of the function holding the code, as if the calls had been made.
//!
//! Format (`WasmBacktrace`'s `Display`): a header line, then one line per
//! frame `  {i:>3}: {offset:#8x} - {module}!{function}` joined by newlines
//! (no trailing one); `<unknown>` for a module without a name,
//! `<wasm function N>` for a function without one; the offset part is left
//! out when the function has no source location for the pc. With
//! `WASMTIME_BACKTRACE_DETAILS=1`, a frame whose offset the module's DWARF
//! names (`Module::debug_symbols`, present when the program was built
//! with that variable set) shows those symbols instead of
//! `{module}!{function}`: each function with its `at file:line:column`,
//! inlined ones first, as Wasmtime shows them; otherwise a module with
//! DWARF adds Wasmtime's note about the variable.

use crate::descriptor::{Module, wasm_offset_at};
use kiln_abi::tables::{inlined_entry, inlined_frames};
use std::cell::Cell;
use std::fmt;

/// Most frames captured (Wasmtime's default).
pub const MAX_FRAMES: usize = 20;

/// One wasm frame.
#[derive(Copy, Clone, Debug)]
pub struct Frame {
    /// The frame's module.
    pub module: &'static Module,
    /// Function index (imports included).
    pub func: u32,
    /// Offset of the wasm instruction in the module binary, if known.
    pub wasm_offset: Option<u32>,
}

/// Where a code address lies: the frame of the function holding the code
/// and, when the code was inlined there, the inlined callees' frames.
#[derive(Copy, Clone, Debug)]
struct Location {
    /// The frame of the function the code is part of.
    frame: Frame,
    /// `(function, offset)` pairs of the inlined callees, outermost first
    /// (`ModuleDescriptor::inlined`).
    inlined: &'static [u32],
}

/// `offset` unless it is `NO_INDEX`.
fn known(offset: u32) -> Option<u32> {
    (offset != kiln_abi::descriptor::NO_INDEX).then_some(offset)
}

impl Location {
    /// The location of code address `pc`; `exact` for the faulting pc
    /// itself, otherwise `pc` is a return address and `pc - 1` is looked up.
    fn at(pc: usize, exact: bool) -> Option<Location> {
        let lookup = if exact { pc } else { pc.checked_sub(1)? };
        let (module, func, offset) = super::registry::lookup_code(lookup)?;
        let frame = |wasm_offset| Frame {
            module,
            func,
            wasm_offset,
        };
        let wasm_offset = wasm_offset_at(module.srclocs(func), offset);
        Some(match wasm_offset.and_then(inlined_entry) {
            Some(at) => match inlined_frames(module.inlined, at) {
                Some((outer, inlined)) => Location {
                    frame: frame(known(outer)),
                    inlined,
                },
                None => Location {
                    frame: frame(None),
                    inlined: &[],
                },
            },
            None => Location {
                frame: frame(wasm_offset),
                inlined: &[],
            },
        })
    }

    /// Stores this location's frames, innermost first, from `frames[n]`
    /// on; returns the new count. Wasmtime does not inline, so an inlined
    /// callee gets the frame its call would have had.
    fn store(&self, frames: &mut [Option<Frame>; MAX_FRAMES], mut n: usize) -> usize {
        for pair in self.inlined.rchunks_exact(2) {
            if n == MAX_FRAMES {
                return n;
            }
            frames[n] = Some(Frame {
                module: self.frame.module,
                func: pair[0],
                wasm_offset: known(pair[1]),
            });
            n += 1;
        }
        if n < MAX_FRAMES {
            frames[n] = Some(self.frame);
            n += 1;
        }
        n
    }
}

thread_local! {
    /// Bounds `[lo, hi)` of this thread's stack that wasm frames live on:
    /// set when the host enters wasm on this thread, used to reject garbage
    /// frame pointers. Per thread (wasi-threads run wasm on several stacks
    /// at once), const-initialised and without a destructor, so the trap
    /// handler reads it without allocating or locking.
    static WASM_STACK: Cell<(usize, usize)> = const { Cell::new((0, usize::MAX)) };
}

thread_local! {
    /// Calls from the host into wasm active on this thread (each runs in
    /// its own activation: wasm frames between a host frame that called
    /// the array-call trampoline and a return into host code). Const and
    /// without a destructor, for the trap handler.
    static ACTIVATIONS: Cell<usize> = const { Cell::new(0) };
}

thread_local! {
    /// The activation number (1 = the outermost) of the innermost guest
    /// task the component runtime started on its own (an async call's
    /// callee, a callback), 0 if none: a backtrace ends with that task's
    /// frames, as Wasmtime's does (it runs such tasks on fibers of their
    /// own). Const and without a destructor, for the trap handler.
    static TASK_ACTIVATION: Cell<usize> = const { Cell::new(0) };
}

/// A guest task started by the runtime, its frames the last a backtrace
/// shows while it runs (see [`enter_task`]).
#[derive(Debug)]
pub struct TaskBoundary(usize);

/// Makes the next activation entered on this thread a task's first: until
/// the result is dropped, backtraces end at its frames instead of going on
/// into the code that (through the runtime) started it.
pub fn enter_task() -> TaskBoundary {
    let next = ACTIVATIONS.with(Cell::get) + 1;
    TaskBoundary(TASK_ACTIVATION.with(|t| t.replace(next)))
}

impl Drop for TaskBoundary {
    fn drop(&mut self) {
        TASK_ACTIVATION.with(|t| t.set(self.0));
    }
}

/// A call from the host into wasm, counted while it runs (see [`walk`]).
#[derive(Debug)]
pub struct Activation(());

/// Counts a call from the host into wasm until the result is dropped.
pub fn enter_activation() -> Activation {
    ACTIVATIONS.with(|a| a.set(a.get() + 1));
    Activation(())
}

impl Drop for Activation {
    fn drop(&mut self) {
        ACTIVATIONS.with(|a| a.set(a.get().saturating_sub(1)));
    }
}

/// The number of active [`Activation`]s, for [`restore_activations`].
pub fn activations() -> usize {
    ACTIVATIONS.with(Cell::get)
}

/// Resets the count after a trap unwound past activations without
/// dropping them (embedding: [`super::catch::catch_traps`]).
pub fn restore_activations(n: usize) {
    ACTIVATIONS.with(|a| a.set(n));
}

/// Records the stack range `[lo, hi)` in which this thread's wasm frame
/// pointers lie.
pub fn set_wasm_stack(lo: usize, hi: usize) {
    WASM_STACK.with(|s| s.set((lo, hi)));
}

/// Where a frame record keeps the return address, in bytes from the frame
/// pointer; the caller's frame pointer is always at the frame pointer
/// itself. s390x has no frame record: Cranelift (and LLVM with the
/// `backchain` feature) stores the stack pointer at function entry in the
/// lowest word of the frame (the back chain), and the walk's "frame
/// pointer" is that entry value (as Wasmtime's): the caller's own back chain
/// is at `fp`, and the return address (`%r14`) at `fp + 112`, its slot in
/// the 160-byte register save area the caller provided.
pub const RET_OFFSET: usize = if cfg!(target_arch = "s390x") { 112 } else { 8 };

/// Reads the `[saved fp, return address]` pair of the frame whose frame
/// pointer is `fp` if `fp` is plausible: aligned and inside the wasm stack
/// range.
fn frame_record(fp: usize) -> Option<(usize, usize)> {
    let (lo, hi) = WASM_STACK.with(Cell::get);
    let aligned = fp.is_multiple_of(std::mem::align_of::<usize>());
    if fp == 0 || !aligned || fp < lo || fp.saturating_add(RET_OFFSET + 8) > hi {
        return None;
    }
    // SAFETY: `fp` is an aligned address inside the stack the wasm entry
    // recorded (mapped, readable), and so is `fp + RET_OFFSET`.
    unsafe {
        let p = fp as *const usize;
        Some((p.read(), p.byte_add(RET_OFFSET).read()))
    }
}

/// Reads the `[saved fp, return address]` pair of a *host* (Rust, LLVM-
/// compiled) frame whose frame pointer is `fp`. Compiled wasm frames keep
/// the pair at `fp` on every architecture (Cranelift's layout); LLVM does
/// the same on x86_64, aarch64 and s390x (the runtime is built with the
/// back chain there), but on riscv64 its frame pointer is the frame's top
/// (the caller's stack pointer) and the pair sits just below it, at
/// `fp - 16`.
fn host_frame_record(fp: usize) -> Option<(usize, usize)> {
    if cfg!(target_arch = "riscv64") {
        frame_record(fp.checked_sub(16)?)
    } else {
        frame_record(fp)
    }
}

/// Most host frames searched between two wasm frames (from a host
/// function back to the wasm code that called it) before giving up.
const MAX_HOST_FRAMES: usize = 64;

/// Follows frames up from the frame record at `fp` to the first return
/// address into compiled wasm code: that wasm frame and its frame pointer.
/// `compiled`: whether the frame at `fp` is the compiler's (a trampoline)
/// rather than the runtime's. On riscv64 the two keep their frame records
/// in different places, so each step reads the record where the frame's
/// own code put it: a frame belongs to the code its caller's return
/// address points into, and the bounds of the compiler's code are known
/// ([`super::registry::is_compiled_code`]).
fn find_wasm_caller(mut fp: usize, mut compiled: bool) -> Option<(Location, usize)> {
    for _ in 0..MAX_HOST_FRAMES {
        let (next_fp, ret) = if compiled {
            frame_record(fp)?
        } else {
            host_frame_record(fp)?
        };
        if let Some(location) = Location::at(ret, false) {
            return Some((location, next_fp));
        }
        if next_fp <= fp {
            return None;
        }
        compiled = super::registry::is_compiled_code(ret);
        if !compiled && !kiln_platform::stack::HOST_FRAMES_CHAIN {
            // Host frames that do not chain (Windows): the OS unwinder
            // crosses them, from the return into them.
            return cross_host_frames(ret, fp + FRAME_RECORD_BYTES, next_fp);
        }
        fp = next_fp;
    }
    None
}

/// Bytes of a compiled frame's record (saved frame pointer, return
/// address): the stack pointer after its function returns is its frame
/// pointer plus this.
const FRAME_RECORD_BYTES: usize = 2 * std::mem::size_of::<usize>();

/// [`find_wasm_caller`] where host frames do not chain through the frame
/// pointer (`kiln_platform::stack::HOST_FRAMES_CHAIN`): from a return into
/// host code at `pc` (stack pointer `sp`, frame pointer `fp` there), the
/// OS unwinder finds the compiled code below; the frame-pointer chain
/// goes on from there.
fn cross_host_frames(pc: usize, sp: usize, fp: usize) -> Option<(Location, usize)> {
    // SAFETY: `(pc, sp, fp)` come from a compiled frame's record on this
    // thread's live stack: the host frame it returns into.
    let (pc, fp) = unsafe {
        kiln_platform::stack::unwind_host_frames(
            Some((pc, sp, fp)),
            &super::registry::is_compiled_code,
        )?
    };
    compiled_caller(pc, fp)
}

/// The wasm frame at the compiled-code address `pc` with frame pointer
/// `fp`, or (a trampoline's) the first wasm caller along its chain.
fn compiled_caller(pc: usize, fp: usize) -> Option<(Location, usize)> {
    match Location::at(pc, false) {
        Some(location) => Some((location, fp)),
        None => find_wasm_caller(fp, true),
    }
}

/// Continues a walk: `frames[..n]` are captured, `fp` is the frame pointer
/// of the innermost captured frame's caller chain. Returns the new count.
///
/// A return address into host code ends an activation (the host called
/// wasm there). When the host was itself called from wasm (a component's
/// host function lowering into a guest `realloc`, a host call's callee
/// calling back), the walk crosses the host frames to the wasm code below,
/// as Wasmtime's backtraces cover every activation; it crosses at most
/// `ACTIVATIONS - 1` such gaps, so it never wanders past the outermost
/// activation into frames of code built without frame pointers, and none
/// below the activation of a task the runtime started ([`enter_task`]).
fn walk(mut fp: usize, frames: &mut [Option<Frame>; MAX_FRAMES], mut n: usize) -> usize {
    let first = TASK_ACTIVATION.with(Cell::get).max(1);
    let mut gaps = ACTIVATIONS.with(Cell::get).saturating_sub(first);
    while n < MAX_FRAMES {
        let Some((next_fp, ret)) = frame_record(fp) else {
            break;
        };
        let (location, frame_fp) = match Location::at(ret, false) {
            Some(location) => (location, next_fp),
            None if gaps > 0 && next_fp > fp => {
                gaps -= 1;
                // The caller is the array-call trampoline that entered
                // wasm: the compiler's frame.
                let compiled = super::registry::is_compiled_code(ret);
                let found = if compiled || kiln_platform::stack::HOST_FRAMES_CHAIN {
                    find_wasm_caller(next_fp, compiled)
                } else {
                    cross_host_frames(ret, fp + FRAME_RECORD_BYTES, next_fp)
                };
                let Some(found) = found else {
                    break;
                };
                found
            }
            None => break,
        };
        n = location.store(frames, n);
        // Frames grow downwards: the caller's frame is strictly above.
        if frame_fp <= fp {
            break;
        }
        fp = frame_fp;
    }
    n
}

/// Captures the backtrace of a trap at `pc` with frame pointer `fp` into
/// `frames`; returns how many were captured. `ret`: the return address of
/// a trap before its function's frame exists (s390x's prologue stack
/// check: still in the link register), `fp` then being the caller's.
///
/// # Safety
/// `fp` must be the frame pointer of the faulting context whose pc is `pc`
/// (or of its caller, with `ret`), with `pc` inside compiled wasm code.
pub unsafe fn capture(
    pc: usize,
    fp: usize,
    ret: Option<usize>,
    frames: &mut [Option<Frame>; MAX_FRAMES],
) -> usize {
    let Some(first) = Location::at(pc, true) else {
        return 0;
    };
    let mut n = first.store(frames, 0);
    if let Some(ret) = ret {
        match Location::at(ret, false) {
            Some(location) => n = location.store(frames, n),
            None => return n,
        }
    }
    walk(fp, frames, n)
}

/// The frame pointer register of the caller of this (inlined) function.
#[inline(always)]
fn current_fp() -> usize {
    let fp: usize;
    // SAFETY: reading a register.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        std::arch::asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags));
        #[cfg(target_arch = "aarch64")]
        std::arch::asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags));
        #[cfg(target_arch = "riscv64")]
        std::arch::asm!("mv {}, s0", out(reg) fp, options(nomem, nostack, preserves_flags));
        // The back chain: this frame's entry stack pointer (see
        // `RET_OFFSET`); the runtime is built with `+backchain`.
        #[cfg(target_arch = "s390x")]
        std::arch::asm!("lg {}, 0(%r15)", out(reg) fp, options(readonly, nostack, preserves_flags));
    }
    fp
}

/// Captures the wasm frames below a host function running now (called from
/// compiled code through a host-call trampoline): follows the frame-pointer
/// chain from the current frame to the first return address into compiled
/// wasm code, which becomes frame 0 (looked up at `pc - 1`), then walks on.
///
/// NB: this needs frame pointers in the runtime's own frames between here
/// and the trampoline (`-C force-frame-pointers=yes`); without them the
/// chain breaks early, the search fails the stack-range checks, and the
/// result is simply empty.
///
/// A thread that is not inside wasm has no wasm frames: nothing is walked
/// (before its first entry the stack range is unknown, so a garbage frame
/// pointer in a frame of code built without frame pointers, e.g. std's,
/// could not be rejected).
pub fn capture_from_host(frames: &mut [Option<Frame>; MAX_FRAMES]) -> usize {
    if !crate::stack::in_wasm() {
        return 0;
    }
    let found = if kiln_platform::stack::HOST_FRAMES_CHAIN {
        find_wasm_caller(current_fp(), false)
    } else {
        // SAFETY: from this function's own frame.
        let caller = unsafe {
            kiln_platform::stack::unwind_host_frames(None, &super::registry::is_compiled_code)
        };
        caller.and_then(|(pc, fp)| compiled_caller(pc, fp))
    };
    let Some((first, fp)) = found else {
        return 0;
    };
    let n = first.store(frames, 0);
    walk(fp, frames, n)
}

/// `WasmBacktrace`'s `Display`.
pub struct Backtrace<'a> {
    /// Frames, innermost first.
    pub frames: &'a [Option<Frame>],
}

/// Whether the report gives the frames' source locations: Wasmtime's CLI
/// does when `WASMTIME_BACKTRACE_DETAILS` is `1` (read here, when a
/// report is written, not at start-up).
fn details_requested() -> bool {
    std::env::var_os(kiln_abi::debug_symbols::DETAILS_ENV).is_some_and(|v| v == "1")
}

impl fmt::Display for Backtrace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error while executing at wasm backtrace:")?;
        let details = details_requested();
        let mut note = false;
        for (i, frame) in self.frames.iter().flatten().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {i:>3}: ")?;
            if let Some(offset) = frame.wasm_offset {
                write!(f, "{offset:#8x} - ")?;
            }
            let symbols = match frame.wasm_offset {
                Some(offset) if details => frame.module.debug_symbols(offset),
                _ => kiln_abi::debug_symbols::lookup(&[], 0),
            };
            let shown = write_symbols(f, frame, symbols)?;
            if !shown {
                f.write_str(frame.module.name().unwrap_or("<unknown>"))?;
                f.write_str("!")?;
                write_func_name(f, frame)?;
            }
            // The note unless the details are there: also when the variable
            // is set now but was not when the program was built (no table).
            note |= frame.module.has_unparsed_debuginfo()
                && !(details && frame.module.has_debug_symbols());
        }
        if note {
            write!(
                f,
                "\nnote: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more debugging information"
            )?;
        }
        Ok(())
    }
}

/// The frame's function as the name section names it.
fn write_func_name(f: &mut fmt::Formatter<'_>, frame: &Frame) -> fmt::Result {
    match frame.module.func_name(frame.func) {
        Some(name) => f.write_str(name),
        None => write!(f, "<wasm function {}>", frame.func),
    }
}

/// A frame's DWARF symbols as Wasmtime prints them (each name, then its
/// `at file:line:column` on a line of its own; the inlined callers after
/// it, each on a line starting with ` - `); whether there were any.
fn write_symbols(
    f: &mut fmt::Formatter<'_>,
    frame: &Frame,
    symbols: kiln_abi::debug_symbols::Symbols<'_>,
) -> Result<bool, fmt::Error> {
    let mut any = false;
    for (i, symbol) in symbols.enumerate() {
        any = true;
        if i > 0 {
            write!(f, "\n                - ")?;
        }
        match symbol.name {
            Some(name) => f.write_str(name)?,
            None if i == 0 => write_func_name(f, frame)?,
            None => f.write_str("<inlined function>")?,
        }
        if let Some(file) = symbol.file {
            write!(f, "\n                    at {file}")?;
            if let Some(line) = symbol.line {
                write!(f, ":{line}")?;
                if let Some(column) = symbol.column {
                    write!(f, ":{column}")?;
                }
            }
        }
    }
    Ok(any)
}
