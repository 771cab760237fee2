//! The `res` future of `consume-body` on a body the guest made: its value
//! becomes the value of the future `request.new`/`response.new` returned,
//! as Wasmtime forwards it (whoever consumes a body reports how its
//! handling went to whoever made it).
//!
//! Phase: run time (a host sink on the `res` future's readable end).
//! Inputs: the guest's `result<_, error-code>` write, lifted from the
//! writer's memory. Output: the same value written to the `new` future
//! when the writer's end is dropped.
//!
//! Invariant: the value written holds no pointers of its own. Its strings
//! (an `internal-error` message, a field name) travel beside its bytes
//! ([`FutureValue::strings`]) and the read places them with the reader's
//! `realloc`, so the value arrives whole.

use super::super::types::{ErrorCode, FieldSizePayload};
use kiln_abi::component::StringEncoding;
use kiln_canon::call::InstanceState;
use kiln_canon::p3::{FutureValue, HostSink, SinkWrite};
use kiln_canon::{GuestMemory, Host, Lift, LiftCx, Lower, LowerCx, Realloc, Trap};

/// The sink: what was written to `res`, to pass on to channel `result`.
pub(super) struct ForwardResult {
    /// The channel of the future `new` returned.
    pub result: u32,
    /// Its value's size and alignment.
    pub layout: (u32, u32),
    /// The value written to `res`, once it was.
    pub value: Option<Result<(), ErrorCode>>,
}

impl ForwardResult {
    /// Records the value at byte `at` of `memory`: the writer's memory
    /// (every guest write), or the value's own bytes when only they are at
    /// hand, where a payload string's pointer reaches nothing and the value
    /// reads as `internal-error`.
    fn record(&mut self, memory: &[u8], at: usize) -> Result<SinkWrite, Trap> {
        // NB: a guest string is UTF-8 for every toolchain that targets
        // `wasi:http@0.3`; a payload string that does not decode still
        // forwards the case.
        let ptr = u32::try_from(at).map_err(|_| kiln_canon::trap::trap("out of bounds"))?;
        let mut cx = LiftCx::new(memory, StringEncoding::Utf8, None);
        let value = match <Result<(), ErrorCode>>::load(&mut cx, ptr) {
            Ok(v) => v,
            Err(_) => Err(ErrorCode::InternalError(None)),
        };
        self.value.get_or_insert(value);
        Ok(SinkWrite::Wrote(1))
    }
}

/// The `error-code` at byte `at` of a writer's `memory` (its strings
/// read from there); one that does not lift reads as `internal-error`.
pub(super) fn lift_error(memory: &[u8], at: usize) -> ErrorCode {
    let Ok(ptr) = u32::try_from(at) else {
        return ErrorCode::InternalError(None);
    };
    let mut cx = LiftCx::new(memory, StringEncoding::Utf8, None);
    ErrorCode::load(&mut cx, ptr).unwrap_or(ErrorCode::InternalError(None))
}

impl HostSink for ForwardResult {
    fn write(&mut self, _host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap> {
        self.record(data, 0)
    }

    fn write_in(
        &mut self,
        _host: &mut dyn Host,
        _instances: &mut [InstanceState],
        _writer: u32,
        memory: &[u8],
        at: std::ops::Range<usize>,
    ) -> Result<SinkWrite, Trap> {
        self.record(memory, at.start)
    }

    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let value = self.value.take().unwrap_or(Ok(()));
        Some((self.result, lower(self.layout, &value)))
    }
}

/// Where the scratch memory of [`lower`] puts strings: past any value's
/// own bytes, so the one (pointer, length) pair naming a string is its
/// field.
const STRINGS_AT: u32 = 1 << 16;

/// The `realloc` of [`lower`]: strings go one after another from
/// [`STRINGS_AT`] in the scratch memory, noted as (pointer, length).
struct Scratch {
    next: u32,
    mem: GuestMemory,
    placed: Vec<(u32, u32)>,
}

impl Realloc for Scratch {
    fn realloc(&mut self, _old: u32, _old_size: u32, align: u32, size: u32) -> Result<u32, Trap> {
        let at = self.next.next_multiple_of(align.max(1));
        self.next = at
            .checked_add(size)
            .ok_or_else(|| kiln_canon::trap::trap("string too long"))?;
        self.placed.push((at, size));
        Ok(at)
    }

    fn memory(&self) -> GuestMemory {
        self.mem
    }
}

/// The bytes of the strings in `e`'s payload, if it has any.
fn strings_len(e: &ErrorCode) -> Option<usize> {
    let field = |p: &FieldSizePayload| p.field_name.as_ref().map(String::len);
    let opt = |s: &Option<String>| s.as_ref().map(String::len);
    match e {
        ErrorCode::DnsError(p) => opt(&p.rcode),
        ErrorCode::TlsAlertReceived(p) => opt(&p.alert_message),
        ErrorCode::HttpRequestHeaderSize(p) => p.as_ref().and_then(field),
        ErrorCode::HttpRequestTrailerSize(p)
        | ErrorCode::HttpResponseHeaderSize(p)
        | ErrorCode::HttpResponseTrailerSize(p) => field(p),
        ErrorCode::HttpResponseTransferCoding(s)
        | ErrorCode::HttpResponseContentCoding(s)
        | ErrorCode::InternalError(s) => opt(s),
        _ => None,
    }
}

/// `value` laid out as a future's element of `layout`, its strings beside
/// the bytes ([`FutureValue`]). The value is lowered into a scratch
/// memory whose `realloc` places strings from [`STRINGS_AT`]; each string
/// then names the field that holds its (pointer, length), left zero for
/// the read to fill.
pub(super) fn lower(layout: (u32, u32), value: &Result<(), ErrorCode>) -> FutureValue {
    let size = layout.0 as usize;
    let room = match value.as_ref().err().and_then(strings_len) {
        None => size,
        Some(texts) => STRINGS_AT as usize + texts + 64,
    };
    // Words, so the buffer is aligned for any scalar of the value.
    let mut words = vec![0u64; room.div_ceil(8)];
    let (lowered, placed) = {
        // SAFETY: `words` is live, unaliased and at least `room` bytes
        // for the whole lowering; nothing else reads or writes it then.
        let mem = unsafe { GuestMemory::new(words.as_mut_ptr().cast(), room) };
        let mut scratch = Scratch {
            next: STRINGS_AT,
            mem,
            placed: Vec::new(),
        };
        let mut cx = LowerCx::new(mem, Some(&mut scratch), StringEncoding::Utf8, None);
        let lowered = value.store(&mut cx, 0);
        (lowered, scratch.placed)
    };
    let all: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    if lowered.is_err() || all.len() < size {
        return super::body::case_bytes(layout, value).into();
    }
    let mut bytes = all[..size].to_vec();
    let word = |b: &[u8], at: usize| {
        b.get(at..at + 4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    };
    let mut found = Vec::new();
    for (at, len) in placed {
        let Some(text) = all.get(at as usize..(at + len) as usize) else {
            continue;
        };
        let field = (0..size.saturating_sub(7))
            .step_by(4)
            .find(|f| word(&bytes, *f) == Some(at) && word(&bytes, f + 4) == Some(len));
        if let Some(f) = field {
            bytes[f..f + 8].fill(0);
            found.push((f as u32, String::from_utf8_lossy(text).into_owned()));
        }
    }
    let mut v = FutureValue::from(bytes);
    for (f, text) in found {
        v.add_string(f, &text);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::super::types::DnsErrorPayload;
    use super::*;
    use kiln_canon::ComponentType;

    /// Lifts what [`lower`] wrote, its strings placed after the value as a
    /// read would place them.
    fn lift(v: &FutureValue) -> Result<(), ErrorCode> {
        let mut mem = v.bytes.clone();
        for (field, text) in &v.strings() {
            let at = mem.len() as u32;
            mem.extend_from_slice(text.as_bytes());
            let f = *field as usize;
            mem[f..f + 4].copy_from_slice(&at.to_le_bytes());
            mem[f + 4..f + 8].copy_from_slice(&(text.len() as u32).to_le_bytes());
        }
        let mut cx = LiftCx::new(&mem, StringEncoding::Utf8, None);
        <Result<(), ErrorCode>>::load(&mut cx, 0).expect("lifts")
    }

    #[test]
    fn values_pass_with_their_strings() {
        let layout = (
            <Result<(), ErrorCode>>::SIZE32,
            <Result<(), ErrorCode>>::ALIGN32,
        );
        let cases = [
            Ok(()),
            Err(ErrorCode::ConnectionRefused),
            Err(ErrorCode::HttpRequestBodySize(Some(1 << 40))),
            Err(ErrorCode::InternalError(Some("nope".into()))),
            Err(ErrorCode::InternalError(Some(String::new()))),
            Err(ErrorCode::HttpResponseTrailerSize(FieldSizePayload {
                field_name: Some("x".into()),
                field_size: Some(7),
            })),
            Err(ErrorCode::DnsError(DnsErrorPayload {
                rcode: Some("SERVFAIL".into()),
                info_code: Some(2),
            })),
        ];
        for written in cases {
            let v = lower(layout, &written);
            assert_eq!(v.bytes.len(), layout.0 as usize);
            assert_eq!(lift(&v), written);
        }
        // A string field is left zero for the read to fill.
        let v = lower(layout, &Err(ErrorCode::InternalError(Some("abc".into()))));
        assert_eq!(v.strings().len(), 1);
        let f = v.strings()[0].0 as usize;
        assert_eq!(&v.bytes[f..f + 8], &[0; 8]);
    }
}
