//! A large deterministic program for Kiln's end-to-end tests: exercises
//! regex, serde/serde_json, toml, sha2, flate2, big integers, base64,
//! unicode segmentation, seeded random numbers, collections, formatting and
//! WASI I/O (args, env, stdout, stderr, exit code). Its output must be
//! identical under `wasmtime run` and a Kiln-built executable.

use base64::Engine as _;
use num_bigint::BigUint;
use rand::{Rng, SeedableRng};
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Order {
    id: u32,
    customer: String,
    items: Vec<Item>,
    tags: BTreeMap<String, String>,
    note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Item {
    sku: String,
    qty: u32,
    price_cents: u64,
}

#[derive(Debug, Deserialize)]
struct Settings {
    title: String,
    limits: Limits,
    servers: Vec<Server>,
}

#[derive(Debug, Deserialize)]
struct Limits {
    max_items: u32,
    ratio: f64,
}

#[derive(Debug, Deserialize)]
struct Server {
    name: String,
    port: u16,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn section(name: &str) {
    println!("== {name}");
}

fn regexes() {
    section("regex");
    let text = "2024-01-15 alice@example.com paid $12.50; 2023-12-31 bob@test.org paid $7.05; \
                carol@mail.net owes $100.00";
    let date = Regex::new(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})").expect("regex");
    for c in date.captures_iter(text) {
        println!("date {}/{}/{}", &c["d"], &c["m"], &c["y"]);
    }
    let email = Regex::new(r"[\w.]+@([\w]+)\.(\w+)").expect("regex");
    let domains: Vec<String> = email
        .captures_iter(text)
        .map(|c| format!("{}.{}", &c[1], &c[2]))
        .collect();
    println!("domains {domains:?}");
    let money = Regex::new(r"\$(\d+)\.(\d{2})").expect("regex");
    let total: u64 = money
        .captures_iter(text)
        .map(|c| c[1].parse::<u64>().unwrap_or(0) * 100 + c[2].parse::<u64>().unwrap_or(0))
        .sum();
    println!("total cents {total}");
    println!("replaced {}", money.replace_all(text, "<$1>"));
    let words = Regex::new(r"(?i)\b[aeiou]\w*").expect("regex");
    println!("vowel words {}", words.find_iter(text).count());
}

fn json() {
    section("json");
    let mut tags = BTreeMap::new();
    tags.insert("priority".to_string(), "high".to_string());
    tags.insert("channel".to_string(), "web".to_string());
    let order = Order {
        id: 42,
        customer: "Zoë \"Z\" Müller".to_string(),
        items: (1..=3)
            .map(|i| Item {
                sku: format!("SKU-{i:04}"),
                qty: i * 2,
                price_cents: 199 * u64::from(i),
            })
            .collect(),
        tags,
        note: None,
    };
    let s = serde_json::to_string(&order).expect("serialize");
    println!("{s}");
    let back: Order = serde_json::from_str(&s).expect("deserialize");
    println!("roundtrip equal: {}", back == order);
    let pretty = serde_json::to_string_pretty(&back.items[0]).expect("pretty");
    println!("{pretty}");
    let v: serde_json::Value =
        serde_json::from_str(r#"{"a":[1,2.5,-3e2,true,null],"b":{"c":"\u00e9\n"}}"#).expect("value");
    println!("value {v}");
    println!("a[2] = {}", v["a"][2]);
    let bad = serde_json::from_str::<Order>("{\"id\": \"x\"}");
    println!("error: {}", bad.err().map(|e| e.to_string()).unwrap_or_default());
}

fn toml_config() {
    section("toml");
    let src = r#"
title = "Kiln test"

[limits]
max_items = 250
ratio = 0.75

[[servers]]
name = "alpha"
port = 8080

[[servers]]
name = "beta"
port = 9090
"#;
    let s: Settings = toml::from_str(src).expect("toml");
    println!("title {}", s.title);
    println!("limits {} {}", s.limits.max_items, s.limits.ratio);
    for sv in &s.servers {
        println!("server {}:{}", sv.name, sv.port);
    }
}

fn hashing_and_compression() {
    section("sha2+flate2+base64");
    let mut data = Vec::new();
    for i in 0..20_000u32 {
        data.extend_from_slice(format!("line {i} {}\n", i.wrapping_mul(2_654_435_761)).as_bytes());
    }
    println!("input {} bytes sha256 {}", data.len(), hex(&Sha256::digest(&data)));
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(&data).expect("compress");
    let compressed = enc.finish().expect("finish");
    println!("compressed {} bytes sha256 {}", compressed.len(), hex(&Sha256::digest(&compressed)));
    let mut dec = flate2::read::ZlibDecoder::new(&compressed[..]);
    let mut out = Vec::new();
    dec.read_to_end(&mut out).expect("decompress");
    println!("decompressed equal: {}", out == data);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&compressed[..48]);
    println!("base64 {b64}");
    let raw = base64::engine::general_purpose::STANDARD.decode(&b64).expect("b64");
    println!("base64 roundtrip: {}", raw == compressed[..48]);
}

fn bigints() {
    section("bigint");
    let mut f = BigUint::from(1u32);
    for i in 1..=100u32 {
        f *= i;
    }
    println!("100! = {f}");
    let (mut a, mut b) = (BigUint::from(0u32), BigUint::from(1u32));
    for _ in 0..300 {
        let c = &a + &b;
        a = b;
        b = c;
    }
    println!("fib(300) = {a}");
    let m = BigUint::from(1_000_000_007u64);
    println!("2^1000 mod p = {}", BigUint::from(2u32).modpow(&BigUint::from(1000u32), &m));
}

fn text_and_random() {
    section("unicode+rand");
    let s = "Hello, 世界! 👨‍👩‍👧 café ﬁ";
    println!("graphemes {}", s.graphemes(true).count());
    println!("words {:?}", s.unicode_words().collect::<Vec<_>>());
    println!("upper {}", s.to_uppercase());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    let rolls: Vec<u32> = (0..10).map(|_| rng.gen_range(1..=6)).collect();
    println!("rolls {rolls:?}");
    let mut v: Vec<u64> = (0..1000).map(|_| rng.r#gen::<u64>() % 10_000).collect();
    v.sort_unstable();
    v.dedup();
    println!("unique {} min {} max {}", v.len(), v[0], v[v.len() - 1]);
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for x in &v {
        *counts.entry(x % 7).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort();
    println!("mod7 {counts:?}");
    let floats: Vec<String> = (1..=5).map(|i| format!("{:.4e}", 1.0f64 / f64::from(i * 7))).collect();
    println!("floats {}", floats.join(" "));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args {args:?}");
    regexes();
    json();
    toml_config();
    hashing_and_compression();
    bigints();
    text_and_random();
    eprintln!("big: done");
    let code = args.first().and_then(|a| a.parse::<i32>().ok()).unwrap_or(0);
    std::process::exit(code);
}
