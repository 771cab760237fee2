//! `DT_RELR` packed relative relocations: decoding an image's table and
//! encoding the merged one.
//!
//! Format (the ELF gABI's `SHT_RELR`, 64-bit): a sequence of words. An even
//! word is the address of one relocation and sets the base to the word
//! after it; an odd word is a bitmap whose bit `i` (1..=63) relocates
//! `base + (i - 1) * 8`, after which the base moves on by 63 words. Every
//! address is a multiple of 8 (the table can only name whole words).
//!
//! Invariant: [`encode`] of sorted, distinct, word-aligned addresses gives
//! a table that [`decode`] turns back into the same addresses.

/// Bytes per relocated word.
const WORD: u64 = 8;
/// Positions a bitmap word covers.
const BITS: u64 = 63;

/// The addresses a table relocates, in table order.
pub fn decode(words: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut out = Vec::new();
    let mut base = 0u64;
    for w in words {
        if w & 1 == 0 {
            out.push(w);
            base = w.wrapping_add(WORD);
        } else {
            for i in 0..BITS {
                if (w >> (i + 1)) & 1 != 0 {
                    out.push(base.wrapping_add(i * WORD));
                }
            }
            base = base.wrapping_add(BITS * WORD);
        }
    }
    out
}

/// The table for `addrs`, which must be sorted, distinct and multiples of
/// 8 (see [`valid`]).
pub fn encode(addrs: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < addrs.len() {
        // One address word, then bitmaps for what follows within reach.
        let first = addrs[i];
        out.push(first);
        i += 1;
        let mut base = first + WORD;
        loop {
            let mut bitmap = 0u64;
            while i < addrs.len() {
                let delta = addrs[i] - base;
                if delta >= BITS * WORD {
                    break;
                }
                bitmap |= 1 << (delta / WORD + 1);
                i += 1;
            }
            if bitmap == 0 {
                break;
            }
            out.push(bitmap | 1);
            base += BITS * WORD;
        }
    }
    out
}

/// Whether `addrs` can be encoded: sorted, distinct, word-aligned.
pub fn valid(addrs: &[u64]) -> bool {
    addrs.iter().all(|a| a % WORD == 0) && addrs.windows(2).all(|w| w[0] < w[1])
}
