//! An in-process loader for the relocatable x86_64 ELF objects that
//! `kiln_compiler::compile_module` returns (test-only: the spec harness and
//! fuzzers run compiled code without the system linker).
//!
//! Input: the object bytes and a resolver for undefined symbols (the runtime's
//! `kiln_runtime_embed::symbol_address` in the harness). Output: a
//! [`LoadedObject`]: fresh `mmap`ed memory holding every allocated section,
//! relocated, with text read+execute, read-only data (including
//! `.data.rel.ro`, the descriptors) read-only, and writable data read-write.
//!
//! Layout of one mapping, each part page-aligned so that it gets its own
//! protection:
//!
//! ```text
//! [ executable sections | veneers ] [ read-only sections | GOT ] [ writable sections ]
//!           r-x                                r--                       rw-
//! ```
//!
//! Invariants:
//! - Everything the object defines lives in one mapping smaller than 2 GiB,
//!   so PC-relative references between sections always fit in 32 bits.
//! - Undefined symbols (runtime functions and data in the test binary) can be
//!   anywhere in the address space. GOT-relative references (`GOTPCREL*`,
//!   what Cranelift emits for non-colocated symbols with `is_pic`) go through
//!   a local GOT slot holding the absolute address; a direct call
//!   (`PLT32`) whose target is beyond ±2 GiB goes through a jump veneer
//!   (`jmp *0(%rip)` + the 8-byte address). Any other out-of-range reference is
//!   an error, never a silent truncation.
//! - An unknown undefined symbol is [`LoadError::UnknownSymbol`], reported at
//!   load time (only symbols some relocation uses are resolved).

use object::elf;
use object::{
    Architecture, BinaryFormat, Object, ObjectKind, ObjectSection, ObjectSymbol, RelocationFlags,
    RelocationTarget, SectionIndex, SymbolIndex, SymbolSection,
};
use std::collections::{BTreeMap, HashMap};
use std::ptr::NonNull;

/// Why an object could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a relocatable x86_64 ELF object, or it is malformed.
    #[error("not a loadable relocatable x86_64 ELF object: {0}")]
    Format(String),
    /// An undefined symbol the resolver does not know.
    #[error("undefined symbol `{0}`: the runtime does not provide it")]
    UnknownSymbol(String),
    /// A relocation kind this loader does not implement.
    #[error("unsupported relocation type {r_type} in `{section}` at offset {offset:#x}")]
    UnsupportedRelocation {
        /// ELF `R_X86_64_*` number.
        r_type: u32,
        /// Section being relocated.
        section: String,
        /// Offset in that section.
        offset: u64,
    },
    /// A relocation whose value does not fit its field.
    #[error(
        "relocation type {r_type} in `{section}` at offset {offset:#x} to `{symbol}` is out of range"
    )]
    OutOfRange {
        /// ELF `R_X86_64_*` number.
        r_type: u32,
        /// Section being relocated.
        section: String,
        /// Offset in that section.
        offset: u64,
        /// Target symbol.
        symbol: String,
    },
    /// A symbol the caller asked for is not defined by the object.
    #[error("the object does not define `{0}`")]
    MissingSymbol(String),
    /// `mmap`/`mprotect` failed.
    #[error("mapping the object failed: {0}")]
    Map(#[from] std::io::Error),
}

/// One loaded object: its mapping and its defined symbols. Unmapped on drop:
/// whoever uses code or data of the object (instances, function references)
/// must be gone by then.
#[derive(Debug)]
pub struct LoadedObject {
    base: NonNull<u8>,
    len: usize,
    symbols: HashMap<String, usize>,
}

// SAFETY: after loading, the mapping is only read (code and read-only data)
// or written through the raw pointers compiled code owns; the handle itself
// has no interior mutability.
unsafe impl Send for LoadedObject {}
// SAFETY: as above.
unsafe impl Sync for LoadedObject {}

impl LoadedObject {
    /// Address of the defined symbol `name`.
    pub fn symbol(&self, name: &str) -> Option<usize> {
        self.symbols.get(name).copied()
    }

    /// The module descriptor (`kiln_abi::symbols::MODULE`), checked for
    /// magic and ABI version.
    ///
    /// # Safety
    /// The returned reference claims `'static`, as `kiln_runtime_embed` requires;
    /// the caller must keep `self` alive (mapped) for as long as the
    /// descriptor or anything built from it (a runtime `Module`, instances,
    /// function references) is used.
    pub unsafe fn module_descriptor(
        &self,
    ) -> Result<&'static kiln_abi::descriptor::ModuleDescriptor, LoadError> {
        let addr = self
            .symbol(kiln_abi::symbols::MODULE)
            .ok_or_else(|| LoadError::MissingSymbol(kiln_abi::symbols::MODULE.into()))?;
        let end = addr + std::mem::size_of::<kiln_abi::descriptor::ModuleDescriptor>();
        let start = self.base.as_ptr() as usize;
        if addr < start
            || end > start + self.len
            || !addr.is_multiple_of(std::mem::align_of::<kiln_abi::descriptor::ModuleDescriptor>())
        {
            return Err(LoadError::Format(
                "the module descriptor is outside the object's data".into(),
            ));
        }
        // SAFETY: in bounds and aligned (checked above), initialized by the
        // object's data, and alive as long as the caller keeps `self`.
        let desc = unsafe { &*(addr as *const kiln_abi::descriptor::ModuleDescriptor) };
        if desc.magic != kiln_abi::MODULE_MAGIC || desc.abi_version != kiln_abi::ABI_VERSION {
            return Err(LoadError::Format(format!(
                "bad module descriptor: magic {:#x}, ABI version {}",
                desc.magic, desc.abi_version
            )));
        }
        Ok(desc)
    }

    /// The address range of the mapping.
    pub fn range(&self) -> std::ops::Range<usize> {
        let start = self.base.as_ptr() as usize;
        start..start + self.len
    }
}

impl Drop for LoadedObject {
    fn drop(&mut self) {
        // SAFETY: the mapping was created by `load` with exactly this length
        // and nothing else owns it.
        unsafe {
            let _ = rustix::mm::munmap(self.base.as_ptr().cast(), self.len);
        }
    }
}

const PAGE: u64 = 4096;
/// `jmp *0(%rip)` followed by the 8-byte target, padded to 16 bytes.
const VENEER_SIZE: u64 = 16;
const GOT_ENTRY_SIZE: u64 = 8;

/// Which protection a part of the mapping gets.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Exec,
    ReadOnly,
    Writable,
}

/// Loads `object`, resolving undefined symbols with `resolve`.
pub fn load(
    object: &[u8],
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> Result<LoadedObject, LoadError> {
    let file = object::File::parse(object).map_err(|e| LoadError::Format(e.to_string()))?;
    if file.format() != BinaryFormat::Elf
        || file.architecture() != Architecture::X86_64
        || file.kind() != ObjectKind::Relocatable
    {
        return Err(LoadError::Format(format!(
            "{:?} {:?} {:?}",
            file.format(),
            file.architecture(),
            file.kind()
        )));
    }
    let layout = Layout::plan(&file)?;
    let mapping = Mapping::new(layout.total)?;
    let mut loader = Loader {
        file: &file,
        layout: &layout,
        base: mapping.base as u64,
        resolve,
        resolved: HashMap::new(),
    };
    // Section contents (bss stays zero from the anonymous mapping).
    for (&index, &offset) in &layout.sections {
        let section = file
            .section_by_index(SectionIndex(index))
            .map_err(|e| LoadError::Format(e.to_string()))?;
        if section.kind() == object::SectionKind::UninitializedData {
            continue;
        }
        let data = section
            .data()
            .map_err(|e| LoadError::Format(e.to_string()))?;
        mapping.write(offset, data);
    }
    // GOT slots and veneers hold absolute symbol addresses.
    for (&symbol, &slot) in &layout.got {
        let addr = loader.symbol_address(SymbolIndex(symbol))?;
        mapping.write(slot, &addr.to_le_bytes());
    }
    for (&symbol, &veneer) in &layout.veneers {
        let addr = loader.symbol_address(SymbolIndex(symbol))?;
        let mut code = [0u8; VENEER_SIZE as usize];
        code[..6].copy_from_slice(&[0xff, 0x25, 0, 0, 0, 0]);
        code[6..14].copy_from_slice(&addr.to_le_bytes());
        mapping.write(veneer, &code);
    }
    for (&index, &offset) in &layout.sections {
        let section = file
            .section_by_index(SectionIndex(index))
            .map_err(|e| LoadError::Format(e.to_string()))?;
        for (place, reloc) in section.relocations() {
            let patch = loader.relocate(&section, offset, place, &reloc)?;
            mapping.write(patch.0, &patch.1[..patch.2]);
        }
    }
    let symbols = loader.defined_symbols()?;
    mapping.protect(&layout)?;
    Ok(mapping.finish(symbols))
}

/// Where every part of the object goes, as offsets from the mapping's base.
struct Layout {
    sections: BTreeMap<usize, u64>,
    /// GOT slot of each symbol some GOT-relative relocation uses.
    got: BTreeMap<usize, u64>,
    /// Veneer of each undefined symbol a direct call uses.
    veneers: BTreeMap<usize, u64>,
    /// Start of each part (in [`Part`] order) and the end.
    parts: [u64; 4],
    total: u64,
}

impl Layout {
    fn plan(file: &object::File<'_>) -> Result<Layout, LoadError> {
        let mut by_part: BTreeMap<Part, Vec<(usize, u64, u64)>> = BTreeMap::new();
        for section in file.sections() {
            let object::SectionFlags::Elf { sh_flags } = section.flags() else {
                continue;
            };
            if sh_flags & u64::from(elf::SHF_ALLOC) == 0 {
                continue;
            }
            let name = section.name().unwrap_or("");
            let part = if sh_flags & u64::from(elf::SHF_EXECINSTR) != 0 {
                Part::Exec
            } else if sh_flags & u64::from(elf::SHF_WRITE) != 0 && !name.starts_with(".data.rel.ro")
            {
                Part::Writable
            } else {
                // `.data.rel.ro` is writable only so that a dynamic linker
                // can relocate it; here relocation happens before protection.
                Part::ReadOnly
            };
            by_part.entry(part).or_default().push((
                section.index().0,
                section.size(),
                section.align().max(1),
            ));
        }
        let mut got = BTreeMap::new();
        let mut veneers = BTreeMap::new();
        for section in file.sections() {
            for (_, reloc) in section.relocations() {
                let (RelocationFlags::Elf { r_type }, RelocationTarget::Symbol(symbol)) =
                    (reloc.flags(), reloc.target())
                else {
                    continue;
                };
                match r_type {
                    elf::R_X86_64_GOTPCREL
                    | elf::R_X86_64_GOTPCRELX
                    | elf::R_X86_64_REX_GOTPCRELX => {
                        got.insert(symbol.0, 0);
                    }
                    elf::R_X86_64_PLT32 => {
                        let sym = file
                            .symbol_by_index(symbol)
                            .map_err(|e| LoadError::Format(e.to_string()))?;
                        if sym.is_undefined() {
                            veneers.insert(symbol.0, 0);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut cursor = 0u64;
        let mut sections = BTreeMap::new();
        let mut parts = [0u64; 4];
        for (i, part) in [Part::Exec, Part::ReadOnly, Part::Writable]
            .into_iter()
            .enumerate()
        {
            cursor = cursor.next_multiple_of(PAGE);
            parts[i] = cursor;
            for &(index, size, align) in by_part.get(&part).into_iter().flatten() {
                cursor = cursor.next_multiple_of(align);
                sections.insert(index, cursor);
                cursor += size;
            }
            match part {
                Part::Exec => {
                    cursor = cursor.next_multiple_of(VENEER_SIZE);
                    for slot in veneers.values_mut() {
                        *slot = cursor;
                        cursor += VENEER_SIZE;
                    }
                }
                Part::ReadOnly => {
                    cursor = cursor.next_multiple_of(GOT_ENTRY_SIZE);
                    for slot in got.values_mut() {
                        *slot = cursor;
                        cursor += GOT_ENTRY_SIZE;
                    }
                }
                Part::Writable => {}
            }
        }
        let total = cursor.next_multiple_of(PAGE).max(PAGE);
        parts[3] = total;
        if total >= 1 << 31 {
            return Err(LoadError::Format("object larger than 2 GiB".into()));
        }
        Ok(Layout {
            sections,
            got,
            veneers,
            parts,
            total,
        })
    }
}

struct Loader<'a, 'data> {
    file: &'a object::File<'data>,
    layout: &'a Layout,
    base: u64,
    resolve: &'a dyn Fn(&str) -> Option<usize>,
    resolved: HashMap<usize, u64>,
}

impl Loader<'_, '_> {
    fn symbol_name(&self, index: SymbolIndex) -> String {
        self.file
            .symbol_by_index(index)
            .ok()
            .and_then(|s| s.name().ok().map(str::to_string))
            .unwrap_or_else(|| format!("#{}", index.0))
    }

    fn symbol_address(&mut self, index: SymbolIndex) -> Result<u64, LoadError> {
        if let Some(&addr) = self.resolved.get(&index.0) {
            return Ok(addr);
        }
        let symbol = self
            .file
            .symbol_by_index(index)
            .map_err(|e| LoadError::Format(e.to_string()))?;
        let addr = match symbol.section() {
            SymbolSection::Section(section) => {
                let offset = self.layout.sections.get(&section.0).ok_or_else(|| {
                    LoadError::Format(format!(
                        "symbol `{}` is in a section that is not loaded",
                        self.symbol_name(index)
                    ))
                })?;
                self.base + offset + symbol.address()
            }
            SymbolSection::Absolute => symbol.address(),
            SymbolSection::Undefined => {
                let name = symbol
                    .name()
                    .map_err(|e| LoadError::Format(e.to_string()))?;
                (self.resolve)(name).ok_or_else(|| LoadError::UnknownSymbol(name.into()))? as u64
            }
            other => {
                return Err(LoadError::Format(format!(
                    "symbol `{}` has an unsupported section kind {other:?}",
                    self.symbol_name(index)
                )));
            }
        };
        self.resolved.insert(index.0, addr);
        Ok(addr)
    }

    /// The bytes to write for one relocation: (mapping offset, bytes, length).
    fn relocate(
        &mut self,
        section: &object::Section<'_, '_>,
        section_offset: u64,
        place: u64,
        reloc: &object::Relocation,
    ) -> Result<(u64, [u8; 8], usize), LoadError> {
        let section_name = || section.name().unwrap_or("?").to_string();
        let RelocationFlags::Elf { r_type } = reloc.flags() else {
            return Err(LoadError::Format("non-ELF relocation".into()));
        };
        let RelocationTarget::Symbol(symbol) = reloc.target() else {
            return Err(LoadError::Format(format!(
                "relocation in `{}` at {place:#x} has no symbol",
                section_name()
            )));
        };
        if reloc.has_implicit_addend() {
            return Err(LoadError::Format(
                "REL relocations (implicit addends)".into(),
            ));
        }
        let offset = section_offset + place;
        let p = self.base + offset;
        let a = reloc.addend();
        let out_of_range = |this: &Self| LoadError::OutOfRange {
            r_type,
            section: section_name(),
            offset: place,
            symbol: this.symbol_name(symbol),
        };
        let pc32 = |target: u64| -> Option<[u8; 8]> {
            let value = (target as i64).wrapping_add(a).wrapping_sub(p as i64);
            i32::try_from(value).ok().map(widen_i32)
        };
        let (bytes, len) = match r_type {
            elf::R_X86_64_64 => {
                let s = self.symbol_address(symbol)?;
                (s.wrapping_add_signed(a).to_le_bytes(), 8)
            }
            elf::R_X86_64_PC64 => {
                let s = self.symbol_address(symbol)?;
                let value = (s as i64).wrapping_add(a).wrapping_sub(p as i64);
                (value.to_le_bytes(), 8)
            }
            elf::R_X86_64_PC32 => {
                let s = self.symbol_address(symbol)?;
                (pc32(s).ok_or_else(|| out_of_range(self))?, 4)
            }
            elf::R_X86_64_PLT32 => {
                let s = self.symbol_address(symbol)?;
                let bytes = match (pc32(s), self.layout.veneers.get(&symbol.0)) {
                    (Some(bytes), _) => bytes,
                    (None, Some(&veneer)) => {
                        pc32(self.base + veneer).ok_or_else(|| out_of_range(self))?
                    }
                    (None, None) => return Err(out_of_range(self)),
                };
                (bytes, 4)
            }
            elf::R_X86_64_GOTPCREL | elf::R_X86_64_GOTPCRELX | elf::R_X86_64_REX_GOTPCRELX => {
                let slot = *self
                    .layout
                    .got
                    .get(&symbol.0)
                    .expect("planned: every GOT-relative relocation has a slot");
                (pc32(self.base + slot).ok_or_else(|| out_of_range(self))?, 4)
            }
            elf::R_X86_64_32 => {
                let s = self.symbol_address(symbol)?;
                let value =
                    u32::try_from(s.wrapping_add_signed(a)).map_err(|_| out_of_range(self))?;
                (widen_u32(value), 4)
            }
            elf::R_X86_64_32S => {
                let s = self.symbol_address(symbol)?;
                let value = i32::try_from(s.wrapping_add_signed(a) as i64)
                    .map_err(|_| out_of_range(self))?;
                (widen_i32(value), 4)
            }
            _ => {
                return Err(LoadError::UnsupportedRelocation {
                    r_type,
                    section: section_name(),
                    offset: place,
                });
            }
        };
        if place + len as u64 > section.size() {
            return Err(LoadError::Format(format!(
                "relocation at {place:#x} past the end of `{}`",
                section_name()
            )));
        }
        Ok((offset, bytes, len))
    }

    /// Every named symbol the object defines, by name (globals win over
    /// locals of the same name).
    fn defined_symbols(&mut self) -> Result<HashMap<String, usize>, LoadError> {
        let mut symbols = HashMap::new();
        let mut locals = Vec::new();
        for symbol in self.file.symbols() {
            if symbol.is_undefined() || symbol.kind() == object::SymbolKind::Section {
                continue;
            }
            let SymbolSection::Section(section) = symbol.section() else {
                continue;
            };
            if !self.layout.sections.contains_key(&section.0) {
                continue;
            }
            let Ok(name) = symbol.name() else { continue };
            if name.is_empty() {
                continue;
            }
            let addr = self.symbol_address(symbol.index())? as usize;
            if symbol.is_global() {
                symbols.insert(name.to_string(), addr);
            } else {
                locals.push((name.to_string(), addr));
            }
        }
        for (name, addr) in locals {
            symbols.entry(name).or_insert(addr);
        }
        Ok(symbols)
    }
}

fn widen_i32(v: i32) -> [u8; 8] {
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&v.to_le_bytes());
    out
}

fn widen_u32(v: u32) -> [u8; 8] {
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&v.to_le_bytes());
    out
}

/// The anonymous mapping being filled; unmapped on error.
struct Mapping {
    base: *mut u8,
    len: usize,
}

impl Mapping {
    fn new(len: u64) -> Result<Mapping, LoadError> {
        let len = usize::try_from(len).map_err(|_| LoadError::Format("too large".into()))?;
        // SAFETY: a fresh private anonymous mapping; no existing memory is
        // affected.
        let base = unsafe {
            rustix::mm::mmap_anonymous(
                std::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::PRIVATE,
            )
        }
        .map_err(std::io::Error::from)?;
        Ok(Mapping {
            base: base.cast(),
            len,
        })
    }

    fn write(&self, offset: u64, bytes: &[u8]) {
        let offset = offset as usize;
        assert!(
            offset + bytes.len() <= self.len,
            "planned: inside the mapping"
        );
        // SAFETY: in bounds (asserted) of a read-write mapping we own.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.add(offset), bytes.len());
        }
    }

    fn protect(&self, layout: &Layout) -> Result<(), LoadError> {
        use rustix::mm::MprotectFlags as F;
        let flags = [F::READ | F::EXEC, F::READ, F::READ | F::WRITE];
        for (i, flags) in flags.into_iter().enumerate() {
            let (start, end) = (layout.parts[i], layout.parts[i + 1]);
            if end <= start {
                continue;
            }
            // SAFETY: a page-aligned range inside our own mapping.
            unsafe {
                rustix::mm::mprotect(
                    self.base.add(start as usize).cast(),
                    (end - start) as usize,
                    flags,
                )
            }
            .map_err(std::io::Error::from)?;
        }
        Ok(())
    }

    fn finish(self, symbols: HashMap<String, usize>) -> LoadedObject {
        let this = std::mem::ManuallyDrop::new(self);
        LoadedObject {
            base: NonNull::new(this.base).expect("mmap never returns null"),
            len: this.len,
            symbols,
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: our own mapping, not handed out (finish() skips this).
        unsafe {
            let _ = rustix::mm::munmap(self.base.cast(), self.len);
        }
    }
}

#[cfg(test)]
mod tests;
