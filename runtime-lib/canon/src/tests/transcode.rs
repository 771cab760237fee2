//! The fused adapters' string transcoders (`crate::transcode`).

use crate::transcode::run;
use kiln_abi::component::UTF16_TAG;
use kiln_abi::component::transcode::Transcode;

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn utf16_to_utf8_first_pass_stops_past_ascii() {
    let src = utf16("ab\u{e9}c");
    let mut dst = vec![0u8; 16];
    // First pass: the ASCII prefix only (the adapter then grows).
    let r = run(Transcode::Utf16ToUtf8, [0, 4, 0, 4, 1], &src, &mut dst).expect("valid");
    assert_eq!(r, [2, 2]);
    // Second pass, with room: the rest.
    let r = run(
        Transcode::Utf16ToUtf8,
        [0, 2, 2, 10, 0],
        &src[4..],
        &mut dst,
    )
    .expect("valid");
    assert_eq!(r, [2, 3]);
    assert_eq!(&dst[..5], "ab\u{e9}c".as_bytes());
}

#[test]
fn invalid_text_fails_with_wasmtimes_words() {
    let mut dst = vec![0u8; 16];
    let e = run(Transcode::Copy8, [0, 2, 0, 0, 0], &[b'h', 0xff], &mut dst).expect_err("invalid");
    assert_eq!(
        (e.code, e.message.as_str()),
        (None, "invalid utf8 encoding")
    );
    let lone = [0x00, 0xd8, b'a', 0];
    let e = run(Transcode::Copy16, [0, 2, 0, 0, 0], &lone, &mut dst).expect_err("invalid");
    assert_eq!(e.message, "invalid utf16 encoding");
    // A surrogate met in a first pass fails (it is decoded, not skipped).
    let e = run(Transcode::Utf16ToUtf8, [0, 2, 0, 2, 1], &lone, &mut dst).expect_err("invalid");
    assert_eq!(e.message, "invalid utf16 encoding");
}

#[test]
fn latin1_then_compact_utf16() {
    let src = "h\u{e9}\u{20ac}!".as_bytes();
    let mut dst = vec![0u8; 16];
    // Latin-1 up to the euro sign: "h\u{e9}" (three source bytes).
    let r = run(Transcode::Utf8ToLatin1, [0, 7, 0, 0, 0], src, &mut dst).expect("valid");
    assert_eq!(r, [3, 2]);
    assert_eq!(&dst[..2], &[b'h', 0xe9]);
    // The two bytes widened in place, then the rest as UTF-16.
    let r = run(
        Transcode::Utf8ToCompactUtf16,
        [3, 4, 0, 7, 2],
        &src[3..],
        &mut dst,
    )
    .expect("ok");
    assert_eq!(r, [4, 0]);
    assert_eq!(&dst[..8], &utf16("h\u{e9}\u{20ac}!")[..]);
}

#[test]
fn utf16_into_compact_deflates_latin1_text() {
    let mut dst = vec![0u8; 8];
    let r = run(
        Transcode::Utf16ToCompactProbablyUtf16,
        [0, 2, 0, 0, 0],
        &utf16("h\u{e9}"),
        &mut dst,
    );
    assert_eq!(r.expect("valid"), [2, 0]);
    assert_eq!(&dst[..2], &[b'h', 0xe9]);
    let r = run(
        Transcode::Utf16ToCompactProbablyUtf16,
        [0, 1, 0, 0, 0],
        &utf16("\u{20ac}"),
        &mut dst,
    );
    assert_eq!(r.expect("valid"), [1 | UTF16_TAG, 0]);
}

#[test]
fn a_destination_outside_memory_fails() {
    let mut dst = vec![0u8; 4];
    let e = run(Transcode::CopyLatin1, [0, 3, 2, 0, 0], b"abc", &mut dst).expect_err("outside");
    assert_eq!(e.message, "pointer out of bounds");
}
