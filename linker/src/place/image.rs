//! A runtime image as placement reads it: an x86_64 static-pie executable
//! linked by lld from the runtime and the stub ([`super::stub`]).
//!
//! Input: the image's bytes. Output: an [`Image`]: its headers, the end of
//! what its `PT_LOAD`s map (in the file and in memory), the program header
//! slots of the stub's notes, its `.dynamic` entries and the addresses its
//! packed relative relocations (`DT_RELR`) relocate, and its symbols by
//! name. Invariant: nothing here writes; anything placement cannot handle is
//! [`PlaceError::Unsupported`], never a guess.

use super::{PlaceError, relr, stub, unsupported};
use object::LittleEndian as LE;
use object::elf::{self, Dyn64, FileHeader64, ProgramHeader64, SectionHeader64, Sym64};
use object::pod::slice_from_bytes;
use object::read::elf::{FileHeader, ProgramHeader};
use std::collections::BTreeMap;

/// `DT_RELR`, `DT_RELRSZ` and `DT_RELRENT` (gABI; not in every `elf` table).
pub const DT_RELR: u64 = 36;
/// Size of the `DT_RELR` table in bytes.
pub const DT_RELRSZ: u64 = 35;
/// Size of one `DT_RELR` word.
const DT_RELRENT: u64 = 37;

/// A parsed image.
pub struct Image<'a> {
    /// The whole file.
    pub data: &'a [u8],
    /// The ELF header.
    pub header: FileHeader64<LE>,
    /// The program headers, in table order.
    pub phdrs: Vec<ProgramHeader64<LE>>,
    /// The section headers.
    pub sections: Vec<SectionHeader64<LE>>,
    /// End of the file bytes the `PT_LOAD`s map: everything after it is
    /// unloaded (section contents such as the symbol table, and the section
    /// header table).
    pub loaded_end: u64,
    /// End of the highest `PT_LOAD` in memory.
    pub vaddr_end: u64,
    /// File offset of the last `PT_LOAD` to start.
    pub last_load_offset: u64,
    /// Program header indices of the stub's notes.
    pub slots: Vec<usize>,
    /// File offset of each `.dynamic` entry that placement rewrites, by tag
    /// (`DT_RELR`, `DT_RELRSZ`).
    pub dynamic: BTreeMap<u64, usize>,
    /// The addresses the image's `DT_RELR` table relocates.
    pub relr: Vec<u64>,
    /// Defined global symbols: value and size, by name.
    symbols: BTreeMap<&'a [u8], (u64, u64)>,
}

impl<'a> Image<'a> {
    /// Reads `data`.
    pub fn parse(data: &'a [u8]) -> Result<Self, PlaceError> {
        let header = *FileHeader64::<LE>::parse(data)
            .map_err(|e| unsupported(format!("runtime image: {e}")))?;
        if header.e_machine.get(LE) != elf::EM_X86_64 || header.e_type.get(LE) != elf::ET_DYN {
            return Err(unsupported(
                "runtime image: not an x86_64 position-independent executable",
            ));
        }
        let phdrs = header
            .program_headers(LE, data)
            .map_err(|e| unsupported(format!("runtime image: {e}")))?
            .to_vec();
        let sections = header
            .section_headers(LE, data)
            .map_err(|e| unsupported(format!("runtime image: {e}")))?
            .to_vec();
        let loads = phdrs.iter().filter(|p| p.p_type(LE) == elf::PT_LOAD);
        let loaded_end = loads
            .clone()
            .map(|p| p.p_offset(LE) + p.p_filesz(LE))
            .max()
            .unwrap_or(0);
        let vaddr_end = loads
            .clone()
            .map(|p| p.p_vaddr(LE) + p.p_memsz(LE))
            .max()
            .unwrap_or(0);
        let last_load_offset = loads.map(|p| p.p_offset(LE)).max().unwrap_or(0);
        let slots: Vec<usize> = phdrs
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.p_type(LE) == elf::PT_NOTE && p.data(LE, data).is_ok_and(stub::is_slot_note)
            })
            .map(|(i, _)| i)
            .collect();
        if slots.len() < stub::SLOTS {
            return Err(unsupported(
                "runtime image: the stub's program header slots are missing",
            ));
        }
        let mut image = Image {
            data,
            header,
            phdrs,
            sections,
            loaded_end,
            vaddr_end,
            last_load_offset,
            slots,
            dynamic: BTreeMap::new(),
            relr: Vec::new(),
            symbols: BTreeMap::new(),
        };
        image.read_dynamic()?;
        image.read_symbols()?;
        Ok(image)
    }

    /// The file offset of `len` bytes at `vaddr`, if one `PT_LOAD` maps them
    /// from the file.
    pub fn file_offset(&self, vaddr: u64, len: u64) -> Option<usize> {
        self.phdrs
            .iter()
            .filter(|p| p.p_type(LE) == elf::PT_LOAD)
            .find(|p| vaddr >= p.p_vaddr(LE) && vaddr + len <= p.p_vaddr(LE) + p.p_filesz(LE))
            .map(|p| (p.p_offset(LE) + vaddr - p.p_vaddr(LE)) as usize)
    }

    /// A defined global symbol: value and size.
    pub fn symbol(&self, name: &[u8]) -> Option<(u64, u64)> {
        self.symbols.get(name).copied()
    }

    /// The section headers' index of the symbol table, if any.
    pub fn symtab(&self) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| s.sh_type.get(LE) == elf::SHT_SYMTAB)
    }

    /// The bytes of section `index` (empty for `SHT_NOBITS`).
    pub fn section_data(&self, index: usize) -> Result<&'a [u8], PlaceError> {
        let s = &self.sections[index];
        if s.sh_type.get(LE) == elf::SHT_NOBITS {
            return Ok(&[]);
        }
        let start = s.sh_offset.get(LE) as usize;
        let end = start + s.sh_size.get(LE) as usize;
        self.data
            .get(start..end)
            .ok_or_else(|| unsupported("runtime image: a section lies outside the file"))
    }

    /// The entries of symbol table section `symtab`.
    pub fn symbol_table(&self, symtab: usize) -> Result<&'a [Sym64<LE>], PlaceError> {
        let bytes = self.section_data(symtab)?;
        let (syms, _) = slice_from_bytes::<Sym64<LE>>(bytes, bytes.len() / size_of::<Sym64<LE>>())
            .map_err(|()| unsupported("runtime image: misaligned symbol table"))?;
        Ok(syms)
    }

    fn read_dynamic(&mut self) -> Result<(), PlaceError> {
        let Some(ph) = self.phdrs.iter().find(|p| p.p_type(LE) == elf::PT_DYNAMIC) else {
            return Err(unsupported("runtime image: no dynamic section"));
        };
        let start = ph.p_offset(LE) as usize;
        let bytes = self
            .data
            .get(start..start + ph.p_filesz(LE) as usize)
            .ok_or_else(|| {
                unsupported("runtime image: the dynamic section lies outside the file")
            })?;
        let (entries, _) = slice_from_bytes::<Dyn64<LE>>(bytes, bytes.len() / 16)
            .map_err(|()| unsupported("runtime image: misaligned dynamic section"))?;
        let (mut relr, mut relr_size) = (None, None);
        for (i, d) in entries.iter().enumerate() {
            let (tag, val) = (d.d_tag.get(LE), d.d_val.get(LE));
            match tag {
                DT_RELR => relr = Some(val),
                DT_RELRSZ => relr_size = Some(val),
                DT_RELRENT if val != 8 => {
                    return Err(unsupported("runtime image: DT_RELRENT is not 8"));
                }
                _ => {}
            }
            if tag == DT_RELR || tag == DT_RELRSZ {
                self.dynamic.insert(tag, start + i * 16 + 8);
            }
            if tag == u64::from(elf::DT_NULL) {
                break;
            }
        }
        let (Some(relr), Some(size)) = (relr, relr_size) else {
            return Err(unsupported("runtime image: no DT_RELR table"));
        };
        let off = self
            .file_offset(relr, size)
            .ok_or_else(|| unsupported("runtime image: DT_RELR is not in the file"))?;
        let words = self.data[off..off + size as usize]
            .chunks_exact(8)
            .map(|w| u64::from_le_bytes(w.try_into().expect("chunks of 8")));
        self.relr = relr::decode(words);
        Ok(())
    }

    fn read_symbols(&mut self) -> Result<(), PlaceError> {
        let Some(symtab) = self.symtab() else {
            return Err(unsupported("runtime image: no symbol table"));
        };
        let strtab = self.sections[symtab].sh_link.get(LE) as usize;
        if strtab >= self.sections.len() {
            return Err(unsupported("runtime image: bad symbol string table"));
        }
        let strings = self.section_data(strtab)?;
        for s in self.symbol_table(symtab)? {
            let bind = s.st_info >> 4;
            let defined = s.st_shndx.get(LE) != elf::SHN_UNDEF;
            if !defined || !(bind == elf::STB_GLOBAL || bind == elf::STB_WEAK) {
                continue;
            }
            let start = s.st_name.get(LE) as usize;
            let Some(name) = strings
                .get(start..)
                .and_then(|r| r.split(|&b| b == 0).next())
            else {
                continue;
            };
            self.symbols
                .insert(name, (s.st_value.get(LE), s.st_size.get(LE)));
        }
        Ok(())
    }
}
