//! Adapters in the inliner: each `canon lower` of a lifted function
//! becomes a fused adapter (a generated core module, instantiated in the
//! caller's component instance) or, where either side is async, a task
//! trampoline with generated value halves.
//!
//! Phase 1 (WHAT), part of `super`'s replay of the component.

use super::*;

impl Inliner<'_, '_> {
    /// The adapter of a `canon lower` (options `lower`) of the function of
    /// type `ty` lifted from `callee` (options `lift`): a generated core
    /// module instantiated in the caller's component instance (see
    /// [`super::adapter`]), or, where either side is async, a task
    /// trampoline.
    pub(super) fn adapter(
        &mut self,
        name: &str,
        ty: FuncTypeIndex,
        lower: &CanonOptions,
        lift: &CanonOptions,
        callee: &CoreDef,
    ) -> Result<CoreDef, CompileError> {
        if adapter::needs_async_call(lower, lift) {
            self.async_call(name, ty, lower, lift, callee)
        } else {
            self.fused_adapter(name, ty, lower, lift, callee)
        }
    }

    /// An async call's trampoline and its generated value halves.
    fn async_call(
        &mut self,
        name: &str,
        ty: FuncTypeIndex,
        lower: &CanonOptions,
        lift: &CanonOptions,
        callee: &CoreDef,
    ) -> Result<CoreDef, CompileError> {
        let values =
            adapter::async_values(self.plan.types.table(), &self.plan.func_types[ty], lower);
        let (mut params_adapter, mut results_adapter) = (None, None);
        if values == adapter::AsyncValues::Adapters {
            let req = adapter::Request {
                name,
                table: self.plan.types.table(),
                ty: &self.plan.func_types[ty],
                lower,
                lift,
                callee,
            };
            let params = adapter::generate_async(&req, adapter::Half::Params)?;
            let results = adapter::generate_async(&req, adapter::Half::Results)?;
            params_adapter = params.map(|g| self.generated_instance(g, lower));
            results_adapter = results.map(|g| self.generated_instance(g, lower));
        }
        let t = self.trampoline(Trampoline::AsyncCall {
            ty,
            lower: lower.clone(),
            lift: lift.clone(),
            callee: callee.clone(),
            params_adapter,
            results_adapter,
            core_values: false,
        });
        Ok(CoreDef::Trampoline(t))
    }

    /// A fused adapter's generated module, instantiated.
    fn fused_adapter(
        &mut self,
        name: &str,
        ty: FuncTypeIndex,
        lower: &CanonOptions,
        lift: &CanonOptions,
        callee: &CoreDef,
    ) -> Result<CoreDef, CompileError> {
        // A function of an `async` type lowered and lifted without `async`
        // is an ordinary adapter whose call of the callee goes through the
        // runtime, which runs it as a task of its own that may block (as
        // Wasmtime 49's adapter brackets it with `enter-sync-call`); so is
        // one moving a stream or future end (the adapter moves the end,
        // the callee may wait on it as a task).
        let call = if self.plan.func_types[ty].async_
            || adapter::moves_ends(self.plan.types.table(), &self.plan.func_types[ty])
        {
            let t = self.trampoline(Trampoline::AsyncCall {
                ty,
                lower: lower.clone(),
                lift: lift.clone(),
                callee: callee.clone(),
                params_adapter: None,
                results_adapter: None,
                core_values: true,
            });
            CoreDef::Trampoline(t)
        } else {
            callee.clone()
        };
        let generated = adapter::generate(&adapter::Request {
            name,
            table: self.plan.types.table(),
            ty: &self.plan.func_types[ty],
            lower,
            lift,
            callee: &call,
        })?;
        Ok(self.generated_instance(generated, lower))
    }

    /// Adds generated adapter module `generated` to the plan, instantiated
    /// in the caller's (`lower`'s) component instance with its imports
    /// bound; returns its exported function.
    fn generated_instance(
        &mut self,
        generated: adapter::Generated,
        lower: &CanonOptions,
    ) -> CoreDef {
        let mut imports = Vec::with_capacity(generated.imports.len());
        let mut defs = Vec::with_capacity(generated.imports.len());
        for (module, field, kind, binding) in generated.imports {
            imports.push((module, field, kind));
            defs.push(binding);
        }
        let module = self.plan.modules.push(ModulePlan {
            range: 0..0,
            generated: Some(generated.bytes),
            traps: generated.traps,
            imports,
        });
        let mut bound = Vec::with_capacity(defs.len());
        for binding in defs {
            bound.push(match binding {
                adapter::Binding::Def(def) => def,
                adapter::Binding::Flags(instance) => {
                    let trampolines = &mut self.plan.trampolines;
                    CoreDef::Trampoline(*self.adapter_flags.entry(instance).or_insert_with(|| {
                        trampolines.push(Trampoline::AdapterFlags { instance })
                    }))
                }
                adapter::Binding::Handle(r) => {
                    // Stream and future ends have no resource: the
                    // reserved index (`NO_INDEX` in the descriptor).
                    let resource = if r == adapter::ENDS {
                        <ResourceIndex as cranelift_entity::packed_option::ReservedValue>::reserved_value()
                    } else {
                        ResourceIndex::from_u32(r)
                    };
                    let trampolines = &mut self.plan.trampolines;
                    CoreDef::Trampoline(*self.adapter_handles.entry(resource).or_insert_with(
                        || trampolines.push(Trampoline::AdapterHandle { resource }),
                    ))
                }
                adapter::Binding::Transcode { op, dst, src } => {
                    CoreDef::Trampoline(self.trampoline(Trampoline::AdapterTranscode {
                        op,
                        dst: *dst,
                        src: *src,
                    }))
                }
            });
        }
        let instance = self.plan.instances.push(InstancePlan {
            module,
            component_instance: lower.instance,
            imports: bound,
        });
        CoreDef::Export(CoreExport {
            instance,
            name: adapter::EXPORT.to_string(),
            kind: CoreKind::Func,
        })
    }
}
