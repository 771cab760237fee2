//! Layout and flattening tests: the spec's own examples (CanonicalABI.md and
//! its `canonical-abi/run_tests.py` expectations, restated) and hand-computed
//! cases.

use super::*;
use crate::ValType::{self, F32, F64, I32, I64};
use alloc::vec;
use alloc::vec::Vec;

const P32: PtrType = PtrType::I32;
const P64: PtrType = PtrType::I64;

fn add(b: &mut TypeTableBuilder, d: TypeDef<'_>) -> TypeIndex {
    b.add(d).expect("test types are well-formed")
}

/// (size, align) for 32-bit memories.
fn sa(b: &TypeTableBuilder, t: TypeIndex) -> (u32, u32) {
    let table = b.table();
    (table.elem_size(t, P32), table.alignment(t, P32))
}

fn flat(b: &TypeTableBuilder, t: TypeIndex) -> FlatTypes {
    b.table().flatten_types(&[t], P32)
}

#[test]
fn primitive_sizes_and_alignments() {
    let mut b = TypeTableBuilder::new();
    let cases = [
        (TypeDef::Bool, 1, 1, &[I32][..]),
        (TypeDef::S8, 1, 1, &[I32]),
        (TypeDef::U8, 1, 1, &[I32]),
        (TypeDef::S16, 2, 2, &[I32]),
        (TypeDef::U16, 2, 2, &[I32]),
        (TypeDef::S32, 4, 4, &[I32]),
        (TypeDef::U32, 4, 4, &[I32]),
        (TypeDef::S64, 8, 8, &[I64]),
        (TypeDef::U64, 8, 8, &[I64]),
        (TypeDef::F32, 4, 4, &[F32]),
        (TypeDef::F64, 8, 8, &[F64]),
        (TypeDef::Char, 4, 4, &[I32]),
        (TypeDef::String, 8, 4, &[I32, I32]),
        (TypeDef::ErrorContext, 4, 4, &[I32]),
        (TypeDef::Own(0), 4, 4, &[I32]),
        (TypeDef::Borrow(3), 4, 4, &[I32]),
        (TypeDef::Stream(None), 4, 4, &[I32]),
        (TypeDef::Future(None), 4, 4, &[I32]),
    ];
    for (def, size, align, flat_types) in cases {
        let t = add(&mut b, def);
        assert_eq!(sa(&b, t), (size, align), "{def:?}");
        assert_eq!(flat(&b, t).as_slice(), flat_types, "{def:?}");
    }
    let u8_ = add(&mut b, TypeDef::U8);
    let list = add(&mut b, TypeDef::List(u8_));
    assert_eq!(sa(&b, list), (8, 4));
    assert_eq!(flat(&b, list).as_slice(), &[I32, I32]);
    // 🐘 64-bit memories: pointer-sized string and list halves.
    let s = add(&mut b, TypeDef::String);
    let table = b.table();
    assert_eq!((table.elem_size(s, P64), table.alignment(s, P64)), (16, 8));
    assert_eq!(
        (table.elem_size(list, P64), table.alignment(list, P64)),
        (16, 8)
    );
    assert_eq!(table.flatten_types(&[list], P64).as_slice(), &[I64, I64]);
    assert!(table.validate().is_ok());
}

#[test]
fn records_with_mixed_alignment() {
    let mut b = TypeTableBuilder::new();
    let (u8_, u16_, u32_, u64_) = (
        add(&mut b, TypeDef::U8),
        add(&mut b, TypeDef::U16),
        add(&mut b, TypeDef::U32),
        add(&mut b, TypeDef::U64),
    );
    let r = add(
        &mut b,
        TypeDef::Record(&[("a", u8_), ("b", u32_), ("c", u16_), ("d", u64_)]),
    );
    assert_eq!(sa(&b, r), (24, 8));
    let offs: Vec<u32> = b
        .table()
        .record_offsets(r, P32)
        .unwrap()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(offs, [0, 4, 8, 16]);
    assert_eq!(flat(&b, r).as_slice(), &[I32, I32, I32, I64]);

    // Trailing padding to the record's alignment.
    let r2 = add(&mut b, TypeDef::Record(&[("x", u32_), ("y", u8_)]));
    assert_eq!(sa(&b, r2), (8, 4));
    let r3 = add(&mut b, TypeDef::Record(&[("x", u8_), ("y", u16_)]));
    assert_eq!(sa(&b, r3), (4, 2));

    // A tuple is a record with numbered fields; strings are 4-aligned (8 on
    // 64-bit memories).
    let s = add(&mut b, TypeDef::String);
    let tup = add(&mut b, TypeDef::Tuple(&[u8_, s, u8_]));
    assert_eq!(sa(&b, tup), (16, 4));
    let t = b.table();
    let offs: Vec<u32> = t
        .record_offsets(tup, P64)
        .unwrap()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(offs, [0, 8, 24]);
    assert_eq!(t.elem_size(tup, P64), 32);

    // Nested record: the inner record's alignment governs its offset.
    let nested = add(
        &mut b,
        TypeDef::Record(&[("a", u8_), ("inner", r), ("z", u8_)]),
    );
    let offs: Vec<u32> = b
        .table()
        .record_offsets(nested, P32)
        .unwrap()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(offs, [0, 8, 32]);
    assert_eq!(sa(&b, nested), (40, 8));

    // Field names survive.
    let Some(Type::Record(fields)) = b.table().get(r) else {
        panic!("record expected")
    };
    let names: Vec<&str> = fields.iter().map(|c| c.name).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(fields.position("c"), Some(2));
}

#[test]
fn variants_with_mixed_payloads() {
    let mut b = TypeTableBuilder::new();
    let u8_ = add(&mut b, TypeDef::U8);
    let u32_ = add(&mut b, TypeDef::U32);
    let f32_ = add(&mut b, TypeDef::F32);
    let f64_ = add(&mut b, TypeDef::F64);
    let u64_ = add(&mut b, TypeDef::U64);
    let s = add(&mut b, TypeDef::String);

    // Spec flattening examples: i32 and f32 join to i32.
    let v = add(
        &mut b,
        TypeDef::Variant(&[("x", Some(u8_)), ("y", Some(f32_)), ("z", None)]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, I32]);
    let lay = b.table().variant_layout(v, P32).unwrap();
    assert_eq!(
        lay,
        VariantLayout {
            num_cases: 3,
            discriminant_size: 1,
            payload_offset: 4,
            size: 8,
            align: 4
        }
    );

    // Anything joined with a 64-bit type is i64.
    let v = add(
        &mut b,
        TypeDef::Variant(&[("x", Some(u64_)), ("y", Some(f32_))]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, I64]);
    assert_eq!(sa(&b, v), (16, 8));
    let v = add(
        &mut b,
        TypeDef::Variant(&[("x", Some(f32_)), ("y", Some(f64_))]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, I64]);
    let v = add(
        &mut b,
        TypeDef::Variant(&[("x", Some(f64_)), ("y", Some(f64_))]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, F64]);
    let v = add(
        &mut b,
        TypeDef::Variant(&[("x", Some(f32_)), ("y", Some(f32_))]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, F32]);

    // Position-wise join, and the longest payload sets the length.
    let t1 = add(&mut b, TypeDef::Tuple(&[f32_, u32_]));
    let t2 = add(&mut b, TypeDef::Tuple(&[u32_, f32_, u64_]));
    let v = add(
        &mut b,
        TypeDef::Variant(&[("a", Some(t1)), ("b", Some(t2))]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, I32, I32, I64]);
    let v = add(
        &mut b,
        TypeDef::Variant(&[("a", Some(s)), ("b", Some(u64_))]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, I64, I32]);
    assert_eq!(sa(&b, v), (16, 8));

    // Payload-less variant and enum: just the discriminant.
    let v = add(&mut b, TypeDef::Variant(&[("a", None), ("b", None)]));
    assert_eq!((sa(&b, v), flat(&b, v).as_slice()), ((1, 1), &[I32][..]));
    let e = add(&mut b, TypeDef::Enum(&["a", "b", "c"]));
    assert_eq!((sa(&b, e), flat(&b, e).as_slice()), ((1, 1), &[I32][..]));

    // Discriminant width by case count (`discriminant_type`).
    assert_eq!(discriminant_size(1), 1);
    assert_eq!(discriminant_size(256), 1);
    assert_eq!(discriminant_size(257), 2);
    assert_eq!(discriminant_size(65536), 2);
    assert_eq!(discriminant_size(65537), 4);
    let labels = vec!["l"; 257];
    let e = add(&mut b, TypeDef::Enum(&labels));
    assert_eq!(sa(&b, e), (2, 2));
    let cases: Vec<(&str, Option<TypeIndex>)> = vec![("c", Some(u8_)); 300];
    let v = add(&mut b, TypeDef::Variant(&cases));
    let lay = b.table().variant_layout(v, P32).unwrap();
    assert_eq!(
        (
            lay.discriminant_size,
            lay.payload_offset,
            lay.size,
            lay.align
        ),
        (2, 2, 4, 2)
    );
    assert!(b.table().validate().is_ok());
}

#[test]
fn nested_options_and_results() {
    let mut b = TypeTableBuilder::new();
    let u8_ = add(&mut b, TypeDef::U8);
    let u64_ = add(&mut b, TypeDef::U64);
    let s = add(&mut b, TypeDef::String);

    let o = add(&mut b, TypeDef::Option(u8_));
    assert_eq!(
        (sa(&b, o), flat(&b, o).as_slice()),
        ((2, 1), &[I32, I32][..])
    );
    assert_eq!(b.table().variant_layout(o, P32).unwrap().payload_offset, 1);

    let o64 = add(&mut b, TypeDef::Option(u64_));
    assert_eq!(sa(&b, o64), (16, 8));
    let oo = add(&mut b, TypeDef::Option(o64));
    assert_eq!(sa(&b, oo), (24, 8));
    assert_eq!(b.table().variant_layout(oo, P32).unwrap().payload_offset, 8);
    assert_eq!(flat(&b, oo).as_slice(), &[I32, I32, I64]);

    let r = add(
        &mut b,
        TypeDef::Result {
            ok: Some(u64_),
            err: Some(s),
        },
    );
    assert_eq!(sa(&b, r), (16, 8));
    assert_eq!(flat(&b, r).as_slice(), &[I32, I64, I32]);

    let unit = add(
        &mut b,
        TypeDef::Result {
            ok: None,
            err: None,
        },
    );
    assert_eq!(
        (sa(&b, unit), flat(&b, unit).as_slice()),
        ((1, 1), &[I32][..])
    );
    let err_only = add(
        &mut b,
        TypeDef::Result {
            ok: None,
            err: Some(s),
        },
    );
    assert_eq!(sa(&b, err_only), (12, 4));
    assert_eq!(flat(&b, err_only).as_slice(), &[I32, I32, I32]);

    // result<option<string>, u8> (a typical WASI shape).
    let os = add(&mut b, TypeDef::Option(s));
    assert_eq!(sa(&b, os), (12, 4));
    let r2 = add(
        &mut b,
        TypeDef::Result {
            ok: Some(os),
            err: Some(u8_),
        },
    );
    assert_eq!(sa(&b, r2), (16, 4));
    assert_eq!(b.table().variant_layout(r2, P32).unwrap().payload_offset, 4);
    assert_eq!(flat(&b, r2).as_slice(), &[I32, I32, I32, I32]);

    let Some(Cases::Result(Some(ok), Some(err))) = b.table().cases(r2) else {
        panic!("result expected")
    };
    assert_eq!((ok, err), (os, u8_));
}

#[test]
fn flags_of_various_sizes() {
    let mut b = TypeTableBuilder::new();
    for (n, size, align, nflat) in [
        (0u32, 0, 1, 0),
        (1, 1, 1, 1),
        (8, 1, 1, 1),
        (9, 2, 2, 1),
        (16, 2, 2, 1),
        (17, 4, 4, 1),
        (32, 4, 4, 1),
        (33, 8, 4, 2),
        (64, 8, 4, 2),
        (65, 12, 4, 3),
    ] {
        let labels: Vec<&str> = (0..n).map(|_| "f").collect();
        let f = add(&mut b, TypeDef::Flags(&labels));
        assert_eq!(sa(&b, f), (size, align), "{n} flags");
        assert_eq!(flags_size(n), size);
        assert_eq!(flags_alignment(n), align);
        assert_eq!(flat(&b, f).as_slice(), &vec![I32; nflat][..], "{n} flags");
    }
}

#[test]
fn fixed_length_lists() {
    let mut b = TypeTableBuilder::new();
    let u16_ = add(&mut b, TypeDef::U16);
    let u8_ = add(&mut b, TypeDef::U8);
    let l = add(&mut b, TypeDef::FixedList(u16_, 3));
    assert_eq!(sa(&b, l), (6, 2));
    assert_eq!(flat(&b, l).as_slice(), &[I32, I32, I32]);
    let offs: Vec<u32> = b
        .table()
        .record_offsets(l, P32)
        .unwrap()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(offs, [0, 2, 4]);

    // Huge lists are counted, not walked.
    let big = add(&mut b, TypeDef::FixedList(u8_, 1_000_000));
    let f = flat(&b, big);
    assert_eq!(f.len(), 1_000_000);
    assert!(f.is_truncated());
    assert_eq!(f.as_slice().len(), FLAT_CAPACITY);
    assert_eq!(sa(&b, big), (1_000_000, 1));

    assert_eq!(
        b.add(TypeDef::FixedList(u8_, 0)),
        Err(TypeError::Empty { index: 4 })
    );

    // Sizes past u32 are refused, and the builder is left unchanged.
    let u64_ = add(&mut b, TypeDef::U64);
    assert_eq!(
        b.add(TypeDef::FixedList(u64_, u32::MAX)),
        Err(TypeError::TooLarge { index: 5 })
    );
    let n = b.records().len();
    let r = add(&mut b, TypeDef::Record(&[("a", big), ("b", big)]));
    assert_eq!(sa(&b, r).0, 2_000_000);
    let huge = add(&mut b, TypeDef::FixedList(r, 2000));
    assert_eq!(sa(&b, huge).0, 4_000_000_000);
    let kids = b.children().len();
    assert_eq!(
        b.add(TypeDef::Tuple(&[huge, huge])),
        Err(TypeError::TooLarge {
            index: n as u32 + 2
        })
    );
    assert_eq!(
        (b.records().len(), b.children().len()),
        (n + 2, kids),
        "rolled back"
    );
    assert!(b.table().validate().is_ok());
}

fn sig(
    b: &TypeTableBuilder,
    params: &[TypeIndex],
    results: &[TypeIndex],
    opts: FlattenOpts,
    cx: AbiContext,
) -> CoreSig {
    b.table()
        .flatten_functype(FuncSig { params, results }, opts, cx)
}

#[test]
fn flatten_functype_sync() {
    let mut b = TypeTableBuilder::new();
    let u8_ = add(&mut b, TypeDef::U8);
    let f32_ = add(&mut b, TypeDef::F32);
    let f64_ = add(&mut b, TypeDef::F64);
    let u32_ = add(&mut b, TypeDef::U32);
    let s = add(&mut b, TypeDef::String);
    let sync = FlattenOpts::default();
    let (lift, lower) = (AbiContext::Lift, AbiContext::Lower);

    // Spec examples: (u8, f32, f64) with no / one flat result.
    for cx in [lift, lower] {
        let g = sig(&b, &[u8_, f32_, f64_], &[], sync, cx);
        assert_eq!(g.params.as_slice(), &[I32, F32, F64]);
        assert!(g.results.is_empty() && !g.params_in_memory && !g.results_in_memory);
        let g = sig(&b, &[u8_, f32_, f64_], &[f32_], sync, cx);
        assert_eq!(g.results.as_slice(), &[F32]);
        let g = sig(&b, &[u8_, f32_, f64_], &[u8_], sync, cx);
        assert_eq!(g.results.as_slice(), &[I32]);
    }

    // Two flat results (a string, or the old multi-value results).
    for results in [&[s][..], &[f32_, f32_][..], &[u32_, u8_][..]] {
        let g = sig(&b, &[u8_], results, sync, lower);
        assert_eq!(g.params.as_slice(), &[I32, I32], "lower appends a retptr");
        assert!(g.results.is_empty() && g.results_in_memory);
        let g = sig(&b, &[u8_], results, sync, lift);
        assert_eq!(g.params.as_slice(), &[I32]);
        assert_eq!(g.results.as_slice(), &[I32], "lift returns a pointer");
        assert!(g.results_in_memory);
        assert_eq!(g.flat_results, 2);
    }

    // 16 flat params pass as values; 17 go through memory.
    let sixteen = [u8_; 16];
    let g = sig(&b, &sixteen, &[], sync, lower);
    assert_eq!(g.params.as_slice(), &[I32; 16]);
    assert!(!g.params_in_memory);
    let seventeen = [u8_; 17];
    for cx in [lift, lower] {
        let g = sig(&b, &seventeen, &[], sync, cx);
        assert_eq!(g.params.as_slice(), &[I32]);
        assert!(g.params_in_memory);
        assert_eq!(g.flat_params, 17);
    }
    // Eight strings are 16 flat values; a ninth spills.
    let g = sig(&b, &[s; 8], &[], sync, lower);
    assert!(!g.params_in_memory);
    let g = sig(&b, &[s; 9], &[s], sync, lower);
    assert_eq!(g.params.as_slice(), &[I32, I32], "params pointer + retptr");
    assert!(g.params_in_memory && g.results_in_memory);
    // 64-bit memories use i64 pointers for both.
    let opts64 = FlattenOpts { ptr: P64, ..sync };
    let g = sig(&b, &[s; 9], &[s], opts64, lower);
    assert_eq!(g.params.as_slice(), &[I64, I64]);
    let g = sig(&b, &[u8_], &[s], opts64, lift);
    assert_eq!(g.results.as_slice(), &[I64]);

    // The tuple of spilled parameters: record layout of the param types.
    let t = b.table();
    let params = [u8_, f64_, s, u8_];
    assert_eq!(t.fields_size(params, P32), 32);
    assert_eq!(t.fields_alignment(params, P32), 8);
    let offs: Vec<u32> = t.field_offsets(params, P32).map(|(_, o)| o).collect();
    assert_eq!(offs, [0, 8, 16, 24]);
}

#[test]
fn flatten_functype_async() {
    let mut b = TypeTableBuilder::new();
    let u32_ = add(&mut b, TypeDef::U32);
    let s = add(&mut b, TypeDef::String);
    let lower = AbiContext::Lower;
    let lift = AbiContext::Lift;
    let a = FlattenOpts {
        async_: true,
        ..FlattenOpts::default()
    };

    // Async lower: up to 4 flat params, results always via retptr, i32 status.
    let g = sig(&b, &[u32_; 4], &[u32_], a, lower);
    assert_eq!(g.params.as_slice(), &[I32; 5]);
    assert_eq!(g.results.as_slice(), &[I32]);
    assert!(!g.params_in_memory && g.results_in_memory);
    let g = sig(&b, &[u32_; 5], &[], a, lower);
    assert_eq!(g.params.as_slice(), &[I32]);
    assert!(g.params_in_memory && !g.results_in_memory);
    assert_eq!(g.results.as_slice(), &[I32]);

    // Async lift: params up to 16, results through task.return.
    let g = sig(&b, &[s; 2], &[s], a, lift);
    assert_eq!(g.params.as_slice(), &[I32; 4]);
    assert!(g.results.is_empty() && !g.results_in_memory);
    let cb = FlattenOpts {
        callback: true,
        ..a
    };
    let g = sig(&b, &[u32_; 17], &[s], cb, lift);
    assert_eq!(g.params.as_slice(), &[I32]);
    assert_eq!(g.results.as_slice(), &[I32], "callback code");
}

#[test]
fn join_table() {
    assert_eq!(join(I32, I32), I32);
    assert_eq!(join(I32, F32), I32);
    assert_eq!(join(F32, I32), I32);
    assert_eq!(join(F32, F32), F32);
    assert_eq!(join(F64, F64), F64);
    assert_eq!(join(I64, I64), I64);
    for (x, y) in [(I32, I64), (I32, F64), (F32, F64), (F32, I64), (I64, F64)] {
        assert_eq!(join(x, y), I64);
        assert_eq!(join(y, x), I64);
    }
}

#[test]
fn builder_interns_and_validates() {
    let mut b = TypeTableBuilder::new();
    let u8_ = add(&mut b, TypeDef::U8);
    assert_eq!(add(&mut b, TypeDef::U8), u8_);
    let r1 = add(&mut b, TypeDef::Record(&[("a", u8_)]));
    let r2 = add(&mut b, TypeDef::Record(&[("a", u8_)]));
    let r3 = add(&mut b, TypeDef::Record(&[("b", u8_)]));
    assert_eq!(r1, r2);
    assert_ne!(r1, r3);
    let e = add(&mut b, TypeDef::Enum(&["a", "b"]));
    // "a" is stored once in the pool.
    assert_eq!(b.names(), b"ab");
    assert!(matches!(b.table().get(e), Some(Type::Enum(c)) if c.len() == 2));
    assert_eq!(
        b.add(TypeDef::List(TypeIndex(99))),
        Err(TypeError::BadTypeRef { index: 4 })
    );
    assert_eq!(
        b.add(TypeDef::Variant(&[])),
        Err(TypeError::Empty { index: 4 })
    );
    assert!(b.table().validate().is_ok());

    // Hand-made malformed tables.
    let fwd = [TypeRecord::new(TypeKind::List, 0, 0)];
    assert_eq!(
        TypeTable::new(&fwd, &[], &[]).validate(),
        Err(TypeError::BadTypeRef { index: 0 })
    );
    let badkind = [TypeRecord {
        kind: 200,
        _pad: [0; 3],
        a: 0,
        b: 0,
    }];
    assert_eq!(
        TypeTable::new(&badkind, &[], &[]).validate(),
        Err(TypeError::BadKind { index: 0 })
    );
    let kids = [TypeChild {
        ty: NO_TYPE,
        name_start: 0,
        name_len: 5,
    }];
    let rec = [TypeRecord::new(TypeKind::Enum, 0, 1)];
    assert_eq!(
        TypeTable::new(&rec, &kids, b"ab").validate(),
        Err(TypeError::BadChild { index: 0 })
    );
    let huge = [
        TypeRecord::new(TypeKind::U64, 0, 0),
        TypeRecord::new(TypeKind::FixedList, 0, u32::MAX),
    ];
    let t = TypeTable::new(&huge, &[], &[]);
    assert_eq!(t.validate(), Err(TypeError::TooLarge { index: 1 }));
    assert_eq!(t.elem_size(TypeIndex(1), P32), u32::MAX, "saturates");
    // Out-of-range lookups are harmless.
    assert!(t.get(TypeIndex(7)).is_none());
    assert_eq!(t.alignment(TypeIndex(7), P32), 1);
}

#[test]
fn table_from_descriptor() {
    let mut b = TypeTableBuilder::new();
    let u8_ = add(&mut b, TypeDef::U8);
    let r = add(&mut b, TypeDef::Record(&[("x", u8_), ("yy", u8_)]));
    // Leak copies so the view can be 'static, as an emitted table is.
    let types: &'static [TypeRecord] = Vec::leak(b.records().to_vec());
    let children: &'static [TypeChild] = Vec::leak(b.children().to_vec());
    let names: &'static [u8] = Vec::leak(b.names().to_vec());
    let desc = TypeTableDesc {
        types: types.as_ptr() as u64,
        num_types: types.len() as u64,
        children: children.as_ptr() as u64,
        num_children: children.len() as u64,
        names: names.as_ptr() as u64,
        names_len: names.len() as u64,
    };
    // SAFETY: the arrays are leaked, hence live for 'static.
    let t = unsafe { TypeTable::from_desc(&desc) };
    assert!(t.validate().is_ok());
    assert_eq!(t.elem_size(r, P32), 2);
    let Some(Type::Record(c)) = t.get(r) else {
        panic!("record expected")
    };
    assert_eq!(c.get(1).map(|c| c.name), Some("yy"));
    // SAFETY: an all-zero descriptor is an empty table.
    let empty = unsafe { TypeTable::from_desc(&TypeTableDesc::default()) };
    assert!(empty.is_empty());
}

#[test]
fn repr_c_layouts() {
    use core::mem::{offset_of, size_of};
    assert_eq!(size_of::<TypeRecord>(), 12);
    assert_eq!(size_of::<TypeChild>(), 12);
    assert_eq!(size_of::<TypeTableDesc>(), 48);
    assert_eq!(size_of::<CoreItemRef>(), 8);
    assert_eq!(size_of::<CanonOpts>(), 80);
    assert_eq!(offset_of!(CanonOpts, string_encoding), 4);
    assert_eq!(offset_of!(CanonOpts, flags), 5);
    assert_eq!(offset_of!(CanonOpts, func_type), 8);
    assert_eq!(offset_of!(CanonOpts, memory), 16);
    assert_eq!(offset_of!(CanonOpts, realloc), 24);
    assert_eq!(offset_of!(CanonOpts, post_return), 32);
    assert_eq!(offset_of!(CanonOpts, callback), 40);
    assert_eq!(offset_of!(CanonOpts, memory_def), 48);
    assert_eq!(offset_of!(CanonOpts, realloc_func), 56);
    assert_eq!(offset_of!(CanonOpts, post_return_func), 64);
    assert_eq!(offset_of!(CanonOpts, callback_func), 72);
}

#[test]
fn canon_constants_and_opts() {
    assert_eq!(UTF16_TAG, 0x8000_0000);
    assert_eq!(canon::utf16_tag(P32), u64::from(UTF16_TAG));
    assert_eq!(canon::utf16_tag(P64), 1 << 63);
    assert_eq!(HANDLE_TABLE_MAX_LENGTH, 268_435_455);
    assert_eq!(MAX_STRING_BYTE_LENGTH, (1 << 28) - 1);
    assert!(REALLOC_I32_MAX > 2 * u64::from(MAX_STRING_BYTE_LENGTH));
    assert_eq!(StringEncoding::Utf8.alignment(), 1);
    assert_eq!(StringEncoding::Latin1Utf16.alignment(), 2);
    for e in [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::Latin1Utf16,
    ] {
        assert_eq!(StringEncoding::from_u8(e as u8), Some(e));
    }

    let mut o = CanonOpts {
        string_encoding: StringEncoding::Utf16 as u8,
        flags: CANON_OPT_ASYNC,
        callback: CoreItemRef {
            instance: 1,
            index: 7,
        },
        ..CanonOpts::EMPTY
    };
    assert_eq!(o.encoding(), StringEncoding::Utf16);
    assert_eq!(
        o.flatten_opts(),
        FlattenOpts {
            ptr: P32,
            async_: true,
            callback: true
        }
    );
    o.flags |= CANON_OPT_MEMORY64;
    assert_eq!(o.ptr_type(), P64);
    assert!(!CanonOpts::default().realloc.is_some());

    // Slots: room for every param and the result, at least one.
    let mut b = TypeTableBuilder::new();
    let u32_ = add(&mut b, TypeDef::U32);
    let s = add(&mut b, TypeDef::String);
    let lower = AbiContext::Lower;
    let d = FlattenOpts::default();
    assert_eq!(lowered_slots_len(&sig(&b, &[], &[], d, lower)), 1);
    assert_eq!(lowered_slots_len(&sig(&b, &[], &[u32_], d, lower)), 1);
    assert_eq!(lowered_slots_len(&sig(&b, &[s, s], &[s], d, lower)), 5);
    assert_eq!(
        lowered_slots_len(&sig(&b, &[u32_; 17], &[u32_], d, lower)),
        1
    );
}

/// Layout and flattening expectations restated from the spec's
/// `canonical-abi/run_tests.py` (`test_heap` element strides and field
/// positions, `test` flat value counts, `test_flatten` signatures).
#[test]
fn spec_run_tests_examples() {
    let mut b = TypeTableBuilder::new();
    let u8_ = add(&mut b, TypeDef::U8);
    let u16_ = add(&mut b, TypeDef::U16);
    let u32_ = add(&mut b, TypeDef::U32);
    let f32_ = add(&mut b, TypeDef::F32);
    let f64_ = add(&mut b, TypeDef::F64);
    let s = add(&mut b, TypeDef::String);
    let offsets = |b: &TypeTableBuilder, t| -> Vec<u32> {
        b.table()
            .record_offsets(t, P32)
            .unwrap()
            .map(|(_, o)| o)
            .collect()
    };

    // test_heap(list<tuple<u8,u8,u16,u32>>): [6, 7, 8,0, 9,0,0,0] per element.
    let t = add(&mut b, TypeDef::Tuple(&[u8_, u8_, u16_, u32_]));
    assert_eq!((offsets(&b, t), sa(&b, t)), (vec![0, 1, 2, 4], (8, 4)));
    // tuple<u8,u16,u8,u32>: [6,pad, 7,0, 8,pad,pad,pad, 9,0,0,0].
    let t = add(&mut b, TypeDef::Tuple(&[u8_, u16_, u8_, u32_]));
    assert_eq!((offsets(&b, t), sa(&b, t)), (vec![0, 2, 4, 8], (12, 4)));
    // tuple<u16,u8>: [6,0, 7, pad].
    let t = add(&mut b, TypeDef::Tuple(&[u16_, u8_]));
    assert_eq!((offsets(&b, t), sa(&b, t)), (vec![0, 2], (4, 2)));
    // tuple<tuple<u16,u8>,u8>: [4,0, 5,pad, 6,pad].
    let t2 = add(&mut b, TypeDef::Tuple(&[t, u8_]));
    assert_eq!((offsets(&b, t2), sa(&b, t2)), (vec![0, 4], (6, 2)));
    // list<list<u8,2>> and list<list<u32,2>> strides; list<string> and
    // list<list<u8>> elements are (ptr, len) pairs.
    let l = add(&mut b, TypeDef::FixedList(u8_, 2));
    assert_eq!(sa(&b, l), (2, 1));
    let l = add(&mut b, TypeDef::FixedList(u32_, 2));
    assert_eq!(sa(&b, l), (8, 4));
    let l = add(&mut b, TypeDef::List(u8_));
    assert_eq!(sa(&b, l), (8, 4));
    assert_eq!(sa(&b, s), (8, 4));
    // Flags strides: 2 labels 1 byte, 9 → 2, 17 → 4, 32 → 4.
    for (n, stride) in [(2, 1), (9, 2), (17, 4), (32, 4)] {
        let labels = vec!["f"; n];
        let f = add(&mut b, TypeDef::Flags(&labels));
        assert_eq!(sa(&b, f).0, stride);
    }

    // `test` flat inputs: variant{x(u8), y(f32), z} takes [case, i32];
    // option<f32> takes [case, f32]; result<u8, u32> takes [case, i32].
    let v = add(
        &mut b,
        TypeDef::Variant(&[("x", Some(u8_)), ("y", Some(f32_)), ("z", None)]),
    );
    assert_eq!(flat(&b, v).as_slice(), &[I32, I32]);
    let o = add(&mut b, TypeDef::Option(f32_));
    assert_eq!(flat(&b, o).as_slice(), &[I32, F32]);
    let r = add(
        &mut b,
        TypeDef::Result {
            ok: Some(u8_),
            err: Some(u32_),
        },
    );
    assert_eq!(flat(&b, r).as_slice(), &[I32, I32]);

    // test_flatten: lift returns a pointer past 1 flat result, lower
    // appends one; more than 16 flat params become one pointer.
    let d = FlattenOpts::default();
    let pair = add(&mut b, TypeDef::Tuple(&[f32_, f32_]));
    let one = add(&mut b, TypeDef::Tuple(&[f32_]));
    let u8pair = add(&mut b, TypeDef::Tuple(&[u8_, u8_]));
    let base = [u8_, f32_, f64_];
    // (params, results, flat params, flat results)
    type Case<'c> = (
        &'c [TypeIndex],
        &'c [TypeIndex],
        &'c [ValType],
        &'c [ValType],
    );
    let cases: [Case<'_>; 7] = [
        (&base, &[], &[I32, F32, F64], &[]),
        (&base, &[f32_], &[I32, F32, F64], &[F32]),
        (&base, &[u8_], &[I32, F32, F64], &[I32]),
        (&base, &[one], &[I32, F32, F64], &[F32]),
        (&base, &[pair], &[I32, F32, F64], &[F32, F32]),
        (&base, &[f32_, f32_], &[I32, F32, F64], &[F32, F32]),
        (&[u8_; 17], &[u8pair], &[I32; 17], &[I32, I32]),
    ];
    for (params, results, flat_params, flat_results) in cases {
        let mut expect_params = FlatTypes::from_slice(flat_params);
        if flat_params.len() > MAX_FLAT_PARAMS {
            expect_params = FlatTypes::from_slice(&[I32]);
        }
        let mut expect_results = FlatTypes::from_slice(flat_results);
        if flat_results.len() > MAX_FLAT_RESULTS {
            expect_results = FlatTypes::from_slice(&[I32]);
        }
        let g = sig(&b, params, results, d, AbiContext::Lift);
        assert_eq!(g.params.as_slice(), expect_params.as_slice());
        assert_eq!(g.results.as_slice(), expect_results.as_slice());
        if flat_results.len() > MAX_FLAT_RESULTS {
            expect_params.push(I32);
            expect_results = FlatTypes::new();
        }
        let g = sig(&b, params, results, d, AbiContext::Lower);
        assert_eq!(g.params.as_slice(), expect_params.as_slice());
        assert_eq!(g.results.as_slice(), expect_results.as_slice());
    }
}

#[test]
fn type_predicates() {
    let mut b = TypeTableBuilder::new();
    let u8_ = add(&mut b, TypeDef::U8);
    let bor = add(&mut b, TypeDef::Borrow(0));
    let own = add(&mut b, TypeDef::Own(0));
    let s = add(&mut b, TypeDef::String);
    let st = add(&mut b, TypeDef::Stream(Some(u8_)));
    let fut = add(&mut b, TypeDef::Future(None));
    let r = add(&mut b, TypeDef::Record(&[("a", u8_), ("b", bor)]));
    let v = add(&mut b, TypeDef::Variant(&[("x", None), ("y", Some(r))]));
    let o = add(&mut b, TypeDef::Option(s));
    let res = add(
        &mut b,
        TypeDef::Result {
            ok: None,
            err: Some(fut),
        },
    );
    let fl = add(&mut b, TypeDef::FixedList(st, 2));
    let l = add(&mut b, TypeDef::List(own));
    let t = b.table();
    assert!(t.contains_borrow(v) && t.contains_borrow(bor));
    assert!(!t.contains_borrow(l) && !t.contains_borrow(o));
    assert!(t.contains_async_value(res) && t.contains_async_value(fl));
    assert!(!t.contains_async_value(v));
    assert!(t.contains_list_or_string(o) && t.contains_list_or_string(l));
    assert!(!t.contains_list_or_string(v) && !t.contains_list_or_string(fl));
}

#[test]
fn transcoders_are_numbered_in_all_order() {
    use super::transcode::Transcode;
    for (i, op) in Transcode::ALL.iter().enumerate() {
        assert_eq!(op.number() as usize, i);
        assert_eq!(Transcode::from_number(i as u32), Some(*op));
    }
    assert_eq!(Transcode::from_number(Transcode::ALL.len() as u32), None);
    assert_eq!(Transcode::Utf16ToUtf8.source_unit_bytes(), 2);
    assert_eq!(Transcode::Latin1ToUtf8.source_unit_bytes(), 1);
}
