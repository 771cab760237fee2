//! The module object as placement reads it.
//!
//! Input: the bytes of an x86_64 ELF relocatable object (what Kiln's
//! compiler writes). Output: [`Input`]: its allocated sections grouped by
//! the segment they go to, its symbols, and what it needs from a runtime
//! image ([`Needs`]). Invariant: an object with anything placement does not
//! handle (TLS, common symbols, sections aligned beyond a page) is
//! [`PlaceError::Unsupported`].

use super::{PlaceError, unsupported};
use object::elf;
use object::read::elf::ElfFile64;
use object::{
    LittleEndian as LE, Object, ObjectSection, ObjectSymbol, Relocation, RelocationTarget,
    SectionFlags, SectionIndex, SectionKind, SymbolIndex, SymbolSection,
};

/// Largest section alignment placement handles (a page: segments keep
/// their file offsets and addresses congruent modulo a page).
pub const PAGE: u64 = 4096;

/// The segment a section goes to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    /// Executable code.
    Code,
    /// Writable data (`SHT_NOBITS` sections last).
    Writable,
    /// Read-only data.
    ReadOnly,
}

/// One allocated section of the object.
pub struct InSection<'a> {
    /// Its index in the object.
    pub index: SectionIndex,
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub segment: Segment,
    /// `SHT_NOBITS`: no bytes in the file.
    pub nobits: bool,
    /// Alignment in bytes.
    pub align: u64,
    /// Size in bytes.
    pub size: u64,
    /// Contents (empty for `nobits`).
    pub data: &'a [u8],
}

/// What an object needs from a runtime image: the image is linked for
/// exactly this, so two objects with equal needs share one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needs {
    /// The symbols it uses and does not define, sorted.
    pub imports: Vec<String>,
    /// The roots it defines (name and size), in the order asked for.
    pub roots: Vec<(String, u64)>,
}

impl Needs {
    /// A stable text form, for keying a cache of images.
    pub fn key_text(&self) -> String {
        let mut s = String::new();
        for (name, size) in &self.roots {
            s.push_str(&format!("root {name} {size}\n"));
        }
        for name in &self.imports {
            s.push_str(&format!("import {name}\n"));
        }
        s
    }
}

/// A parsed object.
pub struct Input<'a> {
    /// The object.
    pub file: ElfFile64<'a, LE>,
    /// Its allocated sections, by segment, in object order within each.
    pub sections: Vec<InSection<'a>>,
}

impl<'a> Input<'a> {
    /// Reads `data`.
    pub fn parse(data: &'a [u8]) -> Result<Self, PlaceError> {
        let file = ElfFile64::<LE>::parse(data).map_err(|e| unsupported(format!("object: {e}")))?;
        if file.elf_header().e_machine.get(LE) != elf::EM_X86_64
            || file.elf_header().e_type.get(LE) != elf::ET_REL
        {
            return Err(unsupported("object: not an x86_64 relocatable object"));
        }
        let mut sections = Vec::new();
        for s in file.sections() {
            let SectionFlags::Elf { sh_flags } = s.flags() else {
                continue;
            };
            if sh_flags & u64::from(elf::SHF_ALLOC) == 0 {
                continue;
            }
            let name = s.name().map_err(|e| unsupported(format!("object: {e}")))?;
            if sh_flags & u64::from(elf::SHF_TLS) != 0 || s.align() > PAGE {
                return Err(unsupported(format!("object: section `{name}`")));
            }
            let segment = if sh_flags & u64::from(elf::SHF_EXECINSTR) != 0 {
                Segment::Code
            } else if sh_flags & u64::from(elf::SHF_WRITE) != 0 {
                Segment::Writable
            } else {
                Segment::ReadOnly
            };
            let nobits = s.kind() == SectionKind::UninitializedData;
            let data = if nobits {
                &[][..]
            } else {
                s.data().map_err(|e| unsupported(format!("object: {e}")))?
            };
            sections.push(InSection {
                index: s.index(),
                name: name.to_string(),
                segment,
                nobits,
                align: s.align().max(1),
                size: s.size(),
                data,
            });
        }
        // Within a segment, bytes before the zero-filled tail.
        sections.sort_by_key(|s| (s.segment, s.nobits));
        Ok(Input { file, sections })
    }

    /// What the object needs from an image, with the sizes of the `roots`
    /// it defines (a root it lacks is left out).
    pub fn needs(&self, roots: &[&str]) -> Result<Needs, PlaceError> {
        // Only what a relocation uses: an undefined symbol nothing refers to
        // (the compiler declares every libcall) keeps no runtime code alive
        // in lld's link either.
        let mut referenced = std::collections::BTreeSet::new();
        for s in &self.sections {
            for (_, r) in self.relocations(s)? {
                if let RelocationTarget::Symbol(sym) = r.target() {
                    referenced.insert(sym.0);
                }
            }
        }
        let mut imports = Vec::new();
        let mut found = Vec::new();
        for sym in self.file.symbols() {
            let name = sym
                .name()
                .map_err(|e| unsupported(format!("object: {e}")))?;
            if sym.is_undefined() {
                if !name.is_empty() && !sym.is_local() && referenced.contains(&sym.index().0) {
                    imports.push(name.to_string());
                }
                continue;
            }
            if let SymbolSection::Common = sym.section() {
                return Err(unsupported(format!("object: common symbol `{name}`")));
            }
            if roots.contains(&name) && sym.is_global() {
                found.push((name.to_string(), sym.size()));
            }
        }
        imports.sort();
        imports.dedup();
        let roots = roots
            .iter()
            .filter_map(|r| found.iter().find(|(n, _)| n == r).cloned())
            .collect();
        Ok(Needs { imports, roots })
    }

    /// The relocations of `section` (one of [`Input::sections`]): offset
    /// in the section and relocation.
    pub fn relocations(
        &self,
        section: &InSection<'_>,
    ) -> Result<impl Iterator<Item = (u64, Relocation)> + '_, PlaceError> {
        let section = self
            .file
            .section_by_index(section.index)
            .map_err(|e| unsupported(format!("object: {e}")))?;
        Ok(section.relocations())
    }

    /// The position of section `index` among [`Input::sections`].
    pub fn section_slot(&self, index: SectionIndex) -> Option<usize> {
        self.sections.iter().position(|s| s.index == index)
    }

    /// The symbol at `index`.
    pub fn symbol(
        &self,
        index: SymbolIndex,
    ) -> Result<object::read::elf::ElfSymbol64<'a, '_, LE>, PlaceError> {
        self.file
            .symbol_by_index(index)
            .map_err(|e| unsupported(format!("object: {e}")))
    }
}
