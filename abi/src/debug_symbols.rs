//! The source locations of a module's backtrace frames, from its DWARF: the
//! table the compiler writes when the wasm carries `.debug_*` sections and
//! the runtime reads for `WASMTIME_BACKTRACE_DETAILS=1` reports.
//!
//! Phase: none (shared definitions). Inputs: per wasm offset, the frames
//! DWARF gives for it (encoder, in the compiler), or the bytes
//! `ModuleDescriptor::debug_symbols` points to (decoder, in the runtime).
//! Outputs: bytes, or the symbols of one offset.
//!
//! The compiler resolves every offset a backtrace frame can show (the
//! trap sites and call sites of the source maps, `crate::tables`) ahead of
//! time, so the running program parses no DWARF. Layout, every integer
//! unsigned LEB128 (`uleb`):
//! - the strings: `uleb(count)`, then each as `uleb(len)` and its UTF-8
//!   bytes (names and file paths, each once);
//! - the entries, sorted by offset: `uleb(offset - previous offset)` (the
//!   offset as frames carry it: in the input file, so a component's module
//!   offsets include the module's place in it; the first from 0), then
//!   `uleb(n)` and `n` symbols, innermost (inlined) first, each
//!   `uleb(name + 1) uleb(file + 1) uleb(line + 1) uleb(column + 1)` (string
//!   numbers; `0` for none, as DWARF may leave any of them out; a column
//!   can be 0, DWARF's "left edge", which Wasmtime prints).
//!
//! A typical site takes 8 to 12 bytes. Lookups scan: they happen only
//! when a report is written, for its few frames.
//!
//! Invariants: lookups never allocate or panic; malformed bytes read as
//! fewer symbols (a bad string as none).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::tables::put_uleb as put;

/// The environment variable that asks for source locations in trap
/// reports, Wasmtime's; `1` turns it on (read by the CLI when compiling
/// and by the runtime when reporting).
pub const DETAILS_ENV: &str = "WASMTIME_BACKTRACE_DETAILS";

/// One frame DWARF names at an offset (Wasmtime's `FrameSymbol`).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Symbol<S> {
    /// Function name, demangled.
    pub name: Option<S>,
    /// Source file path.
    pub file: Option<S>,
    /// Line, from 1.
    pub line: Option<u32>,
    /// Column, from 1 (0: the line's left edge).
    pub column: Option<u32>,
}

/// Encodes `entries` (sorted by offset, without duplicates).
pub fn encode(entries: &[(u32, Vec<Symbol<String>>)]) -> Vec<u8> {
    let mut numbers: BTreeMap<&str, u64> = BTreeMap::new();
    let mut strings: Vec<&str> = Vec::new();
    let mut body = Vec::new();
    let mut previous = 0u32;
    for (offset, symbols) in entries {
        put(&mut body, u64::from(offset.wrapping_sub(previous)));
        previous = *offset;
        put(&mut body, symbols.len() as u64);
        for s in symbols {
            for text in [&s.name, &s.file] {
                let n = text.as_deref().map_or(0, |t| {
                    *numbers.entry(t).or_insert_with(|| {
                        strings.push(t);
                        strings.len() as u64
                    })
                });
                put(&mut body, n);
            }
            put(&mut body, s.line.map_or(0, |l| u64::from(l) + 1));
            put(&mut body, s.column.map_or(0, |c| u64::from(c) + 1));
        }
    }
    let mut out = Vec::new();
    put(&mut out, strings.len() as u64);
    for t in &strings {
        put(&mut out, t.len() as u64);
        out.extend_from_slice(t.as_bytes());
    }
    out.extend_from_slice(&body);
    out
}

/// A cursor over a table's bytes.
#[derive(Clone, Debug)]
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// One `uleb` of at most 32 bits; `None` (and nothing left) if
    /// malformed.
    fn uleb(&mut self) -> Option<u32> {
        let mut value = 0u64;
        for (i, &b) in self.bytes.iter().enumerate().take(5) {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.bytes = &self.bytes[i + 1..];
                return u32::try_from(value).ok().or_else(|| self.fail());
            }
        }
        self.fail()
    }

    fn fail<T>(&mut self) -> Option<T> {
        self.bytes = &[];
        None
    }

    fn take(&mut self, n: u32) -> Option<&'a [u8]> {
        let n = n as usize;
        if n > self.bytes.len() {
            return self.fail();
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }
}

/// The symbols of `offset` in `table`, innermost first (none if the table
/// has no entry for it).
pub fn lookup(table: &[u8], offset: u32) -> Symbols<'_> {
    let mut r = Reader { bytes: table };
    let found = (|| {
        let count = r.uleb()?;
        let strings = r.bytes;
        for _ in 0..count {
            let len = r.uleb()?;
            r.take(len)?;
        }
        let mut at = 0u32;
        loop {
            at = at.checked_add(r.uleb()?)?;
            let n = r.uleb()?;
            if at == offset {
                return Some((strings, count, n));
            }
            if at > offset {
                return None;
            }
            for _ in 0..n.checked_mul(4)? {
                r.uleb()?;
            }
        }
    })();
    match found {
        Some((strings, count, left)) => Symbols {
            strings,
            count,
            entry: r,
            left,
        },
        None => Symbols {
            strings: &[],
            count: 0,
            entry: Reader { bytes: &[] },
            left: 0,
        },
    }
}

/// The symbols of one offset ([`lookup`]).
#[derive(Clone, Debug)]
pub struct Symbols<'a> {
    /// The string table (from its first string).
    strings: &'a [u8],
    /// Strings in it.
    count: u32,
    /// The entry's next symbol.
    entry: Reader<'a>,
    /// Symbols left.
    left: u32,
}

impl<'a> Symbols<'a> {
    /// String number `n` (from 1).
    fn string(&self, n: u32) -> Option<&'a str> {
        if n == 0 || n > self.count {
            return None;
        }
        let mut r = Reader {
            bytes: self.strings,
        };
        for _ in 1..n {
            let len = r.uleb()?;
            r.take(len)?;
        }
        let len = r.uleb()?;
        core::str::from_utf8(r.take(len)?).ok()
    }
}

impl<'a> Iterator for Symbols<'a> {
    type Item = Symbol<&'a str>;

    fn next(&mut self) -> Option<Symbol<&'a str>> {
        if self.left == 0 {
            return None;
        }
        let mut field = || self.entry.uleb();
        let (Some(name), Some(file), Some(line), Some(column)) =
            (field(), field(), field(), field())
        else {
            self.left = 0;
            return None;
        };
        self.left -= 1;
        Some(Symbol {
            name: self.string(name),
            file: self.string(file),
            line: line.checked_sub(1),
            column: column.checked_sub(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn sym(
        name: &str,
        file: Option<&str>,
        line: Option<u32>,
        column: Option<u32>,
    ) -> Symbol<String> {
        Symbol {
            name: Some(name.to_string()),
            file: file.map(str::to_string),
            line,
            column,
        }
    }

    #[test]
    fn round_trip_shares_strings() {
        let inner = vec![
            sym("divide", Some("/src/div.c"), Some(5), Some(14)),
            // Column 0 (the left edge) is not "no column".
            sym("divide_all", Some("/src/div.c"), Some(11), Some(0)),
        ];
        let outer = vec![sym("main", None, None, None)];
        let entries = vec![(0x10, inner.clone()), (0x20, outer), (0x30, inner)];
        let table = encode(&entries);
        for (offset, want) in &entries {
            let got: Vec<Symbol<String>> = lookup(&table, *offset)
                .map(|s| Symbol {
                    name: s.name.map(str::to_string),
                    file: s.file.map(str::to_string),
                    line: s.line,
                    column: s.column,
                })
                .collect();
            assert_eq!(&got, want, "offset {offset:#x}");
        }
        assert_eq!(lookup(&table, 0x18).count(), 0);
        assert_eq!(lookup(&table, 0x40).count(), 0);
        // One copy of each string.
        let once = |needle: &[u8]| table.windows(needle.len()).filter(|w| *w == needle).count();
        assert_eq!(once(b"/src/div.c"), 1);
        assert_eq!(once(b"divide_all"), 1);
    }

    #[test]
    fn malformed_tables_read_as_nothing() {
        let table = encode(&[(7, vec![sym("f", Some("a.c"), Some(1), Some(2))])]);
        for cut in 0..table.len() {
            // Never panics; a cut table gives at most the symbol.
            assert!(lookup(&table[..cut], 7).count() <= 1);
        }
        assert_eq!(lookup(&[], 7).count(), 0);
        assert_eq!(lookup(&[0xff; 8], 7).count(), 0);
        assert_eq!(lookup(&[0x80; 3], 0).count(), 0);
    }
}
