//! The executable's bytes: the image with the new segments, program
//! headers, symbols and section headers.
//!
//! Input: the [`Image`], the object ([`Input`]) and its [`Layout`]. Output:
//! the file's bytes. Layout of the file: the image's loaded bytes (patched:
//! the roots, the `.dynamic` entries of the relocation table, the program
//! header table), the new segments, then the unloaded sections (the image's,
//! with the symbol table grown by the object's functions and data unless
//! stripped) and the section header table.
//!
//! Invariants: the program header table keeps its place and size (the
//! stub's `PT_NOTE` slots become the new `PT_LOAD`s, unused ones
//! `PT_NULL`), with `PT_PHDR` first and the `PT_LOAD`s in address order as
//! the ELF specification requires; the image's allocated sections keep
//! their indices and offsets.

use super::image::{DT_RELR, DT_RELRSZ, Image};
use super::input::{Input, PAGE, Segment};
use super::layout::Layout;
use super::{PlaceError, unsupported};
use object::LittleEndian as LE;
use object::elf::{self, FileHeader64, ProgramHeader64, SectionHeader64, Sym64};
use object::pod::{bytes_of, bytes_of_slice};
use object::{Object, ObjectSymbol, SymbolKind, SymbolSection, U16, U32, U64};

/// The executable's bytes.
pub fn write(
    image: &Image<'_>,
    input: &Input<'_>,
    layout: &Layout,
    roots: &[&str],
    strip: bool,
) -> Result<Vec<u8>, PlaceError> {
    let mut out = image.data[..image.loaded_end as usize].to_vec();
    for (offset, bytes) in &layout.patches {
        out[*offset..*offset + bytes.len()].copy_from_slice(bytes);
    }
    let relr = layout.relr();
    for (tag, value) in [(DT_RELR, relr.vaddr), (DT_RELRSZ, relr.size)] {
        let at = image.dynamic[&tag];
        out[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }
    write_phdrs(image, layout, &mut out);
    out.resize(layout.file_end as usize, 0);
    for b in layout.blocks.iter().filter(|b| !b.nobits && b.size > 0) {
        let at = b.offset as usize;
        out[at..at + b.bytes.len()].copy_from_slice(&b.bytes);
    }
    write_sections(image, input, layout, roots, strip, &mut out)?;
    Ok(out)
}

/// The program header table: the slots become the new segments.
fn write_phdrs(image: &Image<'_>, layout: &Layout, out: &mut [u8]) {
    let mut phdrs = image.phdrs.clone();
    for (n, &slot) in image.slots.iter().enumerate() {
        phdrs[slot] = match layout.segments.get(n) {
            Some(s) => ProgramHeader64 {
                p_type: U32::new(LE, elf::PT_LOAD),
                p_flags: U32::new(
                    LE,
                    match s.kind {
                        Segment::Code => elf::PF_R | elf::PF_X,
                        Segment::Writable => elf::PF_R | elf::PF_W,
                        Segment::ReadOnly => elf::PF_R,
                    },
                ),
                p_offset: U64::new(LE, s.offset),
                p_vaddr: U64::new(LE, s.vaddr),
                p_paddr: U64::new(LE, s.vaddr),
                p_filesz: U64::new(LE, s.filesz),
                p_memsz: U64::new(LE, s.memsz),
                p_align: U64::new(LE, PAGE),
            },
            None => ProgramHeader64 {
                p_type: U32::new(LE, elf::PT_NULL),
                p_flags: U32::new(LE, 0),
                p_offset: U64::new(LE, 0),
                p_vaddr: U64::new(LE, 0),
                p_paddr: U64::new(LE, 0),
                p_filesz: U64::new(LE, 0),
                p_memsz: U64::new(LE, 0),
                p_align: U64::new(LE, 0),
            },
        };
    }
    // PT_PHDR first, the PT_LOADs by address, the rest in their order,
    // PT_NULL last.
    let rank = |p: &ProgramHeader64<LE>| match p.p_type.get(LE) {
        elf::PT_PHDR => (0, 0),
        elf::PT_INTERP => (1, 0),
        elf::PT_LOAD => (2, p.p_vaddr.get(LE)),
        elf::PT_NULL => (4, 0),
        _ => (3, 0),
    };
    phdrs.sort_by_key(rank);
    let at = image.header.e_phoff.get(LE) as usize;
    let bytes = bytes_of_slice(&phdrs);
    out[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Appends the unloaded sections and the section header table; updates the
/// ELF header.
fn write_sections(
    image: &Image<'_>,
    input: &Input<'_>,
    layout: &Layout,
    roots: &[&str],
    strip: bool,
    out: &mut Vec<u8>,
) -> Result<(), PlaceError> {
    let symtab = image.symtab();
    let strtab = symtab.map(|s| image.sections[s].sh_link.get(LE) as usize);
    let shstrndx = image.header.e_shstrndx.get(LE) as usize;
    if shstrndx >= image.sections.len() {
        return Err(unsupported("runtime image: no section name table"));
    }
    // The image's sections, without the symbol table when stripping; the
    // new blocks after them.
    let keep: Vec<usize> = (0..image.sections.len())
        .filter(|&i| !(strip && (Some(i) == symtab || Some(i) == strtab)))
        .collect();
    let new_index = |old: usize| keep.iter().position(|&k| k == old).unwrap_or(0) as u32;
    let first_block = keep.len();
    // Section names anew: those of dropped sections go too.
    let old_names = image.section_data(shstrndx)?;
    let mut shstrtab = vec![0u8];
    let mut add_name = |name: &[u8]| {
        let at = shstrtab.len() as u32;
        shstrtab.extend_from_slice(name);
        shstrtab.push(0);
        at
    };
    let mut headers: Vec<SectionHeader64<LE>> = Vec::new();
    for &i in &keep {
        let mut h = image.sections[i];
        h.sh_link = U32::new(LE, new_index(h.sh_link.get(LE) as usize));
        let name = old_names
            .get(h.sh_name.get(LE) as usize..)
            .and_then(|r| r.split(|&b| b == 0).next())
            .unwrap_or_default();
        h.sh_name = U32::new(LE, if i == 0 { 0 } else { add_name(name) });
        if h.sh_type.get(LE) == elf::SHT_NOBITS && h.sh_offset.get(LE) >= image.loaded_end {
            // lld leaves a `.bss` at the end of the file, where the new
            // segments now are; profilers (perf) map a symbol to a file
            // offset by its section's, and would find the image's zeroed
            // data over the module's code. It goes past the new segments.
            h.sh_offset = U64::new(LE, layout.file_end);
        }
        headers.push(h);
    }
    for b in layout.blocks.iter().filter(|b| b.size > 0) {
        let name = add_name(b.name.as_bytes());
        let (sh_type, entsize) = if b.name == ".kiln.relr" {
            (elf::SHT_RELR, 8)
        } else if b.nobits {
            (elf::SHT_NOBITS, 0)
        } else {
            (elf::SHT_PROGBITS, 0)
        };
        let flags = match b.segment {
            Segment::Code => elf::SHF_ALLOC | elf::SHF_EXECINSTR,
            Segment::Writable => elf::SHF_ALLOC | elf::SHF_WRITE,
            Segment::ReadOnly => elf::SHF_ALLOC,
        };
        headers.push(section_header(
            name,
            sh_type,
            flags.into(),
            b.vaddr,
            // Past the new segments' bytes, as the image's own (above).
            if b.nobits { layout.file_end } else { b.offset },
            b.size,
            b.align,
            entsize,
        ));
    }
    let block_section = |slot: usize| {
        let nonempty = layout.blocks[..slot].iter().filter(|b| b.size > 0).count();
        (first_block + nonempty) as u16
    };

    let table = match (symtab, strip) {
        (Some(s), false) => Some(symbols(image, input, layout, roots, s, &block_section)?),
        _ => None,
    };
    // Unloaded contents, in section order.
    for (n, &i) in keep.iter().enumerate() {
        let h = &image.sections[i];
        if h.sh_flags.get(LE) & u64::from(elf::SHF_ALLOC) != 0 || h.sh_type.get(LE) == elf::SHT_NULL
        {
            continue;
        }
        let bytes: &[u8] = match &table {
            Some(t) if Some(i) == symtab => {
                headers[n].sh_info = U32::new(LE, t.locals);
                &t.symbols
            }
            Some(t) if Some(i) == strtab => &t.strings,
            _ if i == shstrndx => &shstrtab,
            _ => image.section_data(i)?,
        };
        let align = h.sh_addralign.get(LE).max(1) as usize;
        out.resize(out.len().next_multiple_of(align), 0);
        headers[n].sh_offset = U64::new(LE, out.len() as u64);
        headers[n].sh_size = U64::new(LE, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }
    out.resize(out.len().next_multiple_of(8), 0);
    let shoff = out.len() as u64;
    out.extend_from_slice(bytes_of_slice(&headers));
    let mut header: FileHeader64<LE> = image.header;
    header.e_shoff = U64::new(LE, shoff);
    header.e_shnum = U16::new(LE, headers.len() as u16);
    header.e_shstrndx = U16::new(LE, new_index(shstrndx) as u16);
    out[..size_of::<FileHeader64<LE>>()].copy_from_slice(bytes_of(&header));
    Ok(())
}

#[allow(
    clippy::too_many_arguments,
    reason = "the fields of one section header"
)]
fn section_header(
    name: u32,
    sh_type: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    align: u64,
    entsize: u64,
) -> SectionHeader64<LE> {
    SectionHeader64 {
        sh_name: U32::new(LE, name),
        sh_type: U32::new(LE, sh_type),
        sh_flags: U64::new(LE, flags),
        sh_addr: U64::new(LE, addr),
        sh_offset: U64::new(LE, offset),
        sh_size: U64::new(LE, size),
        sh_link: U32::new(LE, 0),
        sh_info: U32::new(LE, 0),
        sh_addralign: U64::new(LE, align),
        sh_entsize: U64::new(LE, entsize),
    }
}

/// The object's named functions and data objects, for the symbol table
/// (not the roots: the image names their places already).
fn object_symbols<'a>(
    input: &'a Input<'_>,
    roots: &'a [&str],
) -> impl Iterator<Item = (String, usize, u64, u64, u8)> + 'a {
    input.file.symbols().filter_map(move |sym| {
        let name = sym.name().ok()?;
        if name.is_empty() || roots.contains(&name) {
            return None;
        }
        let SymbolSection::Section(section) = sym.section() else {
            return None;
        };
        let slot = input.section_slot(section)?;
        let kind = match sym.kind() {
            SymbolKind::Text => elf::STT_FUNC,
            SymbolKind::Data => elf::STT_OBJECT,
            _ => return None,
        };
        Some((name.to_string(), slot, sym.address(), sym.size(), kind))
    })
}

/// A symbol table and its strings.
struct Table {
    symbols: Vec<u8>,
    strings: Vec<u8>,
    /// Local symbols (`sh_info`: they come first).
    locals: u32,
}

/// The new symbol table: the image's locals, the object's symbols (local),
/// the image's globals; the image's strings with the new names appended.
fn symbols(
    image: &Image<'_>,
    input: &Input<'_>,
    layout: &Layout,
    roots: &[&str],
    symtab: usize,
    block_section: &dyn Fn(usize) -> u16,
) -> Result<Table, PlaceError> {
    let syms = image.symbol_table(symtab)?;
    let locals = (image.sections[symtab].sh_info.get(LE) as usize).min(syms.len());
    let mut strings = image
        .section_data(image.sections[symtab].sh_link.get(LE) as usize)?
        .to_vec();
    let mut added = Vec::new();
    for (name, slot, value, size, kind) in object_symbols(input, roots) {
        added.push(Sym64 {
            st_name: U32::new(LE, strings.len() as u32),
            st_info: (elf::STB_LOCAL << 4) | kind,
            st_other: elf::STV_DEFAULT,
            st_shndx: U16::new(LE, block_section(slot)),
            st_value: U64::new(LE, layout.blocks[slot].vaddr + value),
            st_size: U64::new(LE, size),
        });
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
    }
    let mut table = Vec::with_capacity(size_of_val(syms) + size_of_val(&added[..]));
    table.extend_from_slice(bytes_of_slice(&syms[..locals]));
    table.extend_from_slice(bytes_of_slice(&added));
    table.extend_from_slice(bytes_of_slice(&syms[locals..]));
    Ok(Table {
        symbols: table,
        strings,
        locals: (locals + added.len()) as u32,
    })
}
