//! Static resolution of cross-module calls: which linked imports of each
//! core module always call the same code of the component's object.
//!
//! Plain data, like the plan: run by the component driver
//! (`crate::pipeline::component`) before any code is generated. Inputs: the
//! [`ComponentPlan`], the [`ModuleInfo`] of each core module and the
//! resolved trampolines. Output: per static module, the map from function
//! index of an imported function to the [`LinkedCode`] it calls, for the
//! imports whose code the plan fixes; the function translator
//! (`crate::func`) compiles calls of those as direct calls (the callee `vmctx` still comes from the import's
//! `VMContext` slot, which the runtime fills as before).
//!
//! How a binding resolves, mirroring the runtime's `bind` (an import bound
//! to an instance export gets that instance's funcref of the function,
//! which for an imported function is its provider's):
//! - a trampoline `t` -> `LinkedCode::Trampoline(t)`;
//! - an export naming defined function `f` of an instance of module `N` ->
//!   `LinkedCode::Func { module: N, func: f }`;
//! - an export naming one of the exporting instance's own imported
//!   functions -> whatever that instance's import resolved to (instances
//!   only import from earlier ones, so this is computed in plan order).
//!
//! A module's import is fixed when every instance of the module resolves
//! it to the same code; otherwise (or for a module never instantiated) it
//! stays an indirect call. Invariant: a [`LinkedCode`] in the output names
//! code the object defines (every defined function of every module and
//! every trampoline is compiled), with exactly the import's core type
//! (checked here: a mismatch is a compile error).

use super::plan::{ComponentPlan, CoreDef, CoreKind};
use super::resolve::{ResolvedTrampoline, instance_info, resolve_export};
use crate::CompileError;
use crate::key::LinkedCode;
use crate::module::{FuncIndex, ImportInfo, ModuleInfo};
use cranelift_entity::EntityRef;
use std::collections::BTreeMap;

/// Per static module (in plan order): imported function index -> the code
/// every instance binds it to.
pub type LinkedImports = Vec<BTreeMap<FuncIndex, LinkedCode>>;

/// Resolves the code of every linked function import of `plan`.
pub fn resolve_linked_imports(
    plan: &ComponentPlan,
    infos: &[ModuleInfo],
    tramps: &[ResolvedTrampoline],
) -> Result<LinkedImports, CompileError> {
    // Per instance, indexed by imported function index.
    let mut bound: Vec<Vec<Option<LinkedCode>>> = Vec::with_capacity(plan.instances.len());
    // Per module: the agreement of its instances so far (`None` before the
    // first instance).
    let mut agreed: Vec<Option<Vec<Option<LinkedCode>>>> = vec![None; plan.modules.len()];
    for (i, inst) in plan.instances.iter() {
        let info = instance_info(plan, infos, i)?;
        let mut codes = vec![None; info.num_imported_funcs as usize];
        for (j, def) in inst.imports.iter().enumerate() {
            let Some(func) = info.imports.get(j).and_then(ImportInfo::func) else {
                continue;
            };
            let code = match def {
                CoreDef::Trampoline(t) => Some(LinkedCode::Trampoline(t.as_u32())),
                CoreDef::Export(e) if e.kind == CoreKind::Func => {
                    let (_, f) = resolve_export(plan, infos, e)?;
                    let owner = instance_info(plan, infos, e.instance)?;
                    if f < owner.num_imported_funcs {
                        // A re-export: resolved when the earlier instance was.
                        bound
                            .get(e.instance.index())
                            .and_then(|codes| codes.get(f as usize).copied().flatten())
                    } else {
                        let module = plan.instances[e.instance].module.as_u32();
                        Some(LinkedCode::Func {
                            module,
                            func: FuncIndex::from_u32(f),
                        })
                    }
                }
                CoreDef::Export(_) | CoreDef::InstanceFlags(_) => None,
            };
            if let Some(slot) = codes.get_mut(func.index()) {
                *slot = code;
            }
        }
        match &mut agreed[inst.module.index()] {
            Some(common) => {
                for (c, code) in common.iter_mut().zip(&codes) {
                    if *c != *code {
                        *c = None;
                    }
                }
            }
            first @ None => *first = Some(codes.clone()),
        }
        bound.push(codes);
    }

    let mut out = Vec::with_capacity(plan.modules.len());
    for (m, codes) in agreed.into_iter().enumerate() {
        let info = &infos[m];
        let mut map = BTreeMap::new();
        for (f, code) in codes.unwrap_or_default().into_iter().enumerate() {
            let Some(code) = code else { continue };
            let f = FuncIndex::new(f);
            check_type(infos, tramps, m, info, f, code)?;
            map.insert(f, code);
        }
        out.push(map);
    }
    Ok(out)
}

/// Checks that `code` has exactly the type of imported function `f` of
/// module `m` (component validation guarantees it; a direct call of code
/// with another signature would be wrong code, not a trap).
fn check_type(
    infos: &[ModuleInfo],
    tramps: &[ResolvedTrampoline],
    m: usize,
    info: &ModuleInfo,
    f: FuncIndex,
    code: LinkedCode,
) -> Result<(), CompileError> {
    let want = info.func_type(f);
    let same = match code {
        LinkedCode::Func { module, func } => infos
            .get(module as usize)
            .filter(|callee| callee.funcs.is_valid(func))
            .is_some_and(|callee| callee.func_type(func) == want),
        LinkedCode::Trampoline(t) => tramps
            .get(t as usize)
            .is_some_and(|t| t.params == want.params && t.results == want.results),
    };
    if same {
        return Ok(());
    }
    Err(CompileError::Invalid {
        offset: 0,
        message: format!(
            "core module {m} imports function {} with a type other than that of the code it \
             is bound to ({})",
            f.as_u32(),
            code.symbol()
        ),
    })
}
