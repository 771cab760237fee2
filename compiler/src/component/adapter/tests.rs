//! The generator on every kind of value (handles included): each adapter
//! must be a valid core module (so the core pipeline can compile it), and
//! refusals must name the function; the name section names the module and
//! the function as backtraces show them.

use super::super::plan::{
    CanonOptions, CoreDef, CoreExport, CoreKind, FuncType, RuntimeComponentInstanceIndex,
    RuntimeInstanceIndex, StringEncoding,
};
use super::{Binding, MODULE_NAME, Request, generate};
use crate::CompileError;
use kiln_abi::component::{TypeDef, TypeIndex, TypeTableBuilder};

fn export(instance: u32, name: &str, kind: CoreKind) -> CoreExport {
    CoreExport {
        instance: RuntimeInstanceIndex::from_u32(instance),
        name: name.into(),
        kind,
    }
}

fn options(instance: u32, encoding: StringEncoding, post_return: bool) -> CanonOptions {
    CanonOptions {
        instance: RuntimeComponentInstanceIndex::from_u32(instance),
        string_encoding: encoding,
        memory: Some(export(instance, "memory", CoreKind::Memory)),
        realloc: Some(CoreDef::Export(export(instance, "realloc", CoreKind::Func))),
        post_return: post_return.then(|| CoreDef::Export(export(instance, "post", CoreKind::Func))),
        callback: None,
        async_: false,
    }
}

/// Every value kind an adapter moves, alone and nested.
fn value_types(t: &mut TypeTableBuilder) -> Vec<TypeIndex> {
    let mut add = |d: TypeDef<'_>| t.add(d).expect("a valid type");
    let prims: Vec<TypeIndex> = [
        TypeDef::Bool,
        TypeDef::S8,
        TypeDef::U8,
        TypeDef::S16,
        TypeDef::U16,
        TypeDef::S32,
        TypeDef::U32,
        TypeDef::S64,
        TypeDef::U64,
        TypeDef::F32,
        TypeDef::F64,
        TypeDef::Char,
        TypeDef::String,
    ]
    .into_iter()
    .map(&mut add)
    .collect();
    let (u8_, f32_, u64_, string) = (prims[2], prims[9], prims[8], prims[12]);
    let list_u8 = add(TypeDef::List(u8_));
    let list_string = add(TypeDef::List(string));
    let record = add(TypeDef::Record(&[("a", u8_), ("b", string), ("c", f32_)]));
    let tuple = add(TypeDef::Tuple(&[u64_, list_u8, record]));
    let variant = add(TypeDef::Variant(&[
        ("none", None),
        ("f", Some(f32_)),
        ("big", Some(u64_)),
        ("s", Some(string)),
        ("r", Some(record)),
    ]));
    let enum_ = add(TypeDef::Enum(&["a", "b", "c"]));
    let option = add(TypeDef::Option(list_string));
    let result = add(TypeDef::Result {
        ok: Some(variant),
        err: None,
    });
    let flags = add(TypeDef::Flags(&[
        "a", "b", "c", "d", "e", "f", "g", "h", "i",
    ]));
    let list_record = add(TypeDef::List(tuple));
    let own = add(TypeDef::Own(0));
    let borrow = add(TypeDef::Borrow(0));
    let handles = add(TypeDef::Record(&[("o", own), ("l", list_u8)]));
    let list_own = add(TypeDef::List(own));
    let mut all = prims;
    all.extend([
        list_u8,
        list_string,
        record,
        tuple,
        variant,
        enum_,
        option,
        result,
        flags,
        list_record,
        handles,
        list_own,
        // (As a result too here: validation, not the generator, forbids it.)
        borrow,
    ]);
    all
}

fn validate(bytes: &[u8]) -> Result<(), String> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn every_value_kind_flat_and_in_memory_validates() {
    let mut table = TypeTableBuilder::new();
    let types = value_types(&mut table);
    let pad = table.add(TypeDef::List(types[0])).expect("a type");
    let encodings = [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::Latin1Utf16,
    ];
    let callee = CoreDef::Export(export(0, "f", CoreKind::Func));
    for &t in &types {
        // Flat (one parameter, the value as result) and in memory (more
        // than 16 flat parameters).
        for params in [
            vec![t],
            vec![t; 9],
            vec![t, pad, pad, pad, pad, pad, pad, pad, pad],
        ] {
            let ty = FuncType {
                params: params.iter().map(|t| (String::from("p"), *t)).collect(),
                result: Some(t),
                async_: false,
            };
            for (i, lower_enc) in encodings.iter().enumerate() {
                let lift_enc = encodings[(i + 1) % 3];
                let (lower, lift) = (options(1, *lower_enc, false), options(2, lift_enc, i == 0));
                let g = generate(&Request {
                    name: "f",
                    table: table.table(),
                    ty: &ty,
                    lower: &lower,
                    lift: &lift,
                    callee: &callee,
                })
                .expect("an adapter");
                if let Err(e) = validate(&g.bytes) {
                    panic!("type {t:?} with {} params: {e}", params.len());
                }
            }
        }
    }
}

#[test]
fn transcoders_are_wasmtimes_for_each_encoding_pair() {
    let mut table = TypeTableBuilder::new();
    let string = table.add(TypeDef::String).expect("a type");
    let ty = FuncType {
        params: vec![("s".into(), string)],
        result: Some(string),
        async_: false,
    };
    let callee = CoreDef::Export(export(0, "f", CoreKind::Func));
    let ops = |a, b| {
        let (lower, lift) = (options(1, a, false), options(2, b, false));
        let g = generate(&Request {
            name: "f",
            table: table.table(),
            ty: &ty,
            lower: &lower,
            lift: &lift,
            callee: &callee,
        })
        .expect("an adapter");
        g.imports
            .iter()
            .filter_map(|i| match &i.3 {
                Binding::Transcode { op, .. } => Some(op.name()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    use StringEncoding::{Latin1Utf16, Utf8, Utf16};
    // Equal encodings are copied by a transcoder too: Wasmtime validates
    // the text.
    assert_eq!(ops(Utf8, Utf8), ["utf8-to-utf8", "utf8-to-utf8"]);
    assert_eq!(ops(Utf16, Utf16), ["utf16-to-utf16", "utf16-to-utf16"]);
    assert_eq!(ops(Utf8, Utf16), ["utf8-to-utf16", "utf16-to-utf8"]);
    assert_eq!(
        ops(Utf8, Latin1Utf16),
        [
            "utf8-to-latin1",
            "utf8-to-compact-utf16",
            "utf16-to-utf8",
            "latin1-to-utf8"
        ]
    );
    // latin1+utf16 on both sides: the tag read at run time picks one.
    assert_eq!(
        ops(Latin1Utf16, Latin1Utf16),
        [
            "utf16-to-compact-probably-utf16",
            "latin1-to-latin1",
            "utf16-to-compact-probably-utf16",
            "latin1-to-latin1"
        ]
    );
}

#[test]
fn async_is_refused_naming_the_function_and_streams_move() {
    let mut table = TypeTableBuilder::new();
    let stream = table.add(TypeDef::Stream(None)).expect("a type");
    let list = table.add(TypeDef::List(stream)).expect("a type");
    let callee = CoreDef::Export(export(0, "f", CoreKind::Func));
    let lower = options(1, StringEncoding::Utf8, false);
    let sync = options(2, StringEncoding::Utf8, false);
    // An async lift; a function of an `async` type lifted and lowered
    // without `async` is an ordinary adapter (its callee a task trampoline).
    let async_lift = CanonOptions {
        async_: true,
        ..sync.clone()
    };
    let request = |ty, lift| Request {
        name: "take-them",
        table: table.table(),
        ty,
        lower: &lower,
        lift,
        callee: &callee,
    };
    let ty = FuncType {
        params: Vec::new(),
        result: None,
        async_: true,
    };
    let err = generate(&request(&ty, &async_lift)).err().expect("refused");
    let CompileError::Unsupported { feature, .. } = err else {
        panic!("not an unsupported feature: {err:?}");
    };
    assert!(
        feature.contains("`take-them`") && feature.contains("async function"),
        "{feature}"
    );
    // A sync call moving stream ends is a fused adapter: each end moves
    // through the runtime's handle built-in of ends.
    let ty = FuncType {
        params: vec![("h".into(), list)],
        result: None,
        async_: false,
    };
    let g = generate(&request(&ty, &sync)).expect("generated");
    assert!(
        g.imports
            .iter()
            .any(|(_, _, _, b)| matches!(b, Binding::Handle(h) if *h == super::ENDS)),
        "{:?}",
        g.imports
    );
}

/// The module and function names of the name section, as a backtrace
/// shows them (`module!function`).
fn names(bytes: &[u8]) -> (Option<String>, Vec<(u32, String)>) {
    let mut module = None;
    let mut funcs = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Ok(wasmparser::Payload::CustomSection(c)) = payload else {
            continue;
        };
        let wasmparser::KnownCustom::Name(reader) = c.as_known() else {
            continue;
        };
        for name in reader {
            match name.expect("a name subsection") {
                wasmparser::Name::Module { name, .. } => module = Some(name.to_string()),
                wasmparser::Name::Function(map) => {
                    for n in map {
                        let n = n.expect("a name");
                        funcs.push((n.index, n.name.to_string()));
                    }
                }
                _ => {}
            }
        }
    }
    (module, funcs)
}

#[test]
fn adapters_are_named_for_backtraces() {
    let mut table = TypeTableBuilder::new();
    let string = table.add(TypeDef::String).expect("a type");
    let ty = FuncType {
        params: vec![("s".into(), string)],
        result: Some(string),
        async_: false,
    };
    let callee = CoreDef::Export(export(0, "f", CoreKind::Func));
    let (lower, lift) = (
        options(1, StringEncoding::Utf8, false),
        options(2, StringEncoding::Utf16, false),
    );
    // A bare `f` would print demangled, as `float`: the bracket keeps it.
    for (name, shown) in [("f", "[adapter]f"), ("", "[adapter]")] {
        let g = generate(&Request {
            name,
            table: table.table(),
            ty: &ty,
            lower: &lower,
            lift: &lift,
            callee: &callee,
        })
        .expect("an adapter");
        validate(&g.bytes).expect("valid");
        // The adapter is the one defined function, after the imports.
        let adapter = g
            .imports
            .iter()
            .filter(|(_, _, kind, _)| *kind == CoreKind::Func)
            .count() as u32;
        assert_eq!(
            names(&g.bytes),
            (
                Some(MODULE_NAME.to_string()),
                vec![(adapter, shown.to_string())]
            )
        );
    }
}
