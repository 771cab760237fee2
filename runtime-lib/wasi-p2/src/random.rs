//! `wasi:random@0.2`: `random` (secure), `insecure` and `insecure-seed`.
//!
//! Phase: run time (host functions). Inputs: lengths. Outputs: random bytes
//! and numbers from the kernel (`kernel::random`).
//!
//! Invariants (Wasmtime, `p2/host/random.rs`): a byte request above
//! 64 MiB (`kernel::random::MAX_RANDOM_SIZE`) is a host error ("requested
//! len N exceeds limit 67108864"); `insecure-seed` is the same pair of
//! numbers for the whole run. WASI 0.3's byte functions take a *maximum*
//! length instead (`max-len`): wasmtime 49 returns at most 64 MiB there,
//! no error ([`get_random_bytes_p3`], [`get_insecure_random_bytes_p3`]).

use super::P2Host;
use super::io::Bytes;
use super::table::{Impl, host_fn};
use kiln_canon::{Trap, trap::trap};
use kiln_wasi_kernel::random::{self, Insecure, MAX_RANDOM_SIZE};

/// The `wasi:random` host functions.
pub const IMPLS: &[Impl] = &[
    (
        "wasi:random/random@0.2",
        "get-random-bytes",
        host_fn!(get_random_bytes),
    ),
    (
        "wasi:random/random@0.2",
        "get-random-u64",
        host_fn!(get_random_u64),
    ),
    (
        "wasi:random/insecure@0.2",
        "get-insecure-random-bytes",
        host_fn!(get_insecure_random_bytes),
    ),
    (
        "wasi:random/insecure@0.2",
        "get-insecure-random-u64",
        host_fn!(get_insecure_random_u64),
    ),
    (
        "wasi:random/insecure-seed@0.2",
        "insecure-seed",
        host_fn!(insecure_seed),
    ),
];

/// `wasi:random` state: the insecure generator, made on first use.
#[derive(Debug, Default)]
pub struct RandomState {
    insecure: Option<Insecure>,
}

fn failed(e: kiln_wasi_kernel::error::ErrorCode) -> Trap {
    trap(format!("random source failed: {e:?}"))
}

fn insecure(h: &mut P2Host) -> Result<&mut Insecure, Trap> {
    if h.random.insecure.is_none() {
        h.random.insecure = Some(Insecure::new().map_err(failed)?);
    }
    Ok(h.random.insecure.as_mut().expect("set above"))
}

fn check_len(len: u64) -> Result<usize, Trap> {
    if len > MAX_RANDOM_SIZE {
        return Err(trap(format!(
            "requested len {len} exceeds limit {MAX_RANDOM_SIZE}"
        )));
    }
    Ok(len as usize)
}

/// `get-random-bytes`.
pub fn get_random_bytes(_h: &mut P2Host, (len,): (u64,)) -> Result<Bytes, Trap> {
    let mut buf = vec![0; check_len(len)?];
    random::fill(&mut buf).map_err(failed)?;
    Ok(Bytes(buf))
}

/// WASI 0.3 `get-random-bytes(max-len)`: at most 64 MiB.
pub fn get_random_bytes_p3(_h: &mut P2Host, (max_len,): (u64,)) -> Result<Bytes, Trap> {
    let mut buf = vec![0; max_len.min(MAX_RANDOM_SIZE) as usize];
    random::fill(&mut buf).map_err(failed)?;
    Ok(Bytes(buf))
}

/// WASI 0.3 `get-insecure-random-bytes(max-len)`: at most 64 MiB.
pub fn get_insecure_random_bytes_p3(h: &mut P2Host, (max_len,): (u64,)) -> Result<Bytes, Trap> {
    let mut buf = vec![0; max_len.min(MAX_RANDOM_SIZE) as usize];
    insecure(h)?.fill(&mut buf);
    Ok(Bytes(buf))
}

/// `get-random-u64`.
pub fn get_random_u64(_h: &mut P2Host, (): ()) -> Result<u64, Trap> {
    random::u64().map_err(failed)
}

/// `get-insecure-random-bytes`.
pub fn get_insecure_random_bytes(h: &mut P2Host, (len,): (u64,)) -> Result<Bytes, Trap> {
    let mut buf = vec![0; check_len(len)?];
    insecure(h)?.fill(&mut buf);
    Ok(Bytes(buf))
}

/// `get-insecure-random-u64`.
pub fn get_insecure_random_u64(h: &mut P2Host, (): ()) -> Result<u64, Trap> {
    Ok(insecure(h)?.next_u64())
}

/// `insecure-seed`: the low and high halves of the run's seed.
pub fn insecure_seed(h: &mut P2Host, (): ()) -> Result<(u64, u64), Trap> {
    let seed = insecure(h)?.seed();
    Ok((seed as u64, (seed >> 64) as u64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn length_limit() {
        assert_eq!(super::check_len(64 << 20).unwrap(), 64 << 20);
        assert_eq!(
            super::check_len((64 << 20) + 1).unwrap_err().message,
            "requested len 67108865 exceeds limit 67108864"
        );
    }
}
