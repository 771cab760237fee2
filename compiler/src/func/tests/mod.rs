//! Tests of the function translator (test-only), beside the per-area unit
//! tests that live in each area's own `tests` module:
//!
//! - [`numeric`]: every numeric operator compiled to machine code and run on
//!   edge cases, against references written from the spec and the spec's
//!   numeric `.wast` files;
//! - [`simd`]: every SIMD operator translates and lowers on the baseline ISA;
//! - [`util`]: helpers the area tests share (translate a WAT module, print
//!   its CLIF).

mod numeric;
mod simd;
pub(super) mod util;

use super::{abi_trap, clif_trap};
use kiln_abi::trap::TrapCode;

#[test]
fn trap_mapping_round_trips() {
    for code in TrapCode::ALL {
        assert_eq!(abi_trap(clif_trap(code)), Some(code));
    }
}
