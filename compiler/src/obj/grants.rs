//! The `__kiln_grants` [`GrantsDescriptor`]: capabilities baked into the
//! executable from `kiln build` flags.
//!
//! Phase 3. Input: [`crate::Grants`] of the config (with its limits).
//! Output: the exported
//! root record and its local arrays (`__kiln_desc_grant_dirs`,
//! `__kiln_desc_grant_envs`), strings in the shared pool. Read-only data.

use super::data::{DataBuilder, DataObjects, StringPool, Target};
use super::symbols::DataKey;
use crate::Grants;
use core::mem::{offset_of, size_of};
use kiln_abi::GRANTS_MAGIC;
use kiln_abi::grants::{
    DirGrant, EnvGrant, GrantsDescriptor, LIMIT_CODE_FUEL, LIMIT_CODE_INTERRUPT, LIMIT_FUEL,
    LIMIT_MAX_MEMORY_SIZE, LIMIT_MAX_WASM_STACK, LIMIT_TIMEOUT, LimitsDesc,
};

const DIRS: DataKey = DataKey::Part("grant_dirs");
const ENVS: DataKey = DataKey::Part("grant_envs");

fn at(base: u32, field: usize) -> u32 {
    base + field as u32
}

/// Writes the grants descriptor into `objects`.
pub fn emit_grants(
    grants: &Grants,
    checks: crate::Checks,
    objects: &mut DataObjects,
    strings: &mut StringPool,
) {
    let mut dirs = DataBuilder::new(8);
    for (host, guest) in &grants.dirs {
        let r = dirs.append_zeroed(size_of::<DirGrant>());
        strings.put_str(
            &mut dirs,
            at(r, offset_of!(DirGrant, host)),
            host.as_bytes(),
        );
        strings.put_str(
            &mut dirs,
            at(r, offset_of!(DirGrant, guest)),
            guest.as_bytes(),
        );
    }
    let mut envs = DataBuilder::new(8);
    for (name, value) in &grants.envs {
        let r = envs.append_zeroed(size_of::<EnvGrant>());
        strings.put_str(
            &mut envs,
            at(r, offset_of!(EnvGrant, name)),
            name.as_bytes(),
        );
        if let Some(value) = value {
            strings.put_str(
                &mut envs,
                at(r, offset_of!(EnvGrant, value)),
                value.as_bytes(),
            );
            envs.put_u32(at(r, offset_of!(EnvGrant, has_value)), 1);
        }
    }

    let mut root = DataBuilder::new(8);
    let r = root.append_zeroed(size_of::<GrantsDescriptor>());
    root.put_u32(at(r, offset_of!(GrantsDescriptor, magic)), GRANTS_MAGIC);
    root.put_u32(at(r, offset_of!(GrantsDescriptor, flags)), grants.flags);
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    root.put_u32(
        at(r, offset_of!(GrantsDescriptor, num_dirs)),
        count(grants.dirs.len()),
    );
    root.put_u32(
        at(r, offset_of!(GrantsDescriptor, num_envs)),
        count(grants.envs.len()),
    );
    if !dirs.is_empty() {
        root.put_addr(
            at(r, offset_of!(GrantsDescriptor, dirs)),
            Target::Data(DIRS),
            0,
        );
    }
    if !envs.is_empty() {
        root.put_addr(
            at(r, offset_of!(GrantsDescriptor, envs)),
            Target::Data(ENVS),
            0,
        );
    }
    let invoke = grants.invoke.as_deref().unwrap_or("");
    strings.put_str(
        &mut root,
        at(r, offset_of!(GrantsDescriptor, invoke)),
        invoke.as_bytes(),
    );
    strings.put_str(
        &mut root,
        at(r, offset_of!(GrantsDescriptor, program)),
        grants.program.as_bytes(),
    );
    if let Some(addr) = &grants.serve_addr {
        strings.put_str(
            &mut root,
            at(r, offset_of!(GrantsDescriptor, serve_addr)),
            addr.as_bytes(),
        );
    }
    let limits = limits_desc(&grants.limits, checks);
    let l = at(r, offset_of!(GrantsDescriptor, limits));
    root.put_u32(at(l, offset_of!(LimitsDesc, flags)), limits.flags);
    root.put_u64(
        at(l, offset_of!(LimitsDesc, max_memory_size)),
        limits.max_memory_size,
    );
    root.put_u64(
        at(l, offset_of!(LimitsDesc, max_wasm_stack)),
        limits.max_wasm_stack,
    );
    root.put_u64(at(l, offset_of!(LimitsDesc, timeout_ns)), limits.timeout_ns);
    root.put_u64(at(l, offset_of!(LimitsDesc, fuel)), limits.fuel);
    objects.insert(DIRS, dirs);
    objects.insert(ENVS, envs);
    objects.insert(DataKey::Grants, root);
}

/// The descriptor record of `limits` and of the `checks` the code has (a
/// timeout beyond `u64::MAX` nanoseconds, some 584 years, is saturated).
pub fn limits_desc(limits: &crate::Limits, checks: crate::Checks) -> LimitsDesc {
    let mut d = LimitsDesc::default();
    if checks.interrupt {
        d.flags |= LIMIT_CODE_INTERRUPT;
    }
    if checks.fuel {
        d.flags |= LIMIT_CODE_FUEL;
    }
    if let Some(v) = limits.max_memory_size {
        d.flags |= LIMIT_MAX_MEMORY_SIZE;
        d.max_memory_size = v;
    }
    if let Some(v) = limits.max_wasm_stack {
        d.flags |= LIMIT_MAX_WASM_STACK;
        d.max_wasm_stack = v;
    }
    if let Some(v) = limits.timeout {
        d.flags |= LIMIT_TIMEOUT;
        d.timeout_ns = u64::try_from(v.as_nanos()).unwrap_or(u64::MAX);
    }
    if let Some(v) = limits.fuel {
        d.flags |= LIMIT_FUEL;
        d.fuel = v;
    }
    d
}
