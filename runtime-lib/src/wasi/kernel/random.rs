//! Secure random bytes from the host (`getrandom(2)`).
//!
//! Phase: run time. Inputs: a length. Outputs: random bytes.
//!
//! Invariant: requests above [`MAX_RANDOM_SIZE`] (wasmtime 48's default
//! `max_random_size`, 64 MiB) are refused; wasmtime turns that into a fatal
//! host error, and so do the facades.

use super::error::{ErrorCode, KResult};

/// Largest single request, in bytes.
pub const MAX_RANDOM_SIZE: u64 = 64 << 20;

/// Fills `buf` with secure random bytes.
pub fn fill(buf: &mut [u8]) -> KResult<()> {
    let mut filled = 0;
    while filled < buf.len() {
        match rustix::rand::getrandom(&mut buf[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(ErrorCode::from(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_everything() {
        let mut buf = [0u8; 4096];
        super::fill(&mut buf).unwrap();
        assert!(buf.iter().any(|&b| b != 0));
    }
}
