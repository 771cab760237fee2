//! Secure random bytes from the OS.
//!
//! Linux: `getrandom(2)`, retried on `EINTR` and short reads. Windows:
//! `ProcessPrng` (`bcryptprimitives.dll`, Windows 10 and later), what
//! Rust's standard library and so Wasmtime on Windows use.

use std::io;

/// Fills `buf` with secure random bytes.
pub fn fill(buf: &mut [u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        let mut filled = 0;
        while filled < buf.len() {
            let rest = &mut buf[filled..];
            // SAFETY: writing into the valid buffer `rest`.
            let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            filled += n.unsigned_abs();
        }
        Ok(())
    }
    #[cfg(windows)]
    {
        // SAFETY: writing into the valid buffer `buf`; `ProcessPrng` is
        // documented to always succeed.
        unsafe {
            windows_sys::Win32::Security::Cryptography::ProcessPrng(buf.as_mut_ptr(), buf.len());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_every_byte() {
        // 1 KiB of zeroes after a fill is a 2^-8192 event.
        let mut buf = vec![0u8; 1024];
        super::fill(&mut buf).expect("random");
        assert!(buf.iter().any(|&b| b != 0));
        let mut other = vec![0u8; 1024];
        super::fill(&mut other).expect("random");
        assert_ne!(buf, other);
    }
}
