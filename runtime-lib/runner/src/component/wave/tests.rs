//! Unit tests of the WAVE parser, typing, printing and ABI: each input's
//! expected output and error text is what `wasmtime run --invoke` 48
//! printed for the same value or call (checked by hand on WAT components).

use super::abi;
use super::parse::parse_func_call;
use super::print;
use super::value::{self, Value};
use kiln_abi::component::StringEncoding;
use kiln_canon::abi::{PtrType, TypeDef, TypeIndex, TypeTableBuilder};
use kiln_canon::fixture::{Call, TestMemory};
use kiln_canon::memory::{LiftCx, LowerCx};
use kiln_canon::value::{FlatSink, FlatSource};

/// A table with one of every kind the tests use.
struct Types {
    b: TypeTableBuilder,
    t: std::collections::BTreeMap<&'static str, TypeIndex>,
}

impl Types {
    fn new() -> Types {
        let mut b = TypeTableBuilder::new();
        let mut t = std::collections::BTreeMap::new();
        fn add(
            b: &mut TypeTableBuilder,
            t: &mut std::collections::BTreeMap<&'static str, TypeIndex>,
            name: &'static str,
            def: TypeDef<'_>,
        ) -> TypeIndex {
            let i = b.add(def).expect("type");
            t.insert(name, i);
            i
        }
        let u8_ = add(&mut b, &mut t, "u8", TypeDef::U8);
        let u16_ = add(&mut b, &mut t, "u16", TypeDef::U16);
        let u32_ = add(&mut b, &mut t, "u32", TypeDef::U32);
        let u64_ = add(&mut b, &mut t, "u64", TypeDef::U64);
        add(&mut b, &mut t, "s8", TypeDef::S8);
        add(&mut b, &mut t, "s64", TypeDef::S64);
        let f32_ = add(&mut b, &mut t, "f32", TypeDef::F32);
        let f64_ = add(&mut b, &mut t, "f64", TypeDef::F64);
        add(&mut b, &mut t, "bool", TypeDef::Bool);
        let ch = add(&mut b, &mut t, "char", TypeDef::Char);
        let s = add(&mut b, &mut t, "string", TypeDef::String);
        add(&mut b, &mut t, "list-u32", TypeDef::List(u32_));
        let ls = add(&mut b, &mut t, "list-string", TypeDef::List(s));
        let ou8 = add(&mut b, &mut t, "option-u8", TypeDef::Option(u8_));
        add(&mut b, &mut t, "option-option-u8", TypeDef::Option(ou8));
        let res = add(
            &mut b,
            &mut t,
            "result",
            TypeDef::Result {
                ok: Some(u32_),
                err: Some(s),
            },
        );
        add(
            &mut b,
            &mut t,
            "result-none",
            TypeDef::Result {
                ok: None,
                err: None,
            },
        );
        let tup = add(
            &mut b,
            &mut t,
            "tuple",
            TypeDef::Tuple(&[u8_, u16_, u32_, u64_, f32_, f64_]),
        );
        let color = add(
            &mut b,
            &mut t,
            "color",
            TypeDef::Enum(&["red", "green", "ok", "blue-ish"]),
        );
        let perms = add(
            &mut b,
            &mut t,
            "perms",
            TypeDef::Flags(&["read", "write", "exec"]),
        );
        let shape = add(
            &mut b,
            &mut t,
            "shape",
            TypeDef::Variant(&[
                ("none-case", None),
                ("circle", Some(f32_)),
                ("label", Some(s)),
                ("big", Some(u64_)),
                ("err", None),
            ]),
        );
        let small = add(
            &mut b,
            &mut t,
            "small",
            TypeDef::Record(&[("x", u32_), ("maybe", ou8)]),
        );
        add(
            &mut b,
            &mut t,
            "all-optional",
            TypeDef::Record(&[("maybe", ou8)]),
        );
        add(
            &mut b,
            &mut t,
            "big",
            TypeDef::Record(&[
                ("s", s),
                ("names", ls),
                ("o", ou8),
                ("r", res),
                ("t", tup),
                ("v", shape),
                ("c", color),
                ("p", perms),
                ("ch", ch),
                ("sm", small),
            ]),
        );
        Types { b, t }
    }

    fn ty(&self, name: &str) -> TypeIndex {
        self.t[name]
    }

    /// `f(text)` for a function taking one `ty`: the printed value, or the
    /// error chain.
    fn round_trip(&self, ty: &str, text: &str) -> Result<String, Vec<String>> {
        let src = format!("f({text})");
        let call = parse_func_call(&src).map_err(|e| e.chain())?;
        let t = self.ty(ty);
        let v =
            value::params_from_call(self.b.table(), &[t.0], &call, &src).map_err(|e| e.chain())?;
        Ok(print::results(self.b.table(), &[t.0], &v))
    }
}

#[test]
fn scalars_print_as_wasmtime_prints_them() {
    let t = Types::new();
    for (ty, input, out) in [
        ("u8", "255", "255"),
        ("s8", "-128", "-128"),
        ("u64", "18446744073709551615", "18446744073709551615"),
        ("s64", "-9223372036854775808", "-9223372036854775808"),
        ("f32", "1.5", "1.5"),
        ("f32", "nan", "nan"),
        ("f32", "-inf", "-inf"),
        ("f32", "inf", "inf"),
        ("f32", "0.1", "0.1"),
        ("f32", "3.4e39", "inf"),
        ("f32", "1", "1"),
        ("f64", "-1.5e-10", "-0.00000000015"),
        ("f64", "-0", "-0"),
        ("char", "'x'", "'x'"),
        ("char", r"'\u{1b}'", r"'\u{1b}'"),
        ("char", r"'\''", r"'\''"),
        ("char", "'☃'", "'☃'"),
        ("bool", "true", "true"),
        ("u32", "1 // comment\n", "1"),
    ] {
        assert_eq!(t.round_trip(ty, input).as_deref(), Ok(out), "{ty} {input}");
    }
}

#[test]
fn strings_escape_as_wasmtime_does() {
    let t = Types::new();
    let r = t.round_trip("string", r#""hi\tthere\u{0}\"\\ ☃ \u{7f}""#);
    assert_eq!(r.as_deref(), Ok(r#""hi\tthere\u{0}\"\\ ☃ \u{7f}""#));
    let r = t.round_trip("string", "\"\"\"\n  ab\n  c\n  \"\"\"");
    assert_eq!(r.as_deref(), Ok(r#""ab\nc""#));
}

#[test]
fn compound_values_print_in_type_order() {
    let t = Types::new();
    for (ty, input, out) in [
        ("list-u32", "[1, 2, 3,]", "[1, 2, 3]"),
        ("list-u32", "[]", "[]"),
        ("list-string", r#"["a", "", "bc"]"#, r#"["a", "", "bc"]"#),
        ("option-u8", "some(5)", "some(5)"),
        ("option-u8", "5", "some(5)"),
        ("option-u8", "none", "none"),
        ("option-option-u8", "some(none)", "some(none)"),
        ("result", "ok(7)", "ok(7)"),
        ("result", "7", "ok(7)"),
        ("result", r#"err("bad")"#, r#"err("bad")"#),
        ("result-none", "ok", "ok"),
        ("color", "green", "green"),
        ("color", "%ok", "%ok"),
        ("color", "blue-ish", "blue-ish"),
        ("perms", "{write, read}", "{read, write}"),
        ("perms", "{}", "{}"),
        ("shape", "label(\"l\")", "label(\"l\")"),
        ("shape", "%err", "%err"),
        ("shape", "big(99)", "big(99)"),
        ("small", "{x: 9}", "{x: 9}"),
        (
            "small",
            "{maybe: 1, x: 9, extra: 5}",
            "{x: 9, maybe: some(1)}",
        ),
        ("all-optional", "{:}", "{:}"),
        (
            "tuple",
            "(1, 2, 3, 4, 1.5, -inf)",
            "(1, 2, 3, 4, 1.5, -inf)",
        ),
    ] {
        assert_eq!(t.round_trip(ty, input).as_deref(), Ok(out), "{ty} {input}");
    }
}

fn err(lines: &[&str]) -> Result<String, Vec<String>> {
    Err(lines.iter().map(|s| s.to_string()).collect())
}

#[test]
fn conversion_errors_are_worded_as_wasmtime_words_them() {
    let t = Types::new();
    assert_eq!(t.round_trip("u8", "256"), err(&["invalid value at 2..5"]));
    assert_eq!(t.round_trip("u32", "1.0"), err(&["invalid value at 2..5"]));
    assert_eq!(
        t.round_trip("u32", "\"x\""),
        err(&["invalid value type at 2..5"])
    );
    assert_eq!(
        t.round_trip("color", "ok"),
        err(&["invalid value type at 2..4"])
    );
    assert_eq!(
        t.round_trip("color", "purple"),
        err(&[
            "error converting Wasm value: expected a enum { red, green, ok, blue-ish }; got purple at 2..8",
            "expected a enum { red, green, ok, blue-ish }; got purple",
        ])
    );
    assert_eq!(
        t.round_trip("perms", "{exec, bogus}"),
        err(&[
            "error converting Wasm value: expected a flags { read, write, exec }; got {bogus, exec} at 2..15",
            "expected a flags { read, write, exec }; got {bogus, exec}",
        ])
    );
    assert_eq!(
        t.round_trip("result", "ok"),
        err(&[
            "error converting Wasm value: missing payload for \"ok\" case at 2..4",
            "missing payload for \"ok\" case",
        ])
    );
    assert_eq!(
        t.round_trip("big", "{s: \"x\"}"),
        err(&[
            "error converting Wasm value: missing field \"names\" at 2..10",
            "missing field \"names\"",
        ])
    );
}

#[test]
fn syntax_errors_are_placed_as_wasmtime_places_them() {
    let e = |s: &str| parse_func_call(s).map(|_| ()).map_err(|e| e.chain());
    assert_eq!(
        e(" add( 1 , 2 ) "),
        Err(vec!["invalid token at 0..1".to_string()])
    );
    assert_eq!(
        e("add"),
        Err(vec!["unexpected end of input at 3..3".to_string()])
    );
    assert_eq!(
        e("add(1, 2"),
        Err(vec!["unexpected end of input at 8..8".to_string()])
    );
    assert_eq!(
        e("add(1, 2))"),
        Err(vec!["trailing characters after value at 9..10".to_string()])
    );
    assert_eq!(
        e("u32-id(+1)"),
        Err(vec!["invalid token at 7..8".to_string()])
    );
    assert_eq!(
        e("u32-id(01)"),
        Err(vec!["unexpected token: Number at 8..9".to_string()])
    );
    assert_eq!(
        e("char-id('ab')"),
        Err(vec!["invalid token at 8..12".to_string()])
    );
    assert_eq!(
        e(r#"echo-string("\q")"#),
        Err(vec!["invalid token at 12..13".to_string()])
    );
    assert_eq!(e("add (1)"), Ok(()));
    assert_eq!(e("my:pkg/other.id@1.2.3(5)"), Ok(()));
}

#[test]
fn params_count_errors() {
    let t = Types::new();
    let u32_ = t.ty("u32").0;
    let opt = t.ty("option-u8").0;
    let run = |src: &str, params: &[u32]| {
        let call = parse_func_call(src).expect("parses");
        value::params_from_call(t.b.table(), params, &call, src).map_err(|e| e.chain())
    };
    assert_eq!(
        run("add(1)", &[u32_, u32_]).map(|_| ()),
        Err(vec![
            "invalid params: missing required param(s) at 5..6".to_string()
        ])
    );
    assert_eq!(
        run("add(1,2,3)", &[u32_, u32_]).map(|_| ()),
        Err(vec![
            "invalid params: more param(s) than expected at 8..9".to_string()
        ])
    );
    assert_eq!(
        run("opt-id()", &[opt]).map(|_| ()),
        Err(vec![
            "invalid params: no params provided, but 1 required at 0..6".to_string()
        ])
    );
    assert_eq!(
        run("f(1)", &[u32_, opt]),
        Ok(vec![Value::U32(1), Value::Case(0, None)])
    );
}

/// Lowers `text` as a `ty` flat and through memory, lifts it back and
/// prints it.
fn abi_round_trip(t: &Types, ty: &str, text: &str) -> (String, String, Vec<Call>) {
    let types = t.b.table();
    let ti = t.ty(ty);
    let src = format!("f({text})");
    let call = parse_func_call(&src).expect("parses");
    let v = value::params_from_call(types, &[ti.0], &call, &src).expect("converts");
    let mut mem = TestMemory::new(1 << 16);
    let n = abi::flat_len(types, ti);
    let mut slots = vec![0u64; n];
    let view = mem.view();
    {
        let mut cx = LowerCx::new(view, Some(&mut mem), StringEncoding::Utf8, None);
        let mut sink = FlatSink::new(&mut slots);
        abi::lower_flat(&mut cx, types, ti, &v[0], &mut sink).expect("lower_flat");
        assert_eq!(sink.position(), n);
    }
    let at = 8192;
    {
        let mut cx = LowerCx::new(view, Some(&mut mem), StringEncoding::Utf8, None);
        abi::store(&mut cx, types, ti, &v[0], at).expect("store");
    }
    let calls = mem.calls.clone();
    let mut cx = LiftCx::new(mem.bytes(), StringEncoding::Utf8, None);
    let mut src = FlatSource::new(&slots);
    let flat = abi::lift_flat(&mut cx, types, ti, &mut src).expect("lift_flat");
    assert_eq!(src.position(), n);
    let loaded = abi::load(&mut cx, types, ti, at).expect("load");
    let p = |v: &Value| print::results(types, &[ti.0], std::slice::from_ref(v));
    (p(&flat), p(&loaded), calls)
}

#[test]
fn values_survive_lowering_and_lifting() {
    let t = Types::new();
    for (ty, text) in [
        ("u8", "200"),
        ("s8", "-3"),
        ("s64", "-9223372036854775808"),
        ("f32", "nan"),
        ("f64", "-0.5"),
        ("char", "'☃'"),
        ("string", "\"héllo\""),
        ("list-string", r#"["a", "", "bc"]"#),
        ("option-u8", "some(5)"),
        ("option-option-u8", "some(none)"),
        ("result", r#"err("bad")"#),
        ("result", "ok(7)"),
        ("color", "blue-ish"),
        ("perms", "{read, exec}"),
        ("shape", "circle(1.5)"),
        ("shape", "big(18446744073709551615)"),
        ("shape", "label(\"x\")"),
        (
            "big",
            r#"{s: "x", names: ["p", "q"], o: 3, r: err("e"), t: (1, 2, 3, 4, 1.5, nan), v: label("lbl"), c: red, p: {exec}, ch: 'c', sm: {x: 9}}"#,
        ),
    ] {
        let want = t.round_trip(ty, text).expect("converts");
        let (flat, loaded, _) = abi_round_trip(&t, ty, text);
        assert_eq!(flat, want, "flat {ty} {text}");
        assert_eq!(loaded, want, "memory {ty} {text}");
    }
}

#[test]
fn lists_allocate_their_buffer_before_their_elements() {
    let t = Types::new();
    let (_, _, calls) = abi_round_trip(&t, "list-string", r#"["ab", "c"]"#);
    // Flat lowering: the buffer (8-byte elements, align 4), then each
    // string (align 1); the same again for the store.
    assert_eq!(&calls[..3], &[(0, 0, 4, 16), (0, 0, 1, 2), (0, 0, 1, 1)]);
    let (_, _, calls) = abi_round_trip(&t, "list-string", "[]");
    assert_eq!(
        &calls[..1],
        &[(0, 0, 4, 0)],
        "an empty list still allocates"
    );
}

#[test]
fn layout_of_the_big_record_matches_the_table() {
    let t = Types::new();
    let types = t.b.table();
    // 2+2+2+3+6+3+1+1+1+3 flat values: past the 16 of a parameter list.
    assert_eq!(abi::flat_len(types, t.ty("big")), 24);
    assert!(types.elem_size(t.ty("big"), PtrType::I32) > 0);
}
