//! Which functions get a second tier, and how [`combine`] lays the two
//! bodies out (the run-time choice is tested in `tests/all/cpu_features.rs`
//! and `tests/run/numeric/tiered_hash.wat`).

use super::{Body, STUB_LEN, combine};
use crate::obj::HotLoop;
use crate::obj::exceptions::CallSiteEntry;
use crate::{Config, CpuSpec, OptLevel};
use cranelift_codegen::binemit::Reloc;
use cranelift_module::{DataId, FuncId, ModuleReloc, ModuleRelocTarget};
use kiln_abi::tables::{SrcLoc, TrapSite};

/// A module whose one function runs `rotates` `i32.rotl`s in a loop and
/// `straight` more outside it.
fn module(rotates: usize, straight: usize) -> Vec<u8> {
    let mut body = String::new();
    for _ in 0..rotates {
        body.push_str("(local.set 1 (i32.rotl (local.get 1) (local.get 0)))\n");
    }
    let mut after = String::new();
    for _ in 0..straight {
        after.push_str("(local.set 1 (i32.rotr (local.get 1) (i32.const 3)))\n");
    }
    wat::parse_str(format!(
        r#"(module
          (func (export "f") (param i32) (result i32) (local i32)
            (loop $l
              {body}
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br_if $l (local.get 0)))
            {after}
            (local.get 1)))"#
    ))
    .expect("test wat parses")
}

fn tiered(wasm: &[u8], config: &Config) -> usize {
    crate::compile_module_timed(wasm, config)
        .expect("compiles")
        .1
        .tiered_functions
}

fn x86_64() -> Config {
    Config {
        target: Some("x86_64-unknown-linux-gnu".into()),
        ..Config::default()
    }
}

#[test]
fn rotates_in_loops_or_many_get_a_second_tier() {
    assert_eq!(tiered(&module(4, 0), &x86_64()), 1);
    assert_eq!(tiered(&module(3, 0), &x86_64()), 0);
    assert_eq!(tiered(&module(0, 3), &x86_64()), 0);
    // Straight-line code counts once there is much of it.
    assert_eq!(tiered(&module(0, 24), &x86_64()), 1);
    assert_eq!(tiered(&module(0, 23), &x86_64()), 0);
}

#[test]
fn only_the_default_cpu_on_x86_64_at_speed_is_tiered() {
    let wasm = module(8, 0);
    let with = |f: fn(&mut Config)| {
        let mut c = x86_64();
        f(&mut c);
        tiered(&wasm, &c)
    };
    assert_eq!(with(|_| ()), 1);
    assert_eq!(with(|c| c.cpu = CpuSpec::X86Level(2)), 0);
    assert_eq!(with(|c| c.cpu = CpuSpec::X86Level(3)), 0);
    assert_eq!(
        with(|c| c.cpu = CpuSpec::Features(vec!["has_avx".into()])),
        0
    );
    assert_eq!(with(|c| c.opt_level = OptLevel::None), 0);
    assert_eq!(with(|c| c.opt_level = OptLevel::SpeedAndSize), 0);
    assert_eq!(
        with(|c| c.target = Some("aarch64-unknown-linux-musl".into())),
        0
    );
}

fn body(len: usize, at: u32) -> Body {
    Body {
        bytes: vec![0x90; len],
        min_alignment: 16,
        loops: vec![HotLoop {
            head: at,
            ranges: vec![(at, at + 4)],
        }],
        relocs: vec![ModuleReloc {
            offset: at + 1,
            kind: Reloc::X86CallPCRel4,
            name: ModuleRelocTarget::FunctionOffset(FuncId::from_u32(7), at),
            addend: -4,
        }],
        traps: vec![TrapSite {
            offset: at + 2,
            code: 3,
        }],
        srclocs: vec![SrcLoc {
            native_offset: at,
            wasm_offset: 100 + at,
        }],
        call_sites: vec![CallSiteEntry {
            ret_offset: at + 5,
            frame_offset: 16,
            context_offset: 8,
            handlers: vec![(0, at + 6)],
        }],
    }
}

#[test]
fn combine_puts_a_stub_before_both_bodies() {
    let flag = DataId::from_u32(3);
    let own = FuncId::from_u32(7);
    let out = combine(body(20, 1), body(40, 2), flag, own);
    // Stub, padded to 16; the baseline at 16 (20 bytes); the second tier at
    // 48 (the next multiple of 16).
    let (first, second) = (16u32, 48u32);
    assert_eq!(out.bytes.len(), 48 + 40);
    assert_eq!(out.bytes[..2], [0x80, 0x3d]);
    assert_eq!(out.bytes[6], 0, "compared with zero");
    assert_eq!(out.bytes[7..9], [0x0f, 0x85]);
    let jump = u32::from_le_bytes(out.bytes[9..13].try_into().expect("4 bytes"));
    assert_eq!(STUB_LEN + jump, second, "jne lands on the second body");
    assert_eq!(out.bytes[13..16], [0x0f, 0x1f, 0x00], "one 3-byte nop");
    assert!(out.bytes[36..48].iter().all(|&b| b == 0xcc));
    assert_eq!(out.min_alignment, 16);

    let flag_reloc = &out.relocs[0];
    assert_eq!((flag_reloc.offset, flag_reloc.addend), (2, -5));
    assert_eq!(
        format!("{:?}", flag_reloc.name),
        format!("{:?}", ModuleRelocTarget::from(flag))
    );
    // Each body's relocation, and a reference into its own code, move.
    assert_eq!(out.relocs[1].offset, first + 2);
    assert_eq!(
        format!("{:?}", out.relocs[1].name),
        format!("{:?}", ModuleRelocTarget::FunctionOffset(own, first + 1))
    );
    assert_eq!(out.relocs[2].offset, second + 3);
    assert_eq!(
        format!("{:?}", out.relocs[2].name),
        format!("{:?}", ModuleRelocTarget::FunctionOffset(own, second + 2))
    );

    let traps: Vec<u32> = out.traps.iter().map(|t| t.offset).collect();
    assert_eq!(traps, [first + 3, second + 4]);
    let locs: Vec<(u32, u32)> = out
        .srclocs
        .iter()
        .map(|l| (l.native_offset, l.wasm_offset))
        .collect();
    assert_eq!(locs, [(first + 1, 101), (second + 2, 102)]);
    let sites: Vec<(u32, u32)> = out
        .call_sites
        .iter()
        .map(|c| (c.ret_offset, c.handlers[0].1))
        .collect();
    assert_eq!(sites, [(first + 6, first + 7), (second + 7, second + 8)]);
    // The second tier's loop first.
    let heads: Vec<u32> = out.loops.iter().map(|l| l.head).collect();
    assert_eq!(heads, [second + 2, first + 1]);
}

#[test]
fn a_reference_to_another_function_does_not_move() {
    let mut base = body(20, 0);
    base.relocs[0].name = ModuleRelocTarget::FunctionOffset(FuncId::from_u32(9), 4);
    let out = combine(base, body(8, 0), DataId::from_u32(0), FuncId::from_u32(7));
    assert_eq!(
        format!("{:?}", out.relocs[1].name),
        format!(
            "{:?}",
            ModuleRelocTarget::FunctionOffset(FuncId::from_u32(9), 4)
        )
    );
}
