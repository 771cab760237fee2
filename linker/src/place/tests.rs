//! Unit tests of placement's parts: the `DT_RELR` codec, the stub, what an
//! object needs. Whole executables are tested by `tests/all` (every x86_64
//! run case is placed).

use super::input::Input;
use super::{relr, stub};
use object::write::{Object, Relocation, Symbol, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, RelocationEncoding, RelocationFlags, RelocationKind,
    SectionKind, SymbolFlags, SymbolKind, SymbolScope,
};

#[test]
fn relr_round_trips() {
    let cases: Vec<Vec<u64>> = vec![
        vec![],
        vec![0x1000],
        // A dense run, the last word a bitmap can reach, one past it.
        (0..64).map(|i| 0x2000 + 8 * i).collect(),
        vec![0x3000, 0x3000 + 8 * 63, 0x3000 + 8 * 64],
        // Sparse, then dense far away.
        vec![0x10, 0x4000, 0x4008, 0x9_0000, 0x9_0100, 0x9_01f0],
    ];
    for addrs in cases {
        assert!(relr::valid(&addrs));
        let table = relr::encode(&addrs);
        assert_eq!(
            relr::decode(table.iter().copied()),
            addrs,
            "table {table:x?}"
        );
    }
}

#[test]
fn relr_encoding_is_the_standard_one() {
    // An address word, then one bitmap for the next two words and the
    // tenth (bits 1, 2 and 10 of base 0x1008).
    let table = relr::encode(&[0x1000, 0x1008, 0x1010, 0x1050]);
    assert_eq!(table, vec![0x1000, 1 | (1 << 1) | (1 << 2) | (1 << 10)]);
}

#[test]
fn relr_rejects_unaligned_and_unsorted() {
    assert!(!relr::valid(&[0x1004]));
    assert!(!relr::valid(&[0x1008, 0x1000]));
    assert!(!relr::valid(&[0x1000, 0x1000]));
}

#[test]
fn stub_defines_the_roots_and_three_slots() {
    use object::{Object as _, ObjectSection as _, ObjectSymbol as _};
    let roots = vec![("__a".to_string(), 48), ("__b".to_string(), 8)];
    let bytes = stub::stub_object(&roots).expect("stub");
    let file = object::File::parse(&*bytes).expect("parses");
    for (name, size) in &roots {
        let sym = file
            .symbols()
            .find(|s| s.name() == Ok(name))
            .expect("root defined");
        assert_eq!(sym.size(), *size);
        assert!(sym.is_global());
    }
    let notes: Vec<_> = file
        .sections()
        .filter(|s| s.name().is_ok_and(|n| n.starts_with(".note.kiln.slot")))
        .collect();
    assert_eq!(notes.len(), stub::SLOTS);
    let aligns: Vec<u64> = notes.iter().map(|s| s.align()).collect();
    assert_eq!(
        aligns,
        [4, 8, 16],
        "distinct alignments make distinct PT_NOTEs"
    );
    for n in &notes {
        assert!(stub::is_slot_note(n.data().expect("data")));
    }
    assert!(!stub::is_slot_note(b"\x04\0\0\0\x10\0\0\0\x01\0\0\0GNU\0"));
}

/// An object with code calling `used` and `__root` defined in data; it also
/// declares `unused` without referring to it.
fn object_with_imports() -> Vec<u8> {
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = obj.section_id(object::write::StandardSection::Text);
    let data = obj.add_section(
        Vec::new(),
        b".data.rel.ro".to_vec(),
        SectionKind::ReadOnlyDataWithRel,
    );
    obj.append_section_data(text, &[0xe8, 0, 0, 0, 0, 0xc3], 16);
    let root_off = obj.append_section_data(data, &[0; 24], 8);
    let import = |obj: &mut Object, name: &str| {
        obj.add_symbol(Symbol {
            name: name.as_bytes().to_vec(),
            value: 0,
            size: 0,
            kind: SymbolKind::Text,
            scope: SymbolScope::Unknown,
            weak: false,
            section: SymbolSection::Undefined,
            flags: SymbolFlags::None,
        })
    };
    let used = import(&mut obj, "used");
    import(&mut obj, "unused");
    obj.add_symbol(Symbol {
        name: b"__root".to_vec(),
        value: root_off,
        size: 24,
        kind: SymbolKind::Data,
        scope: SymbolScope::Dynamic,
        weak: false,
        section: SymbolSection::Section(data),
        flags: SymbolFlags::None,
    });
    obj.add_relocation(
        text,
        Relocation {
            offset: 1,
            symbol: used,
            addend: -4,
            flags: RelocationFlags::Generic {
                kind: RelocationKind::PltRelative,
                encoding: RelocationEncoding::X86Branch,
                size: 32,
            },
        },
    )
    .expect("relocation");
    obj.write().expect("object")
}

#[test]
fn needs_are_the_referenced_imports_and_the_roots() {
    let bytes = object_with_imports();
    let input = Input::parse(&bytes).expect("parses");
    let needs = input.needs(&["__root", "__absent"]).expect("needs");
    assert_eq!(needs.imports, ["used"]);
    assert_eq!(needs.roots, [("__root".to_string(), 24)]);
    assert!(needs.key_text().contains("import used\n"));
}

#[test]
fn objects_of_other_machines_are_refused() {
    let obj = Object::new(BinaryFormat::Elf, Architecture::Aarch64, Endianness::Little);
    let bytes = obj.write().expect("object");
    assert!(matches!(
        Input::parse(&bytes),
        Err(super::PlaceError::Unsupported(_))
    ));
}
