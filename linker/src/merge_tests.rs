//! Unit tests of [`super::append_object`] on objects written here with
//! `object::write`: a "code" object that refers to a symbol it leaves
//! undefined, and a "grants" object that defines it with a local string.

use super::*;
use object::write::{Object as WObject, Relocation, StandardSection, Symbol, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, Object, ObjectSection, ObjectSymbol, RelocationFlags,
    RelocationTarget, SymbolFlags, SymbolKind, SymbolScope,
};

fn object(arch: Architecture) -> WObject<'static> {
    WObject::new(BinaryFormat::Elf, arch, Endianness::Little)
}

/// A global data symbol named `name` over `data` in `.rodata`.
fn define(
    o: &mut WObject<'_>,
    name: &str,
    data: &[u8],
    scope: SymbolScope,
) -> object::write::SymbolId {
    let section = o.section_id(StandardSection::ReadOnlyData);
    let offset = o.append_section_data(section, data, 8);
    o.add_symbol(Symbol {
        name: name.as_bytes().to_vec(),
        value: offset,
        size: data.len() as u64,
        kind: SymbolKind::Data,
        scope,
        weak: false,
        section: SymbolSection::Section(section),
        flags: SymbolFlags::None,
    })
}

fn undefined(o: &mut WObject<'_>, name: &str) -> object::write::SymbolId {
    o.add_symbol(Symbol {
        name: name.as_bytes().to_vec(),
        value: 0,
        size: 0,
        kind: SymbolKind::Data,
        scope: SymbolScope::Unknown,
        weak: false,
        section: SymbolSection::Undefined,
        flags: SymbolFlags::None,
    })
}

/// An absolute 64-bit pointer at `offset` of `section` to `symbol`.
fn pointer(
    o: &mut WObject<'_>,
    section: object::write::SectionId,
    offset: u64,
    symbol: object::write::SymbolId,
) {
    o.add_relocation(
        section,
        Relocation {
            offset,
            symbol,
            addend: 0,
            flags: RelocationFlags::Elf {
                r_type: elf::R_X86_64_64,
            },
        },
    )
    .unwrap();
}

/// "Code" that points at `__kiln_grants` (undefined) and defines `code`.
fn code_object() -> Vec<u8> {
    let mut o = object(Architecture::X86_64);
    let grants = undefined(&mut o, "__kiln_grants");
    let _ = define(&mut o, "code", &[0; 16], SymbolScope::Linkage);
    let data = o.section_id(StandardSection::Data);
    o.append_section_data(data, &[0; 8], 8);
    pointer(&mut o, data, 0, grants);
    o.write().unwrap()
}

/// "Grants": `__kiln_grants`, a pointer to a local string.
fn grants_object() -> Vec<u8> {
    let mut o = object(Architecture::X86_64);
    let text = define(&mut o, "strings", b"hello\0", SymbolScope::Compilation);
    let root = define(&mut o, "__kiln_grants", &[0; 8], SymbolScope::Linkage);
    let section = o.section_id(StandardSection::ReadOnlyData);
    let at = o.symbol(root).value;
    pointer(&mut o, section, at, text);
    o.write().unwrap()
}

#[test]
fn joins_definitions_references_and_relocations() {
    let joined = append_object(&code_object(), &grants_object()).unwrap();
    let file = object::File::parse(&*joined).unwrap();
    // One `__kiln_grants`, now defined, pointed at by the code's data.
    let grants: Vec<_> = file
        .symbols()
        .filter(|s| s.name() == Ok("__kiln_grants"))
        .collect();
    assert_eq!(grants.len(), 1);
    assert!(grants[0].is_definition());
    let code = file.symbols().find(|s| s.name() == Ok("code")).unwrap();
    assert!(code.is_definition());
    let data = file.section_by_name(".data").unwrap();
    let (_, r) = data.relocations().next().unwrap();
    assert_eq!(r.target(), RelocationTarget::Symbol(grants[0].index()));
    // The grants' own pointer still reaches its string.
    let strings = file.symbols().find(|s| s.name() == Ok("strings")).unwrap();
    let grants_section = grants[0].section_index().unwrap();
    let pointed: Vec<_> = file
        .section_by_index(grants_section)
        .unwrap()
        .relocations()
        .map(|(_, r)| r.target())
        .collect();
    assert!(pointed.contains(&RelocationTarget::Symbol(strings.index())));
    assert_eq!(strings.section_index(), Some(grants_section));
    assert_eq!(
        file.section_by_index(grants_section)
            .unwrap()
            .data()
            .unwrap()[..6],
        *b"hello\0"
    );
}

#[test]
fn two_definitions_are_an_error() {
    let grants = grants_object();
    let err = append_object(&grants, &grants).unwrap_err();
    assert!(
        matches!(err, MergeError::Duplicate(ref name) if name == "__kiln_grants"),
        "{err}"
    );
}

#[test]
fn other_machines_are_an_error() {
    let mut o = object(Architecture::Aarch64);
    let _ = define(&mut o, "x", &[0; 8], SymbolScope::Linkage);
    let other = o.write().unwrap();
    let err = append_object(&code_object(), &other).unwrap_err();
    assert!(matches!(err, MergeError::Machine { .. }), "{err}");
}
