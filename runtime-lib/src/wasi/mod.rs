//! The WASI host: one kernel (descriptors, preopens, clocks, random, sockets,
//! polling) with thin per-ABI facades. (Being written.)

/// What the guest is granted, decided at start-up from the baked grants (or
/// a `kiln run` configuration) and the process's arguments and environment.
#[derive(Debug, Default, Clone)]
pub struct WasiConfig {
    /// Arguments, `args[0]` being the program name.
    pub args: Vec<Vec<u8>>,
    /// Environment variables given to the guest.
    pub env: Vec<(Vec<u8>, Vec<u8>)>,
    /// Preopened directories: (host path, guest path), in fd order from 3.
    pub preopens: Vec<(std::path::PathBuf, String)>,
    /// `kiln_abi::grants::GRANT_FLAG_*` bits (network grants).
    pub flags: u32,
}

/// The state of one guest's WASI world.
#[derive(Debug)]
pub struct WasiCtx {}

impl WasiCtx {
    /// Opens the preopens and sets up stdio. Fails with a one-line message
    /// (e.g. a preopened directory that cannot be opened).
    pub fn new(_config: WasiConfig) -> Result<WasiCtx, String> {
        Ok(WasiCtx {})
    }
}
