//! Phase 3: compiled code and module facts -> one relocatable object.
//!
//! Inputs: the plain-data [`ModuleInfo`] (and the module's bytes, whose
//! ranges it records: bodies, data segments), the [`DeclaredFuncs`] and
//! one [`CompiledFunc`] per function (machine code, relocations, trap and
//! source tables), all from the driver ([`crate::pipeline`]). Output: the
//! bytes of one relocatable object (ELF on Linux) holding:
//! - local function symbols: `__kiln_func_N` (defined wasm functions),
//!   `__kiln_host_call_N` (imported WASI functions), `__kiln_array_call_N`
//!   (exported functions and the start function);
//! - the exported data symbols `__kiln_module` ([`descriptor`]),
//!   `__kiln_grants` ([`grants`]) and `__kiln_program` ([`program`], kind
//!   `PROGRAM_MODULE`, pointing at `__kiln_module`), with local arrays
//!   `__kiln_desc_*` and memory images `__kiln_image_N` ([`image`]);
//! - undefined references to `__kiln_abi_v<N>`, every `__kiln_rt_<libcall>`
//!   and the `__kiln_p1_<name>` functions the module imports.
//!
//! A component's core modules go through the same code into one shared
//! [`ObjectModule`]: module `N`'s symbols are in
//! [`Namespace::ComponentModule`](crate::key::Namespace) (`__kiln_m<N>_func_7`,
//! a local `__kiln_m<N>_module`), and the libcall imports are shared
//! (declaring the same import twice yields the same symbol). The
//! component's own data (`__kiln_component` and its arrays) is written by
//! [`component`], its `__kiln_program` and `__kiln_grants` as a module's.
//!
//! Nothing here translates wasm or builds CLIF: this phase only places
//! code it is given and encodes plain data. Invariant: the same inputs give
//! byte-identical output (functions are defined in the order given, data
//! objects kept in `BTreeMap`s).

pub(crate) mod component;
pub(crate) mod data;
mod debug_symbols;
pub(crate) mod descriptor;
pub(crate) mod exceptions;
pub(crate) mod grants;
mod image;
pub(crate) mod names;
pub(crate) mod program;
pub mod symbols;

#[cfg(test)]
mod tests;

pub use image::{IMAGE_SECTION, OS_PAGE_SIZE};

use crate::CompileError;
use crate::key::{DeclaredFuncs, Job};
use crate::module::ModuleInfo;
use cranelift_codegen::isa::TargetIsa;
use cranelift_module::{DataId, FuncId, Module, ModuleReloc};
use cranelift_object::{ObjectBuilder, ObjectModule};
use data::{DataObjects, StringPool, object_error};
use kiln_abi::tables::{SrcLoc, TrapSite};
use std::sync::Arc;

/// One of a function's innermost loops in its machine code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotLoop {
    /// Offset of its header.
    pub head: u32,
    /// Byte ranges of its blocks, sorted.
    pub ranges: Vec<(u32, u32)>,
}

/// Machine code and metadata of one compiled function, as the driver hands
/// it over.
pub struct CompiledFunc {
    /// What was compiled.
    pub job: Job,
    /// Its declared id.
    pub id: FuncId,
    /// Machine code.
    pub bytes: Vec<u8>,
    /// Preferred alignment of the code.
    pub alignment: u64,
    /// Alignment the code cannot do without (its constants'): the start
    /// [`define_functions`] may pick instead of `alignment` to place
    /// `loops`.
    pub min_alignment: u64,
    /// The function's innermost loops (see [`LOOP_ALIGN`]).
    pub loops: Vec<HotLoop>,
    /// Relocations, ready for `define_function_bytes`.
    pub relocs: Vec<ModuleReloc>,
    /// Trapping instructions, sorted by offset.
    pub traps: Vec<TrapSite>,
    /// Native -> wasm offsets at trap sites and calls, sorted by native
    /// offset.
    pub srclocs: Vec<SrcLoc>,
    /// The frames its inlined code's source locations name
    /// (`kiln_abi::tables::INLINED | i` is entry `i`).
    pub inlined: crate::pipeline::InlinedChains,
    /// Calls inside `try_table`s, with their exception handlers.
    pub call_sites: Vec<exceptions::CallSiteEntry>,
}

/// The data of one core module, compiled: what [`emit_module_data`] writes.
pub struct ModuleData<'a> {
    /// The module.
    pub info: &'a ModuleInfo,
    /// Its bytes (`info` refers to ranges of them).
    pub wasm: &'a [u8],
    /// Declared function ids.
    pub ids: &'a DeclaredFuncs,
    /// Every compiled function and trampoline.
    pub compiled: &'a [CompiledFunc],
    /// `VMContext` size of an instance.
    pub vmctx_size: u32,
    /// Offset of `wasm` in the file the user compiled (a component's core
    /// module starts inside it): added to every wasm offset in the
    /// descriptor, so backtraces show file offsets as wasmtime does.
    pub wasm_base: u32,
    /// Whether this is the program's one core module, whose signature ids
    /// the compiler computes (`ModuleDescriptor::type_ids`).
    pub program_types: bool,
    /// Leading element segments the element initializer handles
    /// (`ModuleDescriptor::num_applied_elems`; 0 without one).
    pub applied_elems: u32,
}

/// A fresh object for `isa`.
pub(crate) fn new_object(isa: &Arc<dyn TargetIsa>) -> Result<ObjectModule, CompileError> {
    let builder = ObjectBuilder::new(
        isa.clone(),
        "kiln-module",
        cranelift_module::default_libcall_names(),
    )
    .map_err(object_error)?;
    Ok(ObjectModule::new(builder))
}

/// The window size a function's innermost loops are placed in. A loop's
/// instructions are fetched and decoded (and, on AMD's Zen, cached as
/// micro-ops) in aligned 32- or 64-byte windows, so a loop that spans one
/// window more than it needs takes a slot more per iteration where the
/// front end bounds it: the matmul kernel's inner loop (95 bytes) ran at
/// 1.27x Wasmtime's time over three windows and 0.91x over two
/// (`benches/kernels.rs`, 20 rounds). Cranelift does not align blocks, so
/// the function's start is chosen to put its loops there.
pub const LOOP_ALIGN: u64 = 64;

/// The size of the object's code section so far: cranelift-object appends
/// each function at the next multiple of its alignment, which
/// [`define_functions`] reproduces to choose starts.
#[derive(Debug, Default)]
pub struct TextCursor {
    offset: u64,
}

impl TextCursor {
    /// Defines function `id`'s code in `module` (appended to the code
    /// section at alignment `align`) and records it: every function goes
    /// through here, so the cursor stays the section's size.
    pub fn define(
        &mut self,
        module: &mut ObjectModule,
        id: FuncId,
        align: u64,
        bytes: &[u8],
        relocs: &[ModuleReloc],
    ) -> Result<(), CompileError> {
        module
            .define_function_bytes(id, align, bytes, relocs)
            .map_err(object_error)?;
        self.offset = self.offset.next_multiple_of(align.max(1)) + bytes.len() as u64;
        Ok(())
    }
}

/// Defines the code of every compiled function, in the order given, at the
/// end of the code section `text` describes.
///
/// A function with loops starts where its innermost loops touch the fewest
/// [`LOOP_ALIGN`] windows, and of those starts, where the first loop's
/// header lies nearest a window's start (within the alignment its code
/// requires): the gap goes at the end of the function before it, as
/// `int3`s, never executed (the first function of the batch keeps its
/// plain alignment).
pub(crate) fn define_functions(
    module: &mut ObjectModule,
    compiled: &[CompiledFunc],
    text: &mut TextCursor,
) -> Result<(), CompileError> {
    let shapes: Vec<Shape<'_>> = compiled
        .iter()
        .map(|f| Shape {
            alignment: f.alignment,
            min_alignment: f.min_alignment,
            loops: &f.loops,
            len: f.bytes.len() as u64,
        })
        .collect();
    let starts = place_loops(&shapes, text.offset);
    for (i, f) in compiled.iter().enumerate() {
        let (mut align, _) = starts[i];
        if text.offset == 0 {
            // The section's alignment is its functions' greatest: at least
            // a window, so offsets in it are offsets in windows.
            align = align.max(LOOP_ALIGN);
        }
        let pad = starts.get(i + 1).map_or(0, |&(_, pad)| pad);
        let bytes = if pad == 0 {
            std::borrow::Cow::Borrowed(&f.bytes[..])
        } else {
            let mut padded = f.bytes.clone();
            padded.resize(f.bytes.len() + pad as usize, 0xcc);
            std::borrow::Cow::Owned(padded)
        };
        text.define(module, f.id, align, &bytes, &f.relocs)?;
    }
    Ok(())
}

/// What [`place_loops`] needs of a compiled function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape<'a> {
    /// Preferred alignment.
    pub alignment: u64,
    /// Required alignment.
    pub min_alignment: u64,
    /// Its innermost loops.
    pub loops: &'a [HotLoop],
    /// Code size.
    pub len: u64,
}

/// For each function from `offset` on: the alignment to define it with and
/// the padding to append to the function before it.
pub(crate) fn place_loops(funcs: &[Shape<'_>], offset: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(funcs.len());
    let mut end = offset;
    for (i, f) in funcs.iter().enumerate() {
        let (align, pad) = match f.loops.first() {
            Some(first) if i > 0 && f.min_alignment <= LOOP_ALIGN => {
                let req = f.min_alignment.max(1);
                let base = end.next_multiple_of(req);
                let start = (0..LOOP_ALIGN / req)
                    .map(|k| base + k * req)
                    .min_by_key(|&s| {
                        let head = (s + u64::from(first.head)) % LOOP_ALIGN;
                        (windows(f.loops, s), head)
                    })
                    .expect("at least one candidate");
                (req, start - end)
            }
            _ => (f.alignment.max(1), 0),
        };
        let start = (end + pad).next_multiple_of(align);
        out.push((align, pad));
        end = start + f.len;
    }
    out
}

/// How many [`LOOP_ALIGN`] windows `loops` touch, each counted once per
/// loop, with the function at `start` (a loop's ranges are sorted).
fn windows(loops: &[HotLoop], start: u64) -> u64 {
    loops
        .iter()
        .map(|l| {
            // Windows up to `seen` are counted already (sorted, disjoint
            // ranges end in ever later windows).
            let (mut count, mut seen) = (0, None);
            for &(from, to) in l.ranges.iter().filter(|(from, to)| to > from) {
                let first = (start + u64::from(from)) / LOOP_ALIGN;
                let first = seen.map_or(first, |s: u64| first.max(s + 1));
                let last = (start + u64::from(to) - 1) / LOOP_ALIGN;
                count += (last + 1).saturating_sub(first);
                seen = Some(last);
            }
            count
        })
        .sum()
}

/// Writes the descriptor and the memory images of a compiled module into
/// `objects`/`strings` (not yet defined).
pub(crate) fn emit_module_data(
    input: &ModuleData<'_>,
    objects: &mut DataObjects,
    strings: &mut StringPool,
) {
    let images = image::plan_images(input.info, input.wasm);
    let desc = descriptor::DescriptorInput {
        info: input.info,
        wasm: input.wasm,
        ids: input.ids,
        compiled: input.compiled,
        images: &images,
        vmctx_size: input.vmctx_size,
        wasm_base: input.wasm_base,
        program_types: input.program_types,
        applied_elems: input.applied_elems,
    };
    descriptor::emit_descriptor(&desc, objects, strings);
    image::emit_images(images.images, objects);
}

/// Declares and defines the object's tier flag
/// (`crate::pipeline::tiers`): one writable byte, zero until the runtime
/// sets it at start-up.
pub(crate) fn define_tier_flag(module: &mut ObjectModule) -> Result<DataId, CompileError> {
    let id = module
        .declare_data(
            crate::pipeline::TIER_FLAG_SYMBOL,
            cranelift_module::Linkage::Local,
            true,
            false,
        )
        .map_err(object_error)?;
    let mut desc = cranelift_module::DataDescription::new();
    desc.define_zeroinit(1);
    module.define_data(id, &desc).map_err(object_error)?;
    Ok(id)
}

/// Declares the markers of the code section's bounds
/// ([`kiln_abi::symbols::CODE_START`], `CODE_END`), for the program
/// descriptor's relocations. Declared as imports (after every other
/// symbol, so no function id moves); [`finish_object`] defines them at the
/// start and end of the code section, once its size is known.
pub(crate) fn declare_code_markers(
    module: &mut ObjectModule,
) -> Result<(FuncId, FuncId), CompileError> {
    let sig = module.make_signature();
    let mut declare = |name: &str| {
        module
            .declare_function(name, cranelift_module::Linkage::Import, &sig)
            .map_err(object_error)
    };
    Ok((
        declare(kiln_abi::symbols::CODE_START)?,
        declare(kiln_abi::symbols::CODE_END)?,
    ))
}

/// Writes the object file's bytes, with the code markers (if declared)
/// defined as local symbols at offset 0 and at the end of the code section:
/// every function the compiler defines is in that one section (no
/// per-function sections), which the linker keeps in one piece. The
/// self-relative fields `rel` (of data defined into `module`) become
/// 64-bit PC-relative relocations ([`add_rel_relocs`]), and the compiled
/// functions take their name-section names ([`names`]).
pub(crate) fn finish_object(
    module: ObjectModule,
    rel: &data::RelRelocs,
    names: &names::FuncNames,
) -> Result<Vec<u8>, CompileError> {
    use cranelift_object::object::write::{StandardSection, SymbolSection};
    use cranelift_object::object::{SymbolKind, SymbolScope};
    let arch = module.isa().triple().architecture;
    let mut product = module.finish();
    add_rel_relocs(&mut product, arch, rel)?;
    names.apply(&mut product);
    let object = &mut product.object;
    let text = object.section_id(StandardSection::Text);
    let size = object.section(text).data().len() as u64;
    for (name, value) in [
        (kiln_abi::symbols::CODE_START, 0),
        (kiln_abi::symbols::CODE_END, size),
    ] {
        if let Some(id) = object.symbol_id(name.as_bytes()) {
            let symbol = object.symbol_mut(id);
            symbol.section = SymbolSection::Section(text);
            symbol.value = value;
            symbol.size = 0;
            symbol.kind = SymbolKind::Text;
            symbol.scope = SymbolScope::Compilation;
            symbol.weak = false;
        }
    }
    product
        .emit()
        .map_err(|e| CompileError::Object(e.to_string()))
}

/// Adds one relocation per self-relative field: "target + addend - here",
/// 64 bits, which every linker resolves at link time (no dynamic
/// relocation). The `object` crate names no such generic relocation, so the
/// ELF types are given: `R_X86_64_PC64`, `R_AARCH64_PREL64`, `R_390_PC64`;
/// RISC-V has no 64-bit PC-relative type, so there it is the pair
/// `R_RISCV_ADD64` (target) and `R_RISCV_SUB64` (the field, as its
/// section's symbol plus offset) that assemblers emit for label differences.
///
/// COFF has no 64-bit PC-relative type either: there a [`kiln_abi::descriptor::RelAddr`]
/// holds the target's address relative to the image base (an RVA,
/// `IMAGE_REL_AMD64_ADDR32NB` in its low half, the high half zero), which
/// the linker resolves as completely and the loader never touches.
fn add_rel_relocs(
    product: &mut cranelift_object::ObjectProduct,
    arch: target_lexicon::Architecture,
    rel: &data::RelRelocs,
) -> Result<(), CompileError> {
    use cranelift_object::object::write::{Relocation, SymbolId, SymbolSection};
    use cranelift_object::object::{RelocationFlags, elf, pe};
    use target_lexicon::Architecture as A;
    let flags = if product.object.format() == cranelift_object::object::BinaryFormat::Coff {
        RelocationFlags::Coff {
            typ: pe::IMAGE_REL_AMD64_ADDR32NB,
        }
    } else {
        let r_type = match arch {
            A::X86_64 => elf::R_X86_64_PC64,
            A::Aarch64(_) => elf::R_AARCH64_PREL64,
            A::S390x => elf::R_390_PC64,
            A::Riscv64(_) => elf::R_RISCV_ADD64,
            other => {
                return Err(CompileError::Object(format!(
                    "internal: no self-relative data relocation for {other}"
                )));
            }
        };
        RelocationFlags::Elf { r_type }
    };
    let riscv = matches!(arch, A::Riscv64(_));
    for r in rel {
        let symbol = |id: Option<(SymbolId, bool)>| {
            id.map(|(s, _)| s).ok_or_else(|| {
                CompileError::Object("internal: self-relative field of an undeclared symbol".into())
            })
        };
        let from = symbol(product.data_objects[r.from])?;
        let to = match r.to {
            data::RelTarget::Func(f) => symbol(product.functions[f])?,
            data::RelTarget::Data(d) => symbol(product.data_objects[d])?,
        };
        let (section, offset) = {
            let s = product.object.symbol(from);
            let SymbolSection::Section(section) = s.section else {
                return Err(CompileError::Object(
                    "internal: self-relative field in an undefined object".into(),
                ));
            };
            (section, s.value + u64::from(r.at))
        };
        let here = riscv.then(|| product.object.section_symbol(section));
        let mut add = |symbol, addend, flags| {
            product
                .object
                .add_relocation(
                    section,
                    Relocation {
                        offset,
                        symbol,
                        addend,
                        flags,
                    },
                )
                .map_err(|e| CompileError::Object(e.to_string()))
        };
        add(to, r.addend, flags)?;
        if let Some(here) = here {
            let offset = i64::try_from(offset).expect("data sections below 2^63");
            let r_type = elf::R_RISCV_SUB64;
            add(here, offset, RelocationFlags::Elf { r_type })?;
        }
    }
    Ok(())
}
