//! Operating-system strings (program paths, arguments) that the runtime
//! holds as bytes: Linux's own bytes; on Windows, the WTF-8 of the UTF-16
//! the OS gave (as Rust's `OsStr` holds it).

/// `Debug` of the OS string whose bytes are `bytes`, as Rust (and so
/// Wasmtime) prints an `OsStr` on this OS.
pub fn debug(bytes: &[u8]) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        format!("{:?}", std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        // Valid UTF-8 is valid WTF-8; other bytes (unpaired surrogates)
        // print with replacement characters.
        match std::str::from_utf8(bytes) {
            Ok(s) => format!("{:?}", std::ffi::OsStr::new(s)),
            Err(_) => format!("{:?}", String::from_utf8_lossy(bytes)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_paths_print_in_quotes() {
        assert_eq!(super::debug(b"app.wasm"), "\"app.wasm\"");
        assert_eq!(super::debug(b"tab\there"), "\"tab\\there\"");
        assert_eq!(super::debug("café".as_bytes()), "\"café\"");
    }
}
