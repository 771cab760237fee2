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

/// The OS string whose bytes are `bytes` (see the module docs). Windows:
/// bytes that are not UTF-8 (which no OS string held here has unless a
/// build baked them in on Linux) are replaced, as `from_utf8_lossy` does.
pub fn from_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, std::ffi::OsStr> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::borrow::Cow::Borrowed(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    match String::from_utf8_lossy(bytes) {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(std::ffi::OsStr::new(s)),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into()),
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

    #[test]
    fn bytes_round_trip_through_os_strings() {
        let s = super::from_bytes("dir/café".as_bytes());
        assert_eq!(s.as_encoded_bytes(), "dir/café".as_bytes());
    }
}
