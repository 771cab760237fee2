//! Resource identities and value types during the replay.
//!
//! Part of phase 1 (WHAT), methods of [`Inliner`] used by its `step`s.
//! Input: wasmparser's types and resource ids at imports, aliases,
//! exports and canonical functions. Output: the plan's resources (a host
//! resource per import path, a defined one per `resource` type), each
//! frame's map from wasmparser's `ResourceId`s to them, and types
//! converted into the plan's tables.
//!
//! Invariant: a resource id is looked up in the frame that names it or
//! the frames its outer aliases reach; one Kiln cannot find is an error,
//! never a panic.

use super::*;

impl Inliner<'_, '_> {
    /// Binds wasmparser's resource id of a new type index (`ty`) to the plan
    /// resource `item` is.
    pub(super) fn bind_type(
        &mut self,
        ty: Option<ComponentAnyTypeId>,
        item: &ComponentItemDef,
    ) -> Result<(), CompileError> {
        if let (
            Some(ComponentAnyTypeId::Resource(r)),
            ComponentItemDef::Type(TypeDef::Resource(index)),
        ) = (ty, item)
        {
            self.top().resources.insert(r.resource(), *index);
        }
        Ok(())
    }

    /// Export `name` of a component instance, as an item of `kind`.
    pub(super) fn instance_export(
        &mut self,
        def: &ComponentInstanceDef,
        name: &str,
        kind: ComponentExternalKind,
    ) -> Result<ComponentItemDef, CompileError> {
        match def {
            ComponentInstanceDef::Items(items) => items
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, item)| named(item.clone(), name))
                .ok_or_else(|| bug("missing export of a component instance")),
            ComponentInstanceDef::Host(path) => {
                let mut path = path.clone();
                path.push(name.to_string());
                Ok(match kind {
                    ComponentExternalKind::Func => {
                        ComponentItemDef::Func(ComponentFuncDef::Host(path))
                    }
                    ComponentExternalKind::Instance => {
                        ComponentItemDef::Instance(ComponentInstanceDef::Host(path))
                    }
                    // Only resource types need identities; other types are
                    // structural.
                    ComponentExternalKind::Type => {
                        ComponentItemDef::Type(TypeDef::Resource(self.host_resource(path)))
                    }
                    _ => return Err(unsupported("component-model module or component imports")),
                })
            }
        }
    }

    /// The plan resource of host resource `path`.
    pub(super) fn host_resource(&mut self, path: Vec<String>) -> ResourceIndex {
        if let Some(&index) = self.host_resources.get(&path) {
            return index;
        }
        let index = self
            .plan
            .resources
            .push(Resource::Imported { path: path.clone() });
        self.host_resources.insert(path, index);
        index
    }

    pub(super) fn import(
        &mut self,
        name: &str,
        ty: ComponentEntityType,
    ) -> Result<(), CompileError> {
        let is_root = self.frames.len() == 1;
        let arg = if is_root {
            let kind = match ty {
                ComponentEntityType::Instance(_) => ImportKind::Instance,
                ComponentEntityType::Func(_) => ImportKind::Func,
                ComponentEntityType::Type { .. } => ImportKind::Type,
                _ => {
                    return Err(unsupported(
                        "component-model module, component or value imports",
                    ));
                }
            };
            let index = self.plan.imports.push(Import {
                name: name.to_string(),
                kind,
                funcs: Vec::new(),
            });
            self.imports_by_name.insert(name.to_string(), index);
            let path = vec![name.to_string()];
            match ty {
                ComponentEntityType::Instance(_) => {
                    ComponentItemDef::Instance(ComponentInstanceDef::Host(path))
                }
                ComponentEntityType::Func(_) => {
                    ComponentItemDef::Func(ComponentFuncDef::Host(path))
                }
                _ => match ty {
                    ComponentEntityType::Type {
                        created: ComponentAnyTypeId::Resource(_),
                        ..
                    } => ComponentItemDef::Type(TypeDef::Resource(self.host_resource(path))),
                    _ => ComponentItemDef::Type(TypeDef::Other),
                },
            }
        } else {
            self.top()
                .args
                .get(name)
                .cloned()
                .ok_or_else(|| bug("missing instantiation argument"))?
        };
        match (ty, &arg) {
            (ComponentEntityType::Instance(id), ComponentItemDef::Instance(def)) => {
                self.bind_instance_resources(id, def)?;
            }
            (
                ComponentEntityType::Type {
                    referenced,
                    created,
                },
                ComponentItemDef::Type(TypeDef::Resource(index)),
            ) => {
                for id in [referenced, created] {
                    if let ComponentAnyTypeId::Resource(r) = id {
                        self.top().resources.insert(r.resource(), *index);
                    }
                }
            }
            _ => {}
        }
        self.top().push_item(arg);
        Ok(())
    }

    /// Binds the resource types an instance of type `ty` exports to what
    /// `def` provides.
    pub(super) fn bind_instance_resources(
        &mut self,
        ty: ComponentInstanceTypeId,
        def: &ComponentInstanceDef,
    ) -> Result<(), CompileError> {
        let types = self.parsed.types.as_ref();
        let exports: Vec<(String, ComponentEntityType)> = types[ty]
            .exports
            .iter()
            .map(|(n, t)| (n.clone(), *t))
            .collect();
        for (name, ety) in exports {
            match ety {
                ComponentEntityType::Type {
                    referenced,
                    created,
                } => {
                    let ids: Vec<ResourceId> = [referenced, created]
                        .into_iter()
                        .filter_map(|id| match id {
                            ComponentAnyTypeId::Resource(r) => Some(r.resource()),
                            _ => None,
                        })
                        .collect();
                    if ids.is_empty() {
                        continue;
                    }
                    // `(export "error" (type (eq $error)))`: already bound.
                    if matches!(def, ComponentInstanceDef::Host(_))
                        && ids.iter().any(|r| self.resource(*r).is_ok())
                    {
                        continue;
                    }
                    let item = self.instance_export(def, &name, ComponentExternalKind::Type)?;
                    if let ComponentItemDef::Type(TypeDef::Resource(index)) = item {
                        for r in ids {
                            self.top().resources.insert(r, index);
                        }
                    }
                }
                ComponentEntityType::Instance(sub) => {
                    if let ComponentItemDef::Instance(sub_def) =
                        self.instance_export(def, &name, ComponentExternalKind::Instance)?
                    {
                        self.bind_instance_resources(sub, &sub_def)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Records that the lowering of host function `path` uses its import.
    pub(super) fn use_import(&mut self, path: &[String]) -> Result<ImportIndex, CompileError> {
        let index = *self
            .imports_by_name
            .get(&path[0])
            .ok_or_else(|| bug("a host path not from a root import"))?;
        let func = path[1..].join("/");
        let funcs = &mut self.plan.imports[index].funcs;
        if !funcs.contains(&func) {
            funcs.push(func);
        }
        Ok(index)
    }

    /// The plan resource wasmparser's `id` names in the current frame (or
    /// a frame its outer aliases can see).
    pub(super) fn resource(&self, id: ResourceId) -> Result<ResourceIndex, CompileError> {
        resource_in(&self.frames, id)
    }

    pub(super) fn func_type(
        &mut self,
        id: ComponentFuncTypeId,
    ) -> Result<FuncTypeIndex, CompileError> {
        self.with_converter(|c| c.func(id))
    }

    /// The plan's index of value type `ty` (a stream, future or
    /// `task.return` result type).
    pub(super) fn val_type(&mut self, ty: &WpValType) -> Result<TypeIndex, CompileError> {
        self.with_converter(|c| c.val(ty))
    }

    /// Runs `f` with a converter into the plan's tables that names
    /// resources as the current frame does.
    fn with_converter<R>(&mut self, f: impl FnOnce(&mut TypeConverter<'_, '_>) -> R) -> R {
        let frames = &self.frames;
        let mut lookup = |r: ResourceId| resource_in(frames, r);
        f(&mut TypeConverter {
            types: self.parsed.types.as_ref(),
            table: &mut self.plan.types,
            func_types: &mut self.plan.func_types,
            resource: &mut lookup,
        })
    }
}
