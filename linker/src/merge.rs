//! Joining two relocatable objects into one: a compiled code object (which
//! the CLI caches, compiled without grants) and the small object of one
//! build's grants (`kiln_compiler::compile_grants`).
//!
//! Phase: before the link. Inputs: the bytes of two ELF relocatable objects
//! Kiln's compiler wrote for the same machine. Output: one relocatable
//! object with the sections, symbols and relocations of both, which links
//! exactly as the two would side by side; one object keeps every link path
//! (lld, placement, `--emit obj`) as it is.
//!
//! Invariants: the base object's sections, symbols and relocations keep
//! their order and contents; the extra object's are appended after them,
//! each local symbol as a new one, each global one resolved by name
//! against the base's (an undefined reference on one side and the
//! definition on the other become one defined symbol). Two definitions of
//! one global name, or objects for different machines, are errors.

use object::build::elf::{Builder, Section, SectionData, SectionId, Symbol, SymbolId};
use object::build::{ByteString, Id};
use object::elf;
use std::collections::{BTreeMap, HashMap};

/// Where each section (by index in the appended object) went.
type SectionMap = BTreeMap<usize, SectionId>;
/// Which symbol of the joined object each appended symbol (by index) became.
type SymbolMap = BTreeMap<usize, SymbolId>;

/// Why two objects cannot be joined.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// An object the `object` crate cannot read or write back.
    #[error("cannot read or write a relocatable object: {0}")]
    Object(#[from] object::build::Error),
    /// The objects are for different machines or byte orders.
    #[error("the objects are for different machines ({base} and {extra})")]
    Machine {
        /// `e_machine` of the base object.
        base: u16,
        /// `e_machine` of the other.
        extra: u16,
    },
    /// Both objects define one global symbol.
    #[error("both objects define `{0}`")]
    Duplicate(String),
    /// A section kind a compiled object never has.
    #[error("the object to append has a section Kiln does not join: `{0}`")]
    Unsupported(String),
}

/// Whether [`append_object`] joins objects for `target` (ELF targets).
/// A COFF target's (Windows) code is compiled with its grants in one
/// object instead.
pub fn can_append(target: &str) -> bool {
    !target.contains("-windows")
}

/// The relocatable object holding everything of `base` and of `extra`.
pub fn append_object(base: &[u8], extra: &[u8]) -> Result<Vec<u8>, MergeError> {
    let mut out = Builder::read(base)?;
    let add = Builder::read(extra)?;
    if out.header.e_machine != add.header.e_machine
        || out.endian != add.endian
        || out.is_64 != add.is_64
    {
        return Err(MergeError::Machine {
            base: out.header.e_machine,
            extra: add.header.e_machine,
        });
    }
    let symtab = out
        .sections
        .iter()
        .find(|s| matches!(s.data, SectionData::Symbol))
        .map(|s| s.id());
    let sections = copy_sections(&mut out, &add)?;
    let symbols = copy_symbols(&mut out, &add, &sections)?;
    copy_relocations(&mut out, &add, &sections, &symbols, symtab)?;
    let mut bytes = Vec::new();
    out.write(&mut bytes)?;
    Ok(bytes)
}

/// Appends the contents sections of `add` to `out`; returns where each
/// went.
fn copy_sections<'a>(out: &mut Builder<'a>, add: &Builder<'a>) -> Result<SectionMap, MergeError> {
    let mut map = SectionMap::new();
    for s in add.sections.iter() {
        let data = match &s.data {
            SectionData::Data(d) => SectionData::Data(d.clone()),
            SectionData::UninitializedData(n) => SectionData::UninitializedData(*n),
            SectionData::Note(d) => SectionData::Note(d.clone()),
            // Written anew from the joined tables.
            SectionData::SectionString
            | SectionData::Symbol
            | SectionData::SymbolSectionIndex
            | SectionData::String
            // Added once their symbols are known.
            | SectionData::Relocation(_) => continue,
            _ => return Err(MergeError::Unsupported(s.name.to_string())),
        };
        let new = add_section_like(out, s);
        new.sh_size = s.sh_size;
        new.data = data;
        map.insert(s.id().index(), new.id());
    }
    Ok(map)
}

/// A new section of `out` with the name, type, flags, alignment and entry
/// size of `like` (its contents and links are the caller's to set).
fn add_section_like<'a, 'b>(out: &'b mut Builder<'a>, like: &Section<'a>) -> &'b mut Section<'a> {
    let new = out.sections.add();
    new.name = like.name.clone();
    new.sh_type = like.sh_type;
    new.sh_flags = like.sh_flags;
    new.sh_addralign = like.sh_addralign;
    new.sh_entsize = like.sh_entsize;
    new
}

/// Gives `symbol` the binding, type, section and value of `like` (whose
/// section is `section` in the joined object).
fn define_like(symbol: &mut Symbol<'_>, like: &Symbol<'_>, section: Option<SectionId>) {
    symbol.section = section;
    symbol.st_info = like.st_info;
    symbol.st_other = like.st_other;
    symbol.st_shndx = like.st_shndx;
    symbol.st_value = like.st_value;
    symbol.st_size = like.st_size;
}

/// Appends the symbols of `add` to `out` (globals resolved by name against
/// `out`'s); returns which symbol of `out` each one became.
fn copy_symbols<'a>(
    out: &mut Builder<'a>,
    add: &Builder<'a>,
    sections: &SectionMap,
) -> Result<SymbolMap, MergeError> {
    let globals: HashMap<ByteString<'a>, SymbolId> = out
        .symbols
        .iter()
        .filter(|s| s.st_bind() != elf::STB_LOCAL)
        .map(|s| (s.name.clone(), s.id()))
        .collect();
    let mut map = SymbolMap::new();
    for s in add.symbols.iter() {
        let section = s.section.and_then(|id| sections.get(&id.index()).copied());
        let defined = s.st_shndx != elf::SHN_UNDEF || s.section.is_some();
        if s.st_bind() != elf::STB_LOCAL
            && let Some(&existing) = globals.get(&s.name)
        {
            let old = out.symbols.get_mut(existing);
            let old_defined = old.st_shndx != elf::SHN_UNDEF || old.section.is_some();
            match (old_defined, defined) {
                (true, true) => return Err(MergeError::Duplicate(s.name.to_string())),
                (false, true) => define_like(old, s, section),
                (_, false) => {}
            }
            map.insert(s.id().index(), existing);
            continue;
        }
        let new = out.symbols.add();
        new.name = s.name.clone();
        define_like(new, s, section);
        map.insert(s.id().index(), new.id());
    }
    Ok(map)
}

/// Appends the relocation sections of `add`, retargeted at the copied
/// sections and symbols.
fn copy_relocations<'a>(
    out: &mut Builder<'a>,
    add: &Builder<'a>,
    sections: &SectionMap,
    symbols: &SymbolMap,
    symtab: Option<SectionId>,
) -> Result<(), MergeError> {
    for s in add.sections.iter() {
        let SectionData::Relocation(relocs) = &s.data else {
            continue;
        };
        let Some(target) = s
            .sh_info_section
            .and_then(|id| sections.get(&id.index()).copied())
        else {
            return Err(MergeError::Unsupported(s.name.to_string()));
        };
        let unresolved = || MergeError::Unsupported(s.name.to_string());
        let relocs = relocs
            .iter()
            .map(|r| {
                let mut r = *r;
                if let Some(id) = r.symbol {
                    r.symbol = Some(*symbols.get(&id.index()).ok_or_else(unresolved)?);
                }
                Ok(r)
            })
            .collect::<Result<_, MergeError>>()?;
        let new = add_section_like(out, s);
        new.sh_link_section = Some(symtab.ok_or_else(unresolved)?);
        new.sh_info_section = Some(target);
        new.data = SectionData::Relocation(relocs);
    }
    Ok(())
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
