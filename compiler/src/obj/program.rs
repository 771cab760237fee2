//! The `__kiln_program` [`ProgramDescriptor`]: the one root the runtime's
//! `main` refers to, saying whether the executable runs a core module or a
//! component and where that root descriptor is.
//!
//! Phase 3. Input: the program kind, the root descriptor's address and the
//! CPU features the code was generated for.
//! Output: the exported, read-only data objects [`DataKey::Program`] and
//! [`DataKey::ProgramRunner`] (one each per object file).

use super::data::{DataBuilder, DataObjects, Target};
use super::symbols::DataKey;
use core::mem::{offset_of, size_of};
use cranelift_module::{DataId, FuncId};
use kiln_abi::component::program::ProgramDescriptor;
use kiln_abi::{ABI_VERSION, MODULE_MAGIC};

/// Writes the program descriptor of `kind` (`PROGRAM_MODULE` or
/// `PROGRAM_COMPONENT`) whose root is `root`, run by the runtime's
/// `runner` (a `kiln_abi::symbols::RUN_*` symbol), for code that may use the
/// CPU features `cpu_features` (`crate::isa::cpu_feature_bits`), and for a
/// second tier of code (`crate::pipeline::tiers`) with `tier.0`'s features
/// whose flag is `tier.1`.
pub fn emit_program(
    kind: u32,
    runner: &'static str,
    root: Target,
    cpu_features: u64,
    tier: Option<(u64, DataId)>,
    code: (FuncId, FuncId),
    objects: &mut DataObjects,
) {
    let mut b = DataBuilder::new(8);
    let r = b.append_zeroed(size_of::<ProgramDescriptor>());
    let at = |field: usize| r + field as u32;
    b.put_u32(at(offset_of!(ProgramDescriptor, magic)), MODULE_MAGIC);
    b.put_u32(at(offset_of!(ProgramDescriptor, abi_version)), ABI_VERSION);
    b.put_u32(at(offset_of!(ProgramDescriptor, kind)), kind);
    b.put_addr(at(offset_of!(ProgramDescriptor, root)), root, 0);
    b.put_u64(
        at(offset_of!(ProgramDescriptor, cpu_features)),
        cpu_features,
    );
    if let Some((features, flag)) = tier {
        b.put_u64(at(offset_of!(ProgramDescriptor, tier_features)), features);
        b.put_addr(
            at(offset_of!(ProgramDescriptor, tier_flag)),
            Target::Defined(flag),
            0,
        );
    }
    b.put_addr(
        at(offset_of!(ProgramDescriptor, code_start)),
        Target::Func(code.0),
        0,
    );
    b.put_addr(
        at(offset_of!(ProgramDescriptor, code_end)),
        Target::Func(code.1),
        0,
    );
    objects.insert(DataKey::Program, b);
    // `__kiln_program_runner`: the runner the caller chose, the only
    // reference that keeps it (and what only it reaches) in the executable.
    let mut b = DataBuilder::new(8);
    // Every target is 64-bit (`put_addr` writes eight bytes).
    let r = b.append_zeroed(8);
    b.put_addr(r, Target::Data(DataKey::Runner(runner)), 0);
    objects.insert(DataKey::ProgramRunner, b);
}
