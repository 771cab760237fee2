//! The string transcoders of fused adapters: the operations a generated
//! adapter calls to move string contents between two component instances'
//! memories, as Wasmtime 49's adapters call its transcoding intrinsics.
//!
//! Contract (compiler and runtime): an adapter imports one transcoder per
//! operation and pair of options; its trampoline
//! (`program::TRAMPOLINE_ADAPTER_TRANSCODE`) passes the operation as
//! [`super::CanonOpts::resource`] of its first record (the destination's
//! options; the second record is the source's), the operands in the slots
//! (`i32`s: [`Transcode::arity`]) and takes the results back from slots 0
//! and 1. The adapter itself checks alignment and bounds of both ranges,
//! and calls `realloc` (so that traps, `realloc` order and backtraces are
//! Wasmtime's); a transcoder only converts, and fails with Wasmtime's
//! words for text that is not valid in its encoding.
//!
//! Pointers are byte addresses; lengths are code units of the encoding
//! named (UTF-16: 2-byte units, little-endian) unless said otherwise.

/// One transcoding operation, named as Wasmtime names it; its number in
/// the contract is its discriminant.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum Transcode {
    /// `(src, len, dst)`: UTF-8 copied after validation.
    Copy8,
    /// `(src, len, dst)`: UTF-16 copied after validation.
    Copy16,
    /// `(src, len, dst)`: Latin-1 copied.
    CopyLatin1,
    /// `(src, len, dst)`: each Latin-1 byte widened to a UTF-16 unit.
    Latin1ToUtf16,
    /// `(src, src_len, dst, dst_bytes, first) -> (read, written)`: Latin-1
    /// into at most `dst_bytes` UTF-8 bytes; with `first` set it stops at
    /// the first byte past ASCII (the canonical ABI grows the buffer
    /// there), else at the first character that does not fit.
    Latin1ToUtf8,
    /// `(src, len, dst) -> written`: the tagged `latin1+utf16` length of a
    /// UTF-16 string stored as Latin-1 if every character fits a byte,
    /// else copied as UTF-16 (`len | UTF16_TAG`).
    Utf16ToCompactProbablyUtf16,
    /// `(src, len, dst) -> (read, written)`: the UTF-16 units up to the
    /// first past Latin-1, as bytes.
    Utf16ToLatin1,
    /// `(src, src_len, dst, dst_bytes, first) -> (read, written)`: as
    /// [`Transcode::Latin1ToUtf8`], from UTF-16 (validated).
    Utf16ToUtf8,
    /// `(src, src_len, dst, dst_units, latin1_bytes) -> units`: widens the
    /// `latin1_bytes` bytes already at `dst` to UTF-16 in place, then
    /// converts the rest of a UTF-8 source after them; the units in all.
    Utf8ToCompactUtf16,
    /// As [`Transcode::Utf8ToCompactUtf16`], from UTF-16 (validated).
    Utf16ToCompactUtf16,
    /// `(src, len, dst) -> (read, written)`: the UTF-8 bytes up to the
    /// first character past Latin-1 (validated), as Latin-1.
    Utf8ToLatin1,
    /// `(src, len, dst) -> units`: UTF-8 (validated) as UTF-16, `dst`
    /// holding `len` units.
    Utf8ToUtf16,
}

impl Transcode {
    /// Every operation, in the order of their numbers.
    pub const ALL: [Transcode; 12] = [
        Transcode::Copy8,
        Transcode::Copy16,
        Transcode::CopyLatin1,
        Transcode::Latin1ToUtf16,
        Transcode::Latin1ToUtf8,
        Transcode::Utf16ToCompactProbablyUtf16,
        Transcode::Utf16ToLatin1,
        Transcode::Utf16ToUtf8,
        Transcode::Utf8ToCompactUtf16,
        Transcode::Utf16ToCompactUtf16,
        Transcode::Utf8ToLatin1,
        Transcode::Utf8ToUtf16,
    ];

    /// The operation's number in the contract.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The operation numbered `n`.
    pub fn from_number(n: u32) -> Option<Transcode> {
        Transcode::ALL.get(n as usize).copied()
    }

    /// Wasmtime's name of the operation (an adapter module's import name).
    pub fn name(self) -> &'static str {
        match self {
            Transcode::Copy8 => "utf8-to-utf8",
            Transcode::Copy16 => "utf16-to-utf16",
            Transcode::CopyLatin1 => "latin1-to-latin1",
            Transcode::Latin1ToUtf16 => "latin1-to-utf16",
            Transcode::Latin1ToUtf8 => "latin1-to-utf8",
            Transcode::Utf16ToCompactProbablyUtf16 => "utf16-to-compact-probably-utf16",
            Transcode::Utf16ToLatin1 => "utf16-to-latin1",
            Transcode::Utf16ToUtf8 => "utf16-to-utf8",
            Transcode::Utf8ToCompactUtf16 => "utf8-to-compact-utf16",
            Transcode::Utf16ToCompactUtf16 => "utf16-to-compact-utf16",
            Transcode::Utf8ToLatin1 => "utf8-to-latin1",
            Transcode::Utf8ToUtf16 => "utf8-to-utf16",
        }
    }

    /// Bytes per code unit of the source the first two operands name
    /// (`(src, len)`: UTF-16 sources are 2).
    pub fn source_unit_bytes(self) -> u32 {
        match self {
            Transcode::Copy16
            | Transcode::Utf16ToCompactProbablyUtf16
            | Transcode::Utf16ToLatin1
            | Transcode::Utf16ToUtf8
            | Transcode::Utf16ToCompactUtf16 => 2,
            _ => 1,
        }
    }

    /// (parameters, results), all `i32`.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Transcode::Copy8
            | Transcode::Copy16
            | Transcode::CopyLatin1
            | Transcode::Latin1ToUtf16 => (3, 0),
            Transcode::Utf8ToUtf16 | Transcode::Utf16ToCompactProbablyUtf16 => (3, 1),
            Transcode::Utf16ToUtf8 | Transcode::Latin1ToUtf8 => (5, 2),
            Transcode::Utf8ToLatin1 | Transcode::Utf16ToLatin1 => (3, 2),
            Transcode::Utf8ToCompactUtf16 | Transcode::Utf16ToCompactUtf16 => (5, 1),
        }
    }
}
