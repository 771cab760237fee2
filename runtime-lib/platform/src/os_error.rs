//! OS errors as Wasmtime prints them.
//!
//! Linux: Rust's `Display` of the error with glibc's message for the
//! errno. The runtime may be linked with musl, whose messages differ for a
//! few errnos (`Address in use` where glibc, and so a dynamically linked
//! Wasmtime, says `Address already in use`); those get glibc's words.
//! Windows: Rust's `Display` (the system's message for the error code), as
//! Wasmtime on Windows prints it.

/// The text of `e`.
pub fn text(e: &std::io::Error) -> String {
    #[cfg(unix)]
    {
        let glibc = match e.raw_os_error() {
            Some(libc::EADDRINUSE) => "Address already in use",
            Some(libc::EADDRNOTAVAIL) => "Cannot assign requested address",
            Some(libc::EMFILE) => "Too many open files",
            Some(libc::ENFILE) => "Too many open files in system",
            Some(libc::ECONNRESET) => "Connection reset by peer",
            Some(libc::ETIMEDOUT) => "Connection timed out",
            _ => return e.to_string(),
        };
        format!("{glibc} (os error {})", e.raw_os_error().unwrap_or(0))
    }
    #[cfg(not(unix))]
    e.to_string()
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn os_errors_in_glibcs_words() {
        let e = std::io::Error::from_raw_os_error(libc::EADDRINUSE);
        assert_eq!(super::text(&e), "Address already in use (os error 98)");
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(super::text(&e), "No such file or directory (os error 2)");
    }
}
