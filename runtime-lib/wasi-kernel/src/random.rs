//! Secure random bytes from the host (`kiln_platform::random`), and the insecure
//! generator WASI 0.2 adds.
//!
//! Phase: run time. Inputs: a length. Outputs: random bytes.
//!
//! Invariant: requests above [`MAX_RANDOM_SIZE`] (Wasmtime's default
//! `max_random_size`, 64 MiB) are refused; wasmtime turns that into a fatal
//! host error, and so do the facades.

use super::error::{ErrorCode, KResult};

/// Largest single request, in bytes.
pub const MAX_RANDOM_SIZE: u64 = 64 << 20;

/// Fills `buf` with secure random bytes.
pub fn fill(buf: &mut [u8]) -> KResult<()> {
    kiln_platform::random::fill(buf).map_err(ErrorCode::from)
}

/// A secure random `u64`.
pub fn u64() -> KResult<u64> {
    let mut b = [0u8; 8];
    fill(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

/// The insecure generator of WASI 0.2's `wasi:random/insecure`
/// (xoshiro256++, seeded once from [`fill`]), and the fixed value of
/// `insecure-seed`: fast, not cryptographic, like wasmtime's `SmallRng`
/// and its per-context random `u128` seed.
#[derive(Debug)]
pub struct Insecure {
    s: [u64; 4],
    seed: u128,
}

impl Insecure {
    /// A generator and seed drawn from the secure source.
    pub fn new() -> KResult<Insecure> {
        let mut b = [0u8; 48];
        fill(&mut b)?;
        let word = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        let mut s = [word(0), word(1), word(2), word(3)];
        if s == [0; 4] {
            // The one state xoshiro cannot leave.
            s[0] = 1;
        }
        let seed = u128::from(word(4)) | (u128::from(word(5)) << 64);
        Ok(Insecure { s, seed })
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Fills `buf` with insecure random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    /// The fixed seed `insecure-seed` reports.
    pub fn seed(&self) -> u128 {
        self.seed
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn insecure_varies_and_seed_is_fixed() {
        let mut r = super::Insecure::new().unwrap();
        let (a, b) = (r.next_u64(), r.next_u64());
        assert_ne!(a, b);
        let mut buf = [0u8; 13];
        r.fill(&mut buf);
        assert!(buf.iter().any(|&x| x != 0));
        assert_eq!(r.seed(), r.seed());
        assert_ne!(super::u64().unwrap(), super::u64().unwrap());
    }

    #[test]
    fn fills_everything() {
        let mut buf = [0u8; 4096];
        super::fill(&mut buf).unwrap();
        assert!(buf.iter().any(|&b| b != 0));
    }
}
