//! Machine-code tests of [`translate_numeric`] (test-only).
//!
//! Each operator is wrapped in a tiny SystemV CLIF function
//! `(a: i64, b: i64, p: *const u64) -> i64`, compiled for the host with
//! several ISA flag sets and opt levels, mapped executable and run on edge
//! cases. Operands reach the operator in five shapes: from registers (with
//! garbage in the upper half of 32-bit operands), loaded from memory (load
//! sinking), the same value twice (`x - x`), the right operand as a
//! `*.const` (immediate forms, partial folding) and all operands as
//! `*.const` (constant folding).
//!
//! Expected results come from references written from the wasm spec
//! (`cases.rs`, `cases/sequences.rs`) and from the official spec `.wast`
//! files (`spec.rs`). Compiled code only ever runs in forked children: a
//! trap ends the child, whose signal handler maps the faulting
//! pc through the function's trap table to the ABI trap code, so a trap test
//! checks the exact code *and* that it came from a `ud2` (`SIGILL`), never
//! from a hardware fault such as `idiv`'s `SIGFPE`.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod cases;
mod spec;

use crate::func::abi_trap;
use crate::func::numeric::translate_numeric;
use cases::{Expect, OpTest, Ty};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::types::{I32, I64};
use cranelift_codegen::ir::{self, InstBuilder, LibCall, MemFlagsData};
use cranelift_codegen::isa::{self, CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{Context, FinalizedRelocTarget, binemit::Reloc};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Switch};
use kiln_abi::trap::TrapCode;
use std::sync::atomic::{AtomicPtr, Ordering};
use wasmparser::{Ieee32, Ieee64, Operator};

/// A compile configuration under test.
struct TestIsa {
    name: &'static str,
    isa: OwnedTargetIsa,
}

/// x86-64-v2 (the real build's baseline), plain SSE2, and the host's own
/// features (AVX, BMI, LZCNT: `--cpu native`), each at `-O` and `-O0`.
fn test_isas() -> Vec<TestIsa> {
    const V2: &[&str] = &[
        "has_sse3",
        "has_ssse3",
        "has_sse41",
        "has_sse42",
        "has_popcnt",
    ];
    let mut out = Vec::new();
    for (name, features, opt) in [
        ("x86-64-v2 -O", Some(V2), "speed"),
        ("x86-64-v2 -O0", Some(V2), "none"),
        ("sse2 -O", Some(&[][..]), "speed"),
        ("native -O", None, "speed"),
        ("native -O0", None, "none"),
    ] {
        let mut flags = settings::builder();
        flags.set("opt_level", opt).expect("opt_level");
        flags.enable("enable_verifier").expect("enable_verifier");
        let builder = match features {
            Some(features) => {
                let mut b = isa::lookup(target_lexicon::Triple::host()).expect("host isa");
                for f in features {
                    b.enable(f).expect("x86 feature");
                }
                b
            }
            None => cranelift_native::builder().expect("native isa"),
        };
        let isa = builder
            .finish(settings::Flags::new(flags))
            .expect("isa builds");
        out.push(TestIsa { name, isa });
    }
    out
}

/// Most operands a wrapped function takes (spec functions have up to 3).
const MAX_ARGS: usize = 4;

/// Inputs of one case, as zero-extended bits (possibly dirtied).
type Args = [u64; MAX_ARGS];

/// How the operator's operands are produced.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// Operands 0 and 1 from the `a`/`b` arguments, further ones loaded.
    Regs,
    /// Loaded from `p[i]`.
    Mem,
    /// Every operand is the same value `a` (`x - x`, `x == x`...).
    Same,
    /// Operand 0 from `a`, operand 1 this constant.
    RhsConst(u64),
}

impl Shape {
    /// The operand values a case with arguments `args` sees.
    fn operands(self, args: Args) -> Args {
        match self {
            Shape::Regs | Shape::Mem => args,
            Shape::Same => [args[0]; MAX_ARGS],
            Shape::RhsConst(c) => [args[0], c, 0, 0],
        }
    }
}

/// The wasm constant operator for `bits` of type `ty`.
fn const_op(ty: Ty, bits: u64) -> Operator<'static> {
    match ty {
        Ty::I32 => Operator::I32Const {
            value: bits as u32 as i32,
        },
        Ty::I64 => Operator::I64Const { value: bits as i64 },
        Ty::F32 => Operator::F32Const {
            value: Ieee32::from(f32::from_bits(bits as u32)),
        },
        Ty::F64 => Operator::F64Const {
            value: Ieee64::from(f64::from_bits(bits)),
        },
    }
}

/// Narrows an `i64` argument to a value of type `ty`.
fn arg_as(b: &mut FunctionBuilder<'_>, ty: Ty, v: ir::Value) -> ir::Value {
    match ty {
        Ty::I32 => b.ins().ireduce(I32, v),
        Ty::I64 => v,
        Ty::F32 => {
            let i = b.ins().ireduce(I32, v);
            b.ins().bitcast(ir::types::F32, MemFlagsData::new(), i)
        }
        Ty::F64 => b.ins().bitcast(ir::types::F64, MemFlagsData::new(), v),
    }
}

/// Widens a result of type `ty` to the returned `i64` (zero-extended bits).
fn result_as_i64(b: &mut FunctionBuilder<'_>, ty: Ty, v: ir::Value) -> ir::Value {
    match ty {
        Ty::I32 => b.ins().uextend(I64, v),
        Ty::I64 => v,
        Ty::F32 => {
            let i = b.ins().bitcast(I32, MemFlagsData::new(), v);
            b.ins().uextend(I64, i)
        }
        Ty::F64 => b.ins().bitcast(I64, MemFlagsData::new(), v),
    }
}

/// Builds a SystemV wrapper `(a, b, p) -> i64` whose operands of types
/// `params` come from `shape`, and whose `body` computes a `result` from
/// them.
fn build_wrapper(
    isa: &dyn isa::TargetIsa,
    params: &[Ty],
    result: Ty,
    shape: Shape,
    body: impl FnOnce(&mut FunctionBuilder<'_>, Vec<ir::Value>) -> ir::Value,
) -> ir::Function {
    assert!(params.len() <= MAX_ARGS);
    let mut sig = ir::Signature::new(CallConv::SystemV);
    for _ in 0..3 {
        sig.params.push(ir::AbiParam::new(I64));
    }
    sig.returns.push(ir::AbiParam::new(I64));
    let mut func = ir::Function::with_name_signature(ir::UserFuncName::user(0, 0), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let args = b.block_params(block).to_vec();

    let mut operands = Vec::new();
    for (i, &ty) in params.iter().enumerate() {
        let load = |b: &mut FunctionBuilder<'_>, i: usize| {
            b.ins()
                .load(ty.clif(), MemFlagsData::trusted(), args[2], (8 * i) as i32)
        };
        let v = match shape {
            Shape::Regs if i < 2 => arg_as(&mut b, ty, args[i]),
            Shape::Regs | Shape::Mem => load(&mut b, i),
            Shape::Same => arg_as(&mut b, ty, args[0]),
            Shape::RhsConst(_) if i == 0 => arg_as(&mut b, ty, args[0]),
            Shape::RhsConst(c) => push_const(&mut b, ty, c),
        };
        operands.push(v);
    }
    let r = body(&mut b, operands);
    let r = result_as_i64(&mut b, result, r);
    b.ins().return_(&[r]);
    b.finalize(isa.frontend_config());
    func
}

/// Builds a SystemV wrapper `(i, _, _) -> i64` that computes `body` on the
/// constant operands `consts[i]`: one block per case behind a switch, so
/// that one compile covers many constant-folding cases (folding is per
/// value, so the blocks do not influence each other).
fn build_const_table(
    isa: &dyn isa::TargetIsa,
    params: &[Ty],
    result: Ty,
    consts: &[Args],
    mut body: impl FnMut(&mut FunctionBuilder<'_>, Vec<ir::Value>) -> ir::Value,
) -> ir::Function {
    let mut sig = ir::Signature::new(CallConv::SystemV);
    for _ in 0..3 {
        sig.params.push(ir::AbiParam::new(I64));
    }
    sig.returns.push(ir::AbiParam::new(I64));
    let mut func = ir::Function::with_name_signature(ir::UserFuncName::user(0, 0), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let index = b.block_params(entry)[0];
    let mut switch = Switch::new();
    let blocks: Vec<ir::Block> = (0..consts.len())
        .map(|i| {
            let block = b.create_block();
            switch.set_entry(i as u128, block);
            block
        })
        .collect();
    let default = b.create_block();
    switch.emit(&mut b, index, default);
    for (&block, c) in blocks.iter().zip(consts) {
        b.switch_to_block(block);
        let operands = params
            .iter()
            .enumerate()
            .map(|(i, &ty)| push_const(&mut b, ty, c[i]))
            .collect();
        let r = body(&mut b, operands);
        let r = result_as_i64(&mut b, result, r);
        b.ins().return_(&[r]);
    }
    b.switch_to_block(default);
    let zero = b.ins().iconst(I64, 0);
    b.ins().return_(&[zero]);
    b.seal_all_blocks();
    b.finalize(isa.frontend_config());
    func
}

/// Translates `ops` on `stack`, which must end with one result.
fn translate_ops(
    b: &mut FunctionBuilder<'_>,
    ops: &[Operator<'_>],
    mut stack: Vec<ir::Value>,
) -> ir::Value {
    for op in ops {
        let handled = translate_numeric(op, b, &mut stack).expect("translates");
        assert!(handled, "{op:?} is numeric");
    }
    assert_eq!(stack.len(), 1, "{ops:?} leaves one result");
    stack[0]
}

/// Builds the wrapper around `test.ops` for `shape`.
fn build(test: &OpTest, shape: Shape, isa: &dyn isa::TargetIsa) -> ir::Function {
    build_wrapper(isa, test.params, test.result, shape, |b, stack| {
        translate_ops(b, &test.ops, stack)
    })
}

/// Emits a constant through `translate_numeric` itself.
fn push_const(b: &mut FunctionBuilder<'_>, ty: Ty, bits: u64) -> ir::Value {
    let mut stack = Vec::new();
    let handled = translate_numeric(&const_op(ty, bits), b, &mut stack).expect("const");
    assert!(handled && stack.len() == 1);
    stack[0]
}

/// Compiled code, mapped executable.
struct ExecCode {
    ptr: *mut u8,
    len: usize,
    /// (offset, Cranelift trap code), from the compiled trap table.
    traps: Vec<(u32, ir::TrapCode)>,
    clif: String,
    disasm: String,
}

impl Drop for ExecCode {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are exactly the mapping made in `compile`.
        unsafe {
            libc::munmap(self.ptr.cast(), self.len);
        }
    }
}

// The SSE2 baseline has no `round{ss,sd}`: Cranelift calls these instead.
// They follow wasm (a NaN result is quiet), as the runtime's would have to.
extern "C" fn ceil_f32(x: f32) -> f32 {
    quiet_f32(x.ceil())
}
extern "C" fn ceil_f64(x: f64) -> f64 {
    quiet_f64(x.ceil())
}
extern "C" fn floor_f32(x: f32) -> f32 {
    quiet_f32(x.floor())
}
extern "C" fn floor_f64(x: f64) -> f64 {
    quiet_f64(x.floor())
}
extern "C" fn trunc_f32(x: f32) -> f32 {
    quiet_f32(x.trunc())
}
extern "C" fn trunc_f64(x: f64) -> f64 {
    quiet_f64(x.trunc())
}
extern "C" fn nearest_f32(x: f32) -> f32 {
    quiet_f32(x.round_ties_even())
}
extern "C" fn nearest_f64(x: f64) -> f64 {
    quiet_f64(x.round_ties_even())
}
fn quiet_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 1 << 22)
    } else {
        x
    }
}
fn quiet_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 1 << 51)
    } else {
        x
    }
}

fn libcall_address(lc: LibCall) -> usize {
    match lc {
        LibCall::CeilF32 => ceil_f32 as *const () as usize,
        LibCall::CeilF64 => ceil_f64 as *const () as usize,
        LibCall::FloorF32 => floor_f32 as *const () as usize,
        LibCall::FloorF64 => floor_f64 as *const () as usize,
        LibCall::TruncF32 => trunc_f32 as *const () as usize,
        LibCall::TruncF64 => trunc_f64 as *const () as usize,
        LibCall::NearestF32 => nearest_f32 as *const () as usize,
        LibCall::NearestF64 => nearest_f64 as *const () as usize,
        other => panic!("unexpected libcall {other:?}"),
    }
}

/// Compiles `func` for `isa` and maps it executable.
fn compile(isa: &dyn isa::TargetIsa, func: ir::Function) -> ExecCode {
    let clif = func.display().to_string();
    let mut ctx = Context::for_function(func);
    ctx.set_disasm(true);
    let code = match ctx.compile(isa, &mut ControlPlane::default()) {
        Ok(code) => code,
        Err(e) => panic!(
            "compile failed: {}\n{clif}",
            cranelift_codegen::print_errors::pretty_error(e.func, e.inner)
        ),
    };
    let mut bytes = code.code_buffer().to_vec();
    for reloc in code.buffer.relocs() {
        let FinalizedRelocTarget::ExternalName(ir::ExternalName::LibCall(lc)) = reloc.target else {
            panic!("unexpected relocation {reloc:?}\n{clif}");
        };
        assert_eq!(reloc.kind, Reloc::Abs8, "libcall relocation kind");
        let at = reloc.offset as usize;
        let value = (libcall_address(lc) as i64 + reloc.addend) as u64;
        bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }
    let traps = code
        .buffer
        .traps()
        .iter()
        .map(|t| (t.offset, t.code))
        .collect();
    let disasm = code.vcode.clone().unwrap_or_default();
    let len = bytes.len().max(1).next_multiple_of(4096);
    // SAFETY: a fresh private anonymous mapping, written before it is made
    // executable and never written again.
    let ptr = unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED, "mmap");
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p.cast::<u8>(), bytes.len());
        assert_eq!(libc::mprotect(p, len, libc::PROT_READ | libc::PROT_EXEC), 0);
        p.cast::<u8>()
    };
    ExecCode {
        ptr,
        len,
        traps,
        clif,
        disasm,
    }
}

/// What running one case did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Outcome {
    /// Returned these (zero-extended) result bits.
    Value(u64),
    /// Died of `signal` at a pc whose trap-table code is `code` (`None`: the
    /// pc is not in the trap table).
    Trap { signal: i32, code: Option<TrapCode> },
    /// The child died some other way (raw wait status).
    Died(i32),
}

/// Per-case record in memory shared with the child.
#[repr(C)]
struct Slot {
    /// Operands; the wrapper gets `args[0]`, `args[1]` and `&args`.
    args: Args,
    /// The compiled function and its trap table.
    code: *const u8,
    traps: *const (u32, ir::TrapCode),
    traps_len: usize,
    result: u64,
    /// 0 = not run, 1 = returned, 2 | signal << 8 | code << 16 = trapped.
    status: u64,
}

type TestFn = extern "C" fn(u64, u64, *const u64) -> u64;

// Read by the child's signal handler only (set after `fork`, so tests
// running in parallel threads of the parent never race on it).
static CURRENT_SLOT: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// Records the trap of the current case and ends the child. Only
/// async-signal-safe work: atomics, plain memory, `_exit`.
extern "C" fn on_trap_signal(signal: libc::c_int, _: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: SA_SIGINFO handlers get a valid `ucontext_t`; the slot and
    // the trap table it points at stay alive in the parent's (copied)
    // memory until the child exits.
    unsafe {
        let uc = ctx.cast::<libc::ucontext_t>();
        let pc = (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        let slot = CURRENT_SLOT.load(Ordering::Relaxed);
        let offset = pc.wrapping_sub((*slot).code as usize);
        let traps = std::slice::from_raw_parts((*slot).traps, (*slot).traps_len);
        let code = traps
            .iter()
            .find(|(o, _)| *o as usize == offset)
            .and_then(|(_, c)| abi_trap(*c))
            .map_or(0xff, |c| c as u64);
        (*slot).status = 2 | (signal as u64) << 8 | code << 16;
        libc::_exit(0);
    }
}

/// Runs every job `(code, args)` in forked children, in order; a new child
/// continues after each trap.
fn run(jobs: &[(&ExecCode, Args)]) -> Vec<Outcome> {
    let bytes = (jobs.len().max(1) * size_of::<Slot>()).next_multiple_of(4096);
    // SAFETY: anonymous shared mapping sized for every slot; the child only
    // runs async-signal-safe code (no allocation) before `_exit`.
    unsafe {
        let shared = libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(shared, libc::MAP_FAILED, "mmap");
        let slots = shared.cast::<Slot>();
        for (i, &(code, args)) in jobs.iter().enumerate() {
            slots.add(i).write(Slot {
                args,
                code: code.ptr,
                traps: code.traps.as_ptr(),
                traps_len: code.traps.len(),
                result: 0,
                status: 0,
            });
        }
        let mut outcomes = Vec::with_capacity(jobs.len());
        while outcomes.len() < jobs.len() {
            let start = outcomes.len();
            let pid = libc::fork();
            assert!(pid >= 0, "fork");
            if pid == 0 {
                run_child(slots, start, jobs.len());
            }
            let mut status = 0;
            assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
            for i in start..jobs.len() {
                let slot = &*slots.add(i);
                match slot.status & 0xff {
                    1 => outcomes.push(Outcome::Value(slot.result)),
                    2 => {
                        let code = (slot.status >> 16) & 0xff;
                        outcomes.push(Outcome::Trap {
                            signal: ((slot.status >> 8) & 0xff) as i32,
                            code: TrapCode::from_u32(code as u32),
                        });
                        break;
                    }
                    _ => {
                        outcomes.push(Outcome::Died(status));
                        break;
                    }
                }
            }
        }
        libc::munmap(shared, bytes);
        outcomes
    }
}

/// The child: installs the trap handler and runs slots `start..n`.
unsafe fn run_child(slots: *mut Slot, start: usize, n: usize) -> ! {
    // SAFETY: plain libc calls in a single-threaded child; every slot's
    // `code` is a mapped function of type `TestFn`. See `run`.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_trap_signal as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        for sig in [
            libc::SIGILL,
            libc::SIGFPE,
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGTRAP,
        ] {
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
        for i in start..n {
            let slot = slots.add(i);
            CURRENT_SLOT.store(slot, Ordering::Relaxed);
            let f = std::mem::transmute::<*const u8, TestFn>((*slot).code);
            let args = &(*slot).args;
            let r = f(args[0], args[1], args.as_ptr());
            (*slot).result = r;
            (*slot).status = 1;
        }
        libc::_exit(0);
    }
}

/// Does `outcome` satisfy `expect` for a result of type `ty`?
fn matches(expect: &Expect, outcome: &Outcome, ty: Ty) -> bool {
    match (*expect, *outcome) {
        (Expect::Bits(want), Outcome::Value(got)) => want == got,
        (Expect::Nan { canonical }, Outcome::Value(got)) => ty.is_nan_ok(got, canonical),
        (Expect::Trap(want), Outcome::Trap { signal, code }) => {
            signal == libc::SIGILL && code == Some(want)
        }
        _ => false,
    }
}

/// One compiled wrapper and the cases to run it on.
struct Unit {
    /// What was compiled: operators, ISA and shape.
    label: String,
    result: Ty,
    code: ExecCode,
    cases: Vec<Case>,
}

/// One run of a compiled wrapper.
struct Case {
    /// What the wrapper is called with.
    args: Args,
    /// The operand values the operators see (for reports).
    operands: Args,
    expect: Expect,
}

/// Runs all `units`; returns one report per failing case.
fn check_units(units: &[Unit]) -> Vec<String> {
    let jobs: Vec<(&ExecCode, Args)> = units
        .iter()
        .flat_map(|u| u.cases.iter().map(move |c| (&u.code, c.args)))
        .collect();
    let mut outcomes = run(&jobs).into_iter();
    let mut failures = Vec::new();
    for u in units {
        for Case {
            operands, expect, ..
        } in &u.cases
        {
            let outcome = outcomes.next().expect("one outcome per job");
            if !matches(expect, &outcome, u.result) {
                failures.push(format!(
                    "{} {operands:x?}: expected {expect:x?}, got {outcome:x?}\n{}\n{}",
                    u.label, u.code.clif, u.code.disasm
                ));
            }
        }
    }
    failures
}

/// Panics listing `failures`, if any.
fn report(failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    // One line per failing case first, then the CLIF and disassembly of the
    // first few.
    let mut summary = String::new();
    for f in failures {
        summary.push_str(f.lines().next().unwrap_or_default());
        summary.push('\n');
    }
    let detail: Vec<&str> = failures.iter().take(3).map(String::as_str).collect();
    panic!(
        "{} numeric failures:\n{summary}\nfirst ones in detail:\n{}",
        failures.len(),
        detail.join("\n----\n")
    );
}

/// Compiles `test` for `isa` in `shape`; `cases` are argument pairs.
fn op_unit(isa: &TestIsa, test: &OpTest, shape: Shape, cases: &[(u64, u64)]) -> Unit {
    let cases = cases
        .iter()
        .map(|&(a, b)| {
            let args = [a, b, 0, 0];
            let operands = shape.operands(args);
            Case {
                args,
                operands,
                expect: test.expect(operands[0], operands[1]),
            }
        })
        .collect();
    Unit {
        label: format!("{:?} [{}] {shape:x?}", test.ops, isa.name),
        result: test.result,
        code: compile(&*isa.isa, build(test, shape, &*isa.isa)),
        cases,
    }
}

/// Compiles `test` for `isa` on each pair of constant operands in `consts`.
fn const_unit(isa: &TestIsa, test: &OpTest, consts: &[(u64, u64)]) -> Unit {
    let consts: Vec<Args> = consts.iter().map(|&(x, y)| [x, y, 0, 0]).collect();
    let func = build_const_table(&*isa.isa, test.params, test.result, &consts, |b, stack| {
        translate_ops(b, &test.ops, stack)
    });
    Unit {
        label: format!("{:?} [{}] constants", test.ops, isa.name),
        result: test.result,
        code: compile(&*isa.isa, func),
        cases: consts
            .iter()
            .enumerate()
            .map(|(i, &operands)| Case {
                args: [i as u64, 0, 0, 0],
                operands,
                expect: test.expect(operands[0], operands[1]),
            })
            .collect(),
    }
}

/// Runs every test in `tests` in every shape; panics listing failures.
fn check_all(tests: &[OpTest]) {
    let isas = test_isas();
    let mut failures = Vec::new();
    for test in tests {
        // Garbage in the unused upper half of 32-bit operands must not leak
        // into results.
        let dirty = |i: usize, v: u64| test.param_ty(i).map_or(v, |t| t.dirty(v));
        let cases: Vec<(u64, u64)> = test
            .cases()
            .iter()
            .map(|&(a, b)| (dirty(0, a), dirty(1, b)))
            .collect();
        let lhs_only: Vec<(u64, u64)> = test
            .param_ty(0)
            .map_or(&[][..], Ty::values)
            .iter()
            .map(|&a| (dirty(0, a), 0))
            .collect();
        let binary = test.params.len() == 2;
        let mut units = Vec::new();
        for isa in &isas {
            units.push(op_unit(isa, test, Shape::Regs, &cases));
            units.push(op_unit(isa, test, Shape::Mem, &cases));
            if binary && test.params[0] == test.params[1] {
                units.push(op_unit(isa, test, Shape::Same, &lhs_only));
            }
        }
        // Constant operands: immediate forms at `-O` and `-O0`; folding only
        // happens at `-O` and is ISA-independent.
        for (i, isa) in isas[..2].iter().enumerate() {
            if binary {
                for &c in test.params[1].const_values() {
                    units.push(op_unit(isa, test, Shape::RhsConst(c), &lhs_only));
                }
            }
            if i == 0 {
                units.push(const_unit(isa, test, &test.const_cases()));
            }
        }
        failures.extend(check_units(&units));
    }
    report(&failures);
}

#[test]
fn integer_operators() {
    check_all(&cases::integer_tests());
}

#[test]
fn float_operators() {
    check_all(&cases::float_tests());
}

#[test]
fn conversion_operators() {
    check_all(&cases::conversion_tests());
}

#[test]
fn operator_sequences() {
    check_all(&cases::sequence_tests());
}

#[test]
fn non_numeric_operators_are_untouched() {
    let mut func = ir::Function::new();
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let block = b.create_block();
    b.switch_to_block(block);
    let mut stack = Vec::new();
    for op in [
        Operator::Nop,
        Operator::Drop,
        Operator::LocalGet { local_index: 0 },
        Operator::RefNull {
            hty: wasmparser::HeapType::FUNC,
        },
    ] {
        assert!(!translate_numeric(&op, &mut b, &mut stack).expect("no error"));
    }
    assert!(stack.is_empty());
    assert_eq!(b.func.dfg.num_insts(), 0);
}

#[test]
fn trap_codes_are_the_abi_ones() {
    // The Cranelift-reserved codes `fcvt_to_*int` and division use must map
    // back to the ABI codes the runtime reports.
    assert_eq!(
        abi_trap(ir::TrapCode::BAD_CONVERSION_TO_INTEGER),
        Some(TrapCode::BadConversionToInteger)
    );
    assert_eq!(
        abi_trap(ir::TrapCode::INTEGER_OVERFLOW),
        Some(TrapCode::IntegerOverflow)
    );
    assert_eq!(
        abi_trap(ir::TrapCode::INTEGER_DIVISION_BY_ZERO),
        Some(TrapCode::IntegerDivisionByZero)
    );
}
