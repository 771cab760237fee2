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
//! Invariant: the value written holds no pointers. A host-written future's
//! value is copied into the reader's buffer as bytes (no `realloc`), so
//! the strings of an error's payload (an `internal-error` message, a field
//! name) are not carried: they read as `none`. Cases and every other
//! payload field arrive as written.

use super::super::types::{DnsErrorPayload, ErrorCode, FieldSizePayload, TlsAlertReceivedPayload};
use kiln_abi::component::StringEncoding;
use kiln_canon::call::InstanceState;
use kiln_canon::p3::{HostSink, SinkWrite};
use kiln_canon::{GuestMemory, Host, Lift, LiftCx, Lower, LowerCx, Trap};

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
            Ok(v) => v.map_err(without_strings),
            Err(_) => Err(ErrorCode::InternalError(None)),
        };
        self.value.get_or_insert(value);
        Ok(SinkWrite::Wrote(1))
    }
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

    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, Vec<u8>)> {
        let value = self.value.take().unwrap_or(Ok(()));
        Some((self.result, lower(self.layout, &value)))
    }
}

/// `e` with the strings of its payload removed (`none`).
pub(super) fn without_strings(e: ErrorCode) -> ErrorCode {
    let field = |p: FieldSizePayload| FieldSizePayload {
        field_name: None,
        ..p
    };
    match e {
        ErrorCode::DnsError(p) => ErrorCode::DnsError(DnsErrorPayload { rcode: None, ..p }),
        ErrorCode::TlsAlertReceived(p) => ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload {
            alert_message: None,
            ..p
        }),
        ErrorCode::HttpRequestHeaderSize(p) => ErrorCode::HttpRequestHeaderSize(p.map(field)),
        ErrorCode::HttpRequestTrailerSize(p) => ErrorCode::HttpRequestTrailerSize(field(p)),
        ErrorCode::HttpResponseHeaderSize(p) => ErrorCode::HttpResponseHeaderSize(field(p)),
        ErrorCode::HttpResponseTrailerSize(p) => ErrorCode::HttpResponseTrailerSize(field(p)),
        ErrorCode::HttpResponseTransferCoding(_) => ErrorCode::HttpResponseTransferCoding(None),
        ErrorCode::HttpResponseContentCoding(_) => ErrorCode::HttpResponseContentCoding(None),
        ErrorCode::InternalError(_) => ErrorCode::InternalError(None),
        e => e,
    }
}

/// `value` laid out as a future's element of `layout` (no strings: see
/// [`without_strings`]).
pub(super) fn lower(layout: (u32, u32), value: &Result<(), ErrorCode>) -> Vec<u8> {
    let size = layout.0 as usize;
    // Words, so the buffer is aligned for any scalar of the value.
    let mut words = vec![0u64; size.div_ceil(8)];
    let lowered = {
        // SAFETY: `words` is live, unaliased and at least `size` bytes
        // for the whole lowering; nothing else reads or writes it then.
        let mem = unsafe { GuestMemory::new(words.as_mut_ptr().cast(), size) };
        let mut cx = LowerCx::new(mem, None, StringEncoding::Utf8, None);
        value.store(&mut cx, 0)
    };
    let bytes: Vec<u8> = words
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .take(size)
        .collect();
    match lowered {
        Ok(()) => bytes,
        // Unreachable without strings; the case alone otherwise.
        Err(_) => super::body::case_bytes(layout, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_canon::ComponentType;

    /// Lifts what [`lower`] wrote.
    fn lift(bytes: &[u8]) -> Result<(), ErrorCode> {
        let mut cx = LiftCx::new(bytes, StringEncoding::Utf8, None);
        <Result<(), ErrorCode>>::load(&mut cx, 0).expect("lifts")
    }

    #[test]
    fn values_pass_without_their_strings() {
        let layout = (
            <Result<(), ErrorCode>>::SIZE32,
            <Result<(), ErrorCode>>::ALIGN32,
        );
        let cases = [
            (Ok(()), Ok(())),
            (
                Err(ErrorCode::ConnectionRefused),
                Err(ErrorCode::ConnectionRefused),
            ),
            (
                Err(ErrorCode::HttpRequestBodySize(Some(1 << 40))),
                Err(ErrorCode::HttpRequestBodySize(Some(1 << 40))),
            ),
            (
                Err(ErrorCode::InternalError(Some("nope".into()))),
                Err(ErrorCode::InternalError(None)),
            ),
            (
                Err(ErrorCode::HttpResponseTrailerSize(FieldSizePayload {
                    field_name: Some("x".into()),
                    field_size: Some(7),
                })),
                Err(ErrorCode::HttpResponseTrailerSize(FieldSizePayload {
                    field_name: None,
                    field_size: Some(7),
                })),
            ),
        ];
        for (written, read) in cases {
            let bytes = lower(layout, &written.map_err(without_strings));
            assert_eq!(bytes.len(), layout.0 as usize);
            assert_eq!(lift(&bytes), read);
        }
    }
}
