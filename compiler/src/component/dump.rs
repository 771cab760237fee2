//! A compact, stable text form of a [`ComponentPlan`] for golden tests and
//! debugging (`ComponentPlan::dump`). Types print WIT-like, structurally
//! (`result<u64, variant{last-operation-failed(own<r0>), closed}>`).

use super::plan::{
    AsyncBuiltin, CanonOptions, ComponentPlan, CoreDef, CoreKind, ImportKind, Resource,
    StringEncoding, Trampoline,
};
use super::types::FuncType;
use kiln_abi::component::{Children, Type, TypeIndex, TypeTable};
use std::fmt::{self, Write};

impl ComponentPlan {
    /// The plan as text, one item per line. `ranges`: print module byte
    /// ranges (off for components built by a toolchain, whose layout
    /// changes with its version).
    pub fn dump(&self, ranges: bool) -> String {
        let mut out = String::new();
        self.write(&mut out, ranges)
            .expect("writing to a String cannot fail");
        out
    }

    fn write(&self, out: &mut String, ranges: bool) -> fmt::Result {
        writeln!(out, "component instances: {}", self.component_instances)?;
        for (i, m) in self.modules.iter() {
            write!(out, "{i}:")?;
            if let Some(bytes) = &m.generated {
                write!(out, " generated")?;
                if ranges {
                    write!(out, " ({} bytes)", bytes.len())?;
                }
            } else if ranges {
                write!(out, " {:#x}..{:#x}", m.range.start, m.range.end)?;
            }
            writeln!(out, " ({} imports)", m.imports.len())?;
        }
        for (i, imp) in self.imports.iter() {
            let kind = match imp.kind {
                ImportKind::Instance => "instance",
                ImportKind::Func => "func",
                ImportKind::Type => "type",
            };
            writeln!(out, "{i}: {kind} {:?}", imp.name)?;
            for f in &imp.funcs {
                writeln!(out, "  uses {f:?}")?;
            }
        }
        for (i, r) in self.resources.iter() {
            match r {
                Resource::Imported { path } => {
                    writeln!(out, "resource {i}: imported {}", path_str(path))?
                }
                Resource::Defined { instance, dtor } => {
                    write!(out, "resource {i}: defined in {instance}")?;
                    if let Some(d) = dtor {
                        write!(out, ", dtor {}", core_def(d))?;
                    }
                    writeln!(out)?;
                }
            }
        }
        for (i, inst) in self.instances.iter() {
            let module = &self.modules[inst.module];
            writeln!(out, "{i}: {} in {}", inst.module, inst.component_instance)?;
            for ((m, n, kind), def) in module.imports.iter().zip(&inst.imports) {
                writeln!(
                    out,
                    "  {m:?} {n:?} {} <- {}",
                    kind_str(*kind),
                    core_def(def)
                )?;
            }
        }
        let table = self.types.table();
        for (i, t) in self.trampolines.iter() {
            write!(out, "{i}: ")?;
            match t {
                Trampoline::LowerImport {
                    import,
                    path,
                    ty,
                    options,
                } => writeln!(
                    out,
                    "lower {import} {}: {} {}",
                    path_str(path),
                    func_type(table, &self.func_types[*ty]),
                    options_str(options)
                )?,
                Trampoline::ResourceNew { resource, instance } => {
                    writeln!(out, "resource.new {resource} in {instance}")?
                }
                Trampoline::ResourceRep { resource, instance } => {
                    writeln!(out, "resource.rep {resource} in {instance}")?
                }
                Trampoline::ResourceDrop { resource, instance } => {
                    writeln!(out, "resource.drop {resource} in {instance}")?
                }
                Trampoline::AdapterFlags { instance } => {
                    writeln!(out, "adapter flags of {instance}")?
                }
                Trampoline::AdapterHandle { resource } => {
                    writeln!(out, "adapter handle {resource}")?
                }
                Trampoline::AdapterTranscode { op, dst, src } => writeln!(
                    out,
                    "adapter transcode {} {:?} in {} -> {:?} in {}",
                    op.name(),
                    src.string_encoding,
                    src.instance,
                    dst.string_encoding,
                    dst.instance
                )?,
                Trampoline::AsyncCall {
                    ty,
                    lower,
                    lift,
                    core_values,
                    ..
                } => writeln!(
                    out,
                    "{} {} {} -> {}",
                    if *core_values {
                        "task call"
                    } else {
                        "async call"
                    },
                    func_type(table, &self.func_types[*ty]),
                    options_str(lower),
                    options_str(lift)
                )?,
                Trampoline::AsyncBuiltin(b) => {
                    let mut text = b.builtin.name().to_string();
                    if let Some(t) = b.ty {
                        text += &format!(" {}", val_type(table, t));
                    }
                    if let Some(f) = b.func_type {
                        text += &format!(" {}", func_type(table, &self.func_types[f]));
                    }
                    if matches!(
                        b.builtin,
                        AsyncBuiltin::ContextGet | AsyncBuiltin::ContextSet
                    ) {
                        text += &format!(" {}", b.imm);
                    }
                    if b.cancellable {
                        text += " cancellable";
                    }
                    writeln!(out, "{text} {}", options_str(&b.options))?
                }
            }
        }
        for e in &self.exports {
            writeln!(
                out,
                "export {}: {} {} {}",
                path_str(&e.path),
                core_def(&e.func),
                func_type(table, &self.func_types[e.ty]),
                options_str(&e.options)
            )?;
        }
        Ok(())
    }
}

fn path_str(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("{p:?}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn kind_str(kind: CoreKind) -> &'static str {
    match kind {
        CoreKind::Func => "func",
        CoreKind::Table => "table",
        CoreKind::Memory => "memory",
        CoreKind::Global => "global",
        CoreKind::Tag => "tag",
    }
}

fn core_def(def: &CoreDef) -> String {
    match def {
        CoreDef::Export(e) => format!("{} {:?}", e.instance, e.name),
        CoreDef::Trampoline(t) => t.to_string(),
        CoreDef::InstanceFlags(i) => format!("flags of component instance {}", i.as_u32()),
    }
}

fn options_str(o: &CanonOptions) -> String {
    let mut parts = vec![o.instance.to_string()];
    parts.push(
        match o.string_encoding {
            StringEncoding::Utf8 => "utf8",
            StringEncoding::Utf16 => "utf16",
            StringEncoding::Latin1Utf16 => "latin1+utf16",
        }
        .to_string(),
    );
    if let Some(m) = &o.memory {
        parts.push(format!("memory {} {:?}", m.instance, m.name));
    }
    if let Some(d) = &o.realloc {
        parts.push(format!("realloc {}", core_def(d)));
    }
    if let Some(d) = &o.post_return {
        parts.push(format!("post-return {}", core_def(d)));
    }
    if let Some(d) = &o.callback {
        parts.push(format!("callback {}", core_def(d)));
    }
    if o.async_ {
        parts.push("async".to_string());
    }
    format!("[{}]", parts.join(", "))
}

/// `func(a: T, ...) -> R`, with `async ` in front for async types.
pub fn func_type(table: TypeTable<'_>, ty: &FuncType) -> String {
    let params = ty
        .params
        .iter()
        .map(|(n, t)| format!("{n}: {}", val_type(table, *t)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = format!("{}func({params})", if ty.async_ { "async " } else { "" });
    if let Some(r) = ty.result {
        s.push_str(" -> ");
        s.push_str(&val_type(table, r));
    }
    s
}

fn opt(table: TypeTable<'_>, t: Option<TypeIndex>) -> String {
    t.map_or("_".to_string(), |t| val_type(table, t))
}

fn children(table: TypeTable<'_>, kids: Children<'_>, named: bool) -> String {
    kids.iter()
        .map(|c| match (named, c.ty) {
            (true, Some(t)) => format!("{}: {}", c.name, val_type(table, t)),
            (false, Some(t)) => val_type(table, t),
            (_, None) => c.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// WIT-like text of value type `t` of `table`.
pub fn val_type(table: TypeTable<'_>, t: TypeIndex) -> String {
    let Some(ty) = table.get(t) else {
        return format!("<bad type {}>", t.0);
    };
    match ty {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::List(t) => format!("list<{}>", val_type(table, t)),
        Type::FixedList(t, n) => format!("list<{}, {n}>", val_type(table, t)),
        Type::Record(kids) => format!("record{{{}}}", children(table, kids, true)),
        Type::Tuple(kids) => format!("tuple<{}>", children(table, kids, false)),
        Type::Variant(kids) => format!(
            "variant{{{}}}",
            kids.iter()
                .map(|c| match c.ty {
                    Some(t) => format!("{}({})", c.name, val_type(table, t)),
                    None => c.name.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Enum(kids) => format!("enum{{{}}}", children(table, kids, true)),
        Type::Flags(kids) => format!("flags{{{}}}", children(table, kids, true)),
        Type::Option(t) => format!("option<{}>", val_type(table, t)),
        Type::Result { ok, err } => match (ok, err) {
            (None, None) => "result".into(),
            _ => format!("result<{}, {}>", opt(table, ok), opt(table, err)),
        },
        Type::Own(r) => format!("own<r{r}>"),
        Type::Borrow(r) => format!("borrow<r{r}>"),
        Type::Future(t) => format!("future<{}>", opt(table, t)),
        Type::Stream(t) => format!("stream<{}>", opt(table, t)),
    }
}
