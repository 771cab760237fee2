//! s390x: the exact address of a memory fault, which the kernel does not
//! report.
//!
//! Phase: inside the trap handler (no allocation). Inputs: the bytes of the
//! faulting instruction (compiled wasm code) and the general registers of
//! the signal context. Output: the effective address the instruction
//! accessed, or `None` for a format this does not decode. Why: on s390x
//! `si_addr` of a `SIGSEGV` holds only the page of the access (the
//! translation-exception identification), while the trap report names the
//! wasm address exactly (`memory fault at wasm address 0x...`), as Wasmtime
//! does on other hosts.
//!
//! Decoded: the storage operand of the instruction formats Cranelift emits
//! for wasm memory accesses: RX (4 bytes, `0x40..=0x7f`: base, index,
//! 12-bit displacement), RS/SI (4 bytes, `0x80..=0xbf`: base, 12-bit
//! displacement), and the 6-byte RXY/RSY/SIY (`0xe3`, `0xeb`: 20-bit signed
//! displacement, an index only for `0xe3`) and VRX/RXE (`0xe6`, `0xe7`,
//! `0xed`: base, index, 12-bit displacement; `0xed 0x64..=0x67`, the long-
//! displacement float loads and stores, are RXY).

/// The effective address of the storage operand of the instruction whose
/// first bytes are `insn`, with general registers `gregs`.
pub fn effective_address(insn: [u8; 6], gregs: &[u64; 16]) -> Option<u64> {
    let reg = |r: u8| if r == 0 { 0 } else { gregs[usize::from(r)] };
    let base = insn[2] >> 4;
    let d12 = u64::from(insn[2] & 0xf) << 8 | u64::from(insn[3]);
    // The 20-bit signed displacement of the long formats: DL2 then DH2.
    let d20 = {
        let raw = (u32::from(insn[4]) << 12) | (d12 as u32);
        (((raw << 12) as i32) >> 12) as i64 as u64
    };
    let index = insn[1] & 0xf;
    let (x, disp) = match insn[0] {
        0x40..=0x7f => (index, d12),
        0x80..=0xbf => (0, d12),
        0xe3 => (index, d20),
        0xeb => (0, d20),
        0xed if (0x64..=0x67).contains(&insn[5]) => (index, d20),
        0xe6 | 0xe7 | 0xed => (index, d12),
        _ => return None,
    };
    Some(reg(base).wrapping_add(reg(x)).wrapping_add(disp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs() -> [u64; 16] {
        let mut g = [0u64; 16];
        for (i, r) in g.iter_mut().enumerate() {
            *r = 0x1000 * i as u64;
        }
        g
    }

    #[test]
    fn formats() {
        let g = regs();
        // l %r1, 0x123(%r2,%r3): RX, base + index + d12.
        assert_eq!(
            effective_address([0x58, 0x12, 0x31, 0x23, 0, 0], &g),
            Some(0x3000 + 0x2000 + 0x123)
        );
        // lrv %r1, -8(%r2,%r3): RXY with a negative 20-bit displacement.
        assert_eq!(
            effective_address([0xe3, 0x12, 0x3f, 0xf8, 0xff, 0x1e], &g),
            Some(0x5000 - 8)
        );
        // lrvg %r1, 0x12345(%r0,%r4): index 0 means none.
        assert_eq!(
            effective_address([0xe3, 0x10, 0x43, 0x45, 0x12, 0x0f], &g),
            Some(0x4000 + 0x12345)
        );
        // csg %r1, %r3, 16(%r5): RSY, byte 1 holds registers, not an index.
        assert_eq!(
            effective_address([0xeb, 0x13, 0x50, 0x10, 0x00, 0x30], &g),
            Some(0x5010)
        );
        // cs %r1, %r3, 4(%r6): RS.
        assert_eq!(
            effective_address([0xba, 0x13, 0x60, 0x04, 0, 0], &g),
            Some(0x6004)
        );
        // vl %v1, 32(%r2,%r7): VRX.
        assert_eq!(
            effective_address([0xe7, 0x12, 0x70, 0x20, 0x00, 0x06], &g),
            Some(0x7000 + 0x2000 + 0x20)
        );
        // Relative-long and register formats are not storage accesses here.
        assert_eq!(effective_address([0xc4, 0x18, 0, 0, 0, 0], &g), None);
    }
}
