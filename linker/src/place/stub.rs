//! The stub object linked into a runtime image in place of a module.
//!
//! Input: the root symbols the runtime reads from the module (name and
//! size). Output: the bytes of an x86_64 ELF relocatable object that
//! - defines each root as zeroed, writable data in `.data.kiln_roots`
//!   (placement copies the module's root there: the runtime's code
//!   addresses the roots directly, so they must lie where the image's link
//!   put them);
//! - carries three allocated notes of different alignments, for which lld
//!   writes three `PT_NOTE` program headers: the slots placement turns into
//!   the module's `PT_LOAD`s (the program header table sits at the start of
//!   the file and cannot grow).

use object::write::{Object, Symbol, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, SectionFlags, SectionKind, SymbolFlags, SymbolKind,
    SymbolScope, elf,
};

/// Name of the notes' owner.
pub const NOTE_NAME: &[u8] = b"Kiln\0";
/// Type of the notes.
pub const NOTE_TYPE: u32 = 0x4b50_4c43;
/// How many `PT_NOTE` slots the stub provides: enough for the module's
/// code, read-only and writable segments.
pub const SLOTS: usize = 3;
/// Section of the roots.
pub const ROOTS_SECTION: &str = ".data.kiln_roots";

/// The stub for `roots` (name, size in bytes).
pub fn stub_object(roots: &[(String, u64)]) -> Result<Vec<u8>, object::write::Error> {
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let data = obj.add_section(Vec::new(), ROOTS_SECTION.into(), SectionKind::Data);
    for (name, size) in roots {
        let offset = obj.append_section_data(data, &vec![0; *size as usize], 16);
        obj.add_symbol(Symbol {
            name: name.as_bytes().to_vec(),
            value: offset,
            size: *size,
            kind: SymbolKind::Data,
            scope: SymbolScope::Dynamic,
            weak: false,
            section: SymbolSection::Section(data),
            flags: SymbolFlags::None,
        });
    }
    // Different alignments: lld starts a new `PT_NOTE` when a note's
    // alignment differs from the previous one's.
    for (i, align) in [4u64, 8, 16].into_iter().enumerate().take(SLOTS) {
        let name = format!(".note.kiln.slot{i}");
        let id = obj.add_section(Vec::new(), name.into_bytes(), SectionKind::Note);
        obj.section_mut(id).flags = SectionFlags::Elf {
            sh_flags: u64::from(elf::SHF_ALLOC),
        };
        obj.set_section_data(id, note(i as u32), align);
    }
    obj.write()
}

/// One note: the ELF note header, the owner and a 4-byte slot number.
fn note(slot: u32) -> Vec<u8> {
    let mut n = Vec::new();
    n.extend_from_slice(&(NOTE_NAME.len() as u32).to_le_bytes());
    n.extend_from_slice(&4u32.to_le_bytes());
    n.extend_from_slice(&NOTE_TYPE.to_le_bytes());
    n.extend_from_slice(NOTE_NAME);
    n.resize(n.len().next_multiple_of(4), 0);
    n.extend_from_slice(&slot.to_le_bytes());
    n
}

/// Whether `bytes` (a `PT_NOTE` segment's contents) is one of the stub's
/// notes.
pub fn is_slot_note(bytes: &[u8]) -> bool {
    let word = |i: usize| {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    word(0) == Some(NOTE_NAME.len() as u32)
        && word(8) == Some(NOTE_TYPE)
        && bytes.get(12..12 + NOTE_NAME.len()) == Some(NOTE_NAME)
}
