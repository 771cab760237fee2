//! Where the object's sections go in the executable, and their bytes with
//! every relocation applied (x86_64).
//!
//! Input: the [`Image`], the object ([`Input`]) and the roots it defines.
//! Output: a [`Layout`]: up to three new segments after the image's last
//! one (code, writable data with a GOT, read-only data ending with the
//! merged `DT_RELR` table), the relocated bytes of every section, and the
//! patches to the image's own bytes (the roots' copies).
//!
//! Invariants:
//! - A new segment's file offset and address are congruent modulo a page
//!   and its address starts on a page of its own, so each `PT_LOAD` maps
//!   cleanly; section alignments are kept in both. No two `PT_LOAD`s start
//!   in one file page (profilers tell segments apart by that page).
//! - Every word that holds an address gets a `DT_RELR` entry (the image is
//!   position-independent and relocates itself at start-up); a relocation
//!   that cannot be expressed so is [`PlaceError::Unsupported`].
//! - A root (`__kiln_program`, ...) is read by the runtime at the address
//!   the image's link gave it: its bytes, relocated, are copied there, and
//!   references to it resolve there.

use super::image::Image;
use super::input::{Input, PAGE, Segment};
use super::{PlaceError, relr, unsupported};
use object::elf;
use object::{Object, ObjectSymbol, RelocationFlags, RelocationTarget, SymbolIndex, SymbolSection};
use std::collections::BTreeMap;

/// One new segment.
pub struct SegmentOut {
    /// What it holds.
    pub kind: Segment,
    /// Address (link-time, before the load bias).
    pub vaddr: u64,
    /// File offset.
    pub offset: u64,
    /// Bytes in the file.
    pub filesz: u64,
    /// Bytes in memory (more than `filesz` with zero-filled sections).
    pub memsz: u64,
}

/// A block of bytes placed in a new segment (a section of the object, the
/// GOT or the relocation table).
pub struct Block {
    /// Section name in the executable.
    pub name: String,
    /// The segment it is in.
    pub segment: Segment,
    /// Address.
    pub vaddr: u64,
    /// File offset (meaningless for `nobits`).
    pub offset: u64,
    /// Size in memory.
    pub size: u64,
    /// Alignment.
    pub align: u64,
    /// Zero-filled, no bytes in the file.
    pub nobits: bool,
    /// Contents (empty for `nobits`).
    pub bytes: Vec<u8>,
}

/// The result of placement, before the file is written.
pub struct Layout {
    /// The new segments, in address order.
    pub segments: Vec<SegmentOut>,
    /// The object's sections (in [`Input::sections`] order), then the GOT,
    /// then the `DT_RELR` table (always last).
    pub blocks: Vec<Block>,
    /// Bytes to write over the image's own: file offset and bytes.
    pub patches: Vec<(usize, Vec<u8>)>,
    /// File offset just past the last new segment's bytes.
    pub file_end: u64,
}

impl Layout {
    /// The `DT_RELR` table's block.
    pub fn relr(&self) -> &Block {
        self.blocks.last().expect("the table is always placed")
    }
}

/// A root the object defines: where it is in the object and where the
/// runtime reads it.
struct Root {
    slot: usize,
    value: u64,
    size: u64,
    image_vaddr: u64,
    image_offset: usize,
}

/// Lays out and relocates the object.
pub fn layout(image: &Image<'_>, input: &Input<'_>, roots: &[&str]) -> Result<Layout, PlaceError> {
    let got_targets = got_targets(input)?;
    let mut blocks: Vec<Block> = input
        .sections
        .iter()
        .map(|s| Block {
            name: format!(".kiln{}", s.name),
            segment: s.segment,
            vaddr: 0,
            offset: 0,
            size: s.size,
            align: s.align,
            nobits: s.nobits,
            bytes: s.data.to_vec(),
        })
        .collect();
    let got_index = blocks.len();
    blocks.push(Block {
        name: ".kiln.got".into(),
        segment: Segment::Writable,
        vaddr: 0,
        offset: 0,
        size: 8 * got_targets.len() as u64,
        align: 8,
        nobits: false,
        bytes: vec![0; 8 * got_targets.len()],
    });
    // The table's size is known only once every address is: it goes last.
    blocks.push(Block {
        name: ".kiln.relr".into(),
        segment: Segment::ReadOnly,
        vaddr: 0,
        offset: 0,
        size: 0,
        align: 8,
        nobits: false,
        bytes: Vec::new(),
    });
    // The GOT among the writable bytes, before any zero-filled section.
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by_key(|&i| (blocks[i].segment, blocks[i].nobits, i != got_index, i));
    let segments = assign(image, &mut blocks, &order);

    let roots = find_roots(image, input, roots)?;
    let mut relocs = Vec::new();
    let mut patches = Vec::new();
    apply(
        image,
        input,
        &mut blocks,
        &roots,
        &got_targets,
        got_index,
        &mut relocs,
    )?;
    for (symbol, &slot) in &got_targets {
        let (value, is_address) = resolve(image, input, &blocks, &roots, SymbolIndex(*symbol))?;
        let at = 8 * slot;
        blocks[got_index].bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
        if is_address {
            relocs.push(blocks[got_index].vaddr + at as u64);
        }
    }
    for root in &roots {
        let start = root.value as usize;
        let bytes = blocks[root.slot].bytes[start..start + root.size as usize].to_vec();
        patches.push((root.image_offset, bytes));
    }

    relocs.extend_from_slice(&image.relr);
    relocs.sort_unstable();
    relocs.dedup();
    if !relr::valid(&relocs) {
        return Err(unsupported("a relocated word is not 8-byte aligned"));
    }
    let table: Vec<u8> = relr::encode(&relocs)
        .into_iter()
        .flat_map(u64::to_le_bytes)
        .collect();
    let relr_block = blocks.last_mut().expect("pushed above");
    relr_block.size = table.len() as u64;
    relr_block.bytes = table;
    let mut segments = segments;
    let ro = segments
        .last_mut()
        .expect("the read-only segment holds the table");
    ro.filesz = relr_block.offset + relr_block.size - ro.offset;
    ro.memsz = relr_block.vaddr + relr_block.size - ro.vaddr;
    let file_end = ro.offset + ro.filesz;
    Ok(Layout {
        segments,
        blocks,
        patches,
        file_end,
    })
}

/// Gives every block an address and offset, segment by segment in `order`
/// (code, writable, read-only); returns the segments. The last block (the
/// relocation table) is placed with size 0: its segment's sizes are
/// completed once it is encoded.
fn assign(image: &Image<'_>, blocks: &mut [Block], order: &[usize]) -> Vec<SegmentOut> {
    let mut segments = Vec::new();
    let mut file_end = image.loaded_end;
    let mut last_start = image.last_load_offset;
    let mut vaddr_end = image.vaddr_end.next_multiple_of(PAGE);
    for kind in [Segment::Code, Segment::Writable, Segment::ReadOnly] {
        let members: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| blocks[i].segment == kind)
            .collect();
        if members.iter().all(|&i| blocks[i].size == 0) && kind != Segment::ReadOnly {
            continue;
        }
        let align = members.iter().map(|&i| blocks[i].align).max().unwrap_or(8);
        let mut offset = file_end.next_multiple_of(align);
        if offset / PAGE == last_start / PAGE {
            // Not in the file page where the segment before starts: a
            // profiler (perf) takes a mapping's file page for the first
            // `PT_LOAD` starting in it, and would read this code's
            // symbols at that segment's addresses.
            offset = (offset / PAGE + 1) * PAGE;
        }
        last_start = offset;
        let vaddr = vaddr_end + offset % PAGE;
        let (mut at, mut filesz) = (0u64, 0u64);
        for &i in &members {
            let b = &mut blocks[i];
            at = at.next_multiple_of(b.align);
            b.vaddr = vaddr + at;
            b.offset = offset + at;
            at += b.size;
            if !b.nobits {
                filesz = at;
            }
        }
        segments.push(SegmentOut {
            kind,
            vaddr,
            offset,
            filesz,
            memsz: at,
        });
        file_end = offset + filesz;
        vaddr_end = (vaddr + at).next_multiple_of(PAGE);
    }
    segments
}

/// The symbols reached through the GOT, each with its slot number.
fn got_targets(input: &Input<'_>) -> Result<BTreeMap<usize, usize>, PlaceError> {
    let mut targets = BTreeMap::new();
    for s in &input.sections {
        for (_, r) in input.relocations(s)? {
            if let (RelocationFlags::Elf { r_type }, RelocationTarget::Symbol(sym)) =
                (r.flags(), r.target())
                && is_got(r_type)
            {
                let next = targets.len();
                targets.entry(sym.0).or_insert(next);
            }
        }
    }
    Ok(targets)
}

fn is_got(r_type: u32) -> bool {
    matches!(
        r_type,
        elf::R_X86_64_GOTPCREL | elf::R_X86_64_GOTPCRELX | elf::R_X86_64_REX_GOTPCRELX
    )
}

/// The roots the object defines, with their places in the image.
fn find_roots(
    image: &Image<'_>,
    input: &Input<'_>,
    names: &[&str],
) -> Result<Vec<Root>, PlaceError> {
    let mut roots = Vec::new();
    for sym in input.file.symbols() {
        let Ok(name) = sym.name() else { continue };
        if !names.contains(&name) || !sym.is_global() {
            continue;
        }
        let SymbolSection::Section(section) = sym.section() else {
            return Err(unsupported(format!(
                "root `{name}` is not defined in a section"
            )));
        };
        let slot = input
            .section_slot(section)
            .ok_or_else(|| unsupported(format!("root `{name}` is not in an allocated section")))?;
        let (image_vaddr, image_size) = image
            .symbol(name.as_bytes())
            .ok_or_else(|| unsupported(format!("the image has no place for `{name}`")))?;
        if image_size < sym.size() || input.sections[slot].nobits {
            return Err(unsupported(format!("the image's `{name}` is too small")));
        }
        let image_offset = image
            .file_offset(image_vaddr, sym.size())
            .ok_or_else(|| unsupported(format!("the image's `{name}` is not in the file")))?;
        roots.push(Root {
            slot,
            value: sym.address(),
            size: sym.size(),
            image_vaddr,
            image_offset,
        });
    }
    Ok(roots)
}

/// The value of symbol `index` and whether it is an address (relocated at
/// start-up) rather than an absolute number.
fn resolve(
    image: &Image<'_>,
    input: &Input<'_>,
    blocks: &[Block],
    roots: &[Root],
    index: SymbolIndex,
) -> Result<(u64, bool), PlaceError> {
    let sym = input.symbol(index)?;
    let name = sym.name().unwrap_or("");
    match sym.section() {
        SymbolSection::Section(section) => {
            let slot = input
                .section_slot(section)
                .ok_or_else(|| unsupported(format!("`{name}` is in an unallocated section")))?;
            let value = sym.address();
            let root = roots.iter().find(|r| {
                r.slot == slot && r.value == value && !name.is_empty() && sym.is_global()
            });
            Ok(match root {
                Some(r) => (r.image_vaddr, true),
                None => (blocks[slot].vaddr + value, true),
            })
        }
        SymbolSection::Undefined => image
            .symbol(name.as_bytes())
            .map(|(v, _)| (v, true))
            .ok_or_else(|| unsupported(format!("undefined symbol `{name}`"))),
        SymbolSection::Absolute => Ok((sym.address(), false)),
        _ => Err(unsupported(format!("symbol `{name}`"))),
    }
}

/// Applies every relocation of the object's sections to their blocks;
/// collects the addresses of the words that need start-up relocation.
fn apply(
    image: &Image<'_>,
    input: &Input<'_>,
    blocks: &mut [Block],
    roots: &[Root],
    got: &BTreeMap<usize, usize>,
    got_index: usize,
    relocs: &mut Vec<u64>,
) -> Result<(), PlaceError> {
    for (slot, s) in input.sections.iter().enumerate() {
        for (offset, r) in input.relocations(s)? {
            let (RelocationFlags::Elf { r_type }, RelocationTarget::Symbol(sym)) =
                (r.flags(), r.target())
            else {
                return Err(unsupported("a relocation without a symbol"));
            };
            if s.nobits {
                return Err(unsupported("a relocation in a zero-filled section"));
            }
            let (value, is_address) = resolve(image, input, blocks, roots, sym)?;
            let p = blocks[slot].vaddr + offset;
            let a = r.addend();
            let at = offset as usize;
            let in_root = roots
                .iter()
                .find(|rt| rt.slot == slot && offset >= rt.value && offset < rt.value + rt.size);
            let bytes = &mut blocks[slot].bytes;
            match r_type {
                elf::R_X86_64_64 => {
                    put(bytes, at, &value.wrapping_add_signed(a).to_le_bytes())?;
                    if is_address {
                        relocs.push(p);
                        if let Some(rt) = in_root {
                            relocs.push(rt.image_vaddr + offset - rt.value);
                        }
                    }
                }
                elf::R_X86_64_PC64 => {
                    no_pc_in_root(in_root.is_some())?;
                    let v = value.wrapping_add_signed(a).wrapping_sub(p);
                    put(bytes, at, &v.to_le_bytes())?;
                }
                elf::R_X86_64_PC32 | elf::R_X86_64_PLT32 => {
                    no_pc_in_root(in_root.is_some())?;
                    put(bytes, at, &pc32(value, a, p)?)?;
                }
                t if is_got(t) => {
                    no_pc_in_root(in_root.is_some())?;
                    let entry = got.get(&sym.0).expect("collected by got_targets");
                    let g = blocks[got_index].vaddr + 8 * *entry as u64;
                    put(&mut blocks[slot].bytes, at, &pc32(g, a, p)?)?;
                }
                t => return Err(unsupported(format!("relocation type {t}"))),
            }
        }
    }
    Ok(())
}

/// A root is copied elsewhere, which moves a PC-relative value: none has one.
fn no_pc_in_root(in_root: bool) -> Result<(), PlaceError> {
    if in_root {
        Err(unsupported("a PC-relative relocation inside a root"))
    } else {
        Ok(())
    }
}

/// `S + A - P` as a signed 32-bit displacement.
fn pc32(s: u64, a: i64, p: u64) -> Result<[u8; 4], PlaceError> {
    let v = s.wrapping_add_signed(a).wrapping_sub(p) as i64;
    i32::try_from(v)
        .map(i32::to_le_bytes)
        .map_err(|_| unsupported("a PC-relative displacement out of range"))
}

fn put(bytes: &mut [u8], at: usize, value: &[u8]) -> Result<(), PlaceError> {
    bytes
        .get_mut(at..at + value.len())
        .ok_or_else(|| unsupported("a relocation outside its section"))?
        .copy_from_slice(value);
    Ok(())
}
