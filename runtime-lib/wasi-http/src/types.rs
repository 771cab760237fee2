//! The WIT types of `wasi:http/types@0.2` (`method`, `scheme`,
//! `error-code` and its payload records, `header-error`) and their
//! conversions to and from the `http` crate's vocabulary.
//!
//! Phase: run time (lifting and lowering host-function values). Inputs:
//! guest values, `http`/`hyper` values. Outputs: the other side.

kiln_canon::wit_variant! {
    /// `method`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Method {
        Get = "get",
        Head = "head",
        Post = "post",
        Put = "put",
        Delete = "delete",
        Connect = "connect",
        Options = "options",
        Trace = "trace",
        Patch = "patch",
        Other(String) = "other",
    }
}

kiln_canon::wit_variant! {
    /// `scheme`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Scheme {
        Http = "HTTP",
        Https = "HTTPS",
        Other(String) = "other",
    }
}

kiln_canon::wit_record! {
    /// `DNS-error-payload`.
    #[derive(Clone, PartialEq, Eq)]
    pub struct DnsErrorPayload {
        pub rcode: Option<String>,
        pub info_code: Option<u16>,
    }
}

kiln_canon::wit_record! {
    /// `TLS-alert-received-payload`.
    #[derive(Clone, PartialEq, Eq)]
    pub struct TlsAlertReceivedPayload {
        pub alert_id: Option<u8>,
        pub alert_message: Option<String>,
    }
}

kiln_canon::wit_record! {
    /// `field-size-payload`.
    #[derive(Clone, PartialEq, Eq)]
    pub struct FieldSizePayload {
        pub field_name: Option<String>,
        pub field_size: Option<u32>,
    }
}

/// `Debug` of a payload record as Wasmtime 49 formats it in the line
/// `wasmtime serve` prints for a handler's error: its WIT field names.
macro_rules! wit_debug {
    ($ty:ident { $($field:ident = $wit:literal),* }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field($wit, &self.$field))*
                    .finish()
            }
        }
    };
}

wit_debug!(DnsErrorPayload { rcode = "rcode", info_code = "info-code" });
wit_debug!(TlsAlertReceivedPayload { alert_id = "alert-id", alert_message = "alert-message" });
wit_debug!(FieldSizePayload { field_name = "field-name", field_size = "field-size" });

kiln_canon::wit_variant! {
    /// `error-code`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum ErrorCode {
        DnsTimeout = "DNS-timeout",
        DnsError(DnsErrorPayload) = "DNS-error",
        DestinationNotFound = "destination-not-found",
        DestinationUnavailable = "destination-unavailable",
        DestinationIpProhibited = "destination-IP-prohibited",
        DestinationIpUnroutable = "destination-IP-unroutable",
        ConnectionRefused = "connection-refused",
        ConnectionTerminated = "connection-terminated",
        ConnectionTimeout = "connection-timeout",
        ConnectionReadTimeout = "connection-read-timeout",
        ConnectionWriteTimeout = "connection-write-timeout",
        ConnectionLimitReached = "connection-limit-reached",
        TlsProtocolError = "TLS-protocol-error",
        TlsCertificateError = "TLS-certificate-error",
        TlsAlertReceived(TlsAlertReceivedPayload) = "TLS-alert-received",
        HttpRequestDenied = "HTTP-request-denied",
        HttpRequestLengthRequired = "HTTP-request-length-required",
        HttpRequestBodySize(Option<u64>) = "HTTP-request-body-size",
        HttpRequestMethodInvalid = "HTTP-request-method-invalid",
        HttpRequestUriInvalid = "HTTP-request-URI-invalid",
        HttpRequestUriTooLong = "HTTP-request-URI-too-long",
        HttpRequestHeaderSectionSize(Option<u32>) = "HTTP-request-header-section-size",
        HttpRequestHeaderSize(Option<FieldSizePayload>) = "HTTP-request-header-size",
        HttpRequestTrailerSectionSize(Option<u32>) = "HTTP-request-trailer-section-size",
        HttpRequestTrailerSize(FieldSizePayload) = "HTTP-request-trailer-size",
        HttpResponseIncomplete = "HTTP-response-incomplete",
        HttpResponseHeaderSectionSize(Option<u32>) = "HTTP-response-header-section-size",
        HttpResponseHeaderSize(FieldSizePayload) = "HTTP-response-header-size",
        HttpResponseBodySize(Option<u64>) = "HTTP-response-body-size",
        HttpResponseTrailerSectionSize(Option<u32>) = "HTTP-response-trailer-section-size",
        HttpResponseTrailerSize(FieldSizePayload) = "HTTP-response-trailer-size",
        HttpResponseTransferCoding(Option<String>) = "HTTP-response-transfer-coding",
        HttpResponseContentCoding(Option<String>) = "HTTP-response-content-coding",
        HttpResponseTimeout = "HTTP-response-timeout",
        HttpUpgradeFailed = "HTTP-upgrade-failed",
        HttpProtocolError = "HTTP-protocol-error",
        LoopDetected = "loop-detected",
        ConfigurationError = "configuration-error",
        InternalError(Option<String>) = "internal-error",
    }
}

kiln_canon::wit_variant! {
    /// `header-error`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum HeaderError {
        InvalidSyntax = "invalid-syntax",
        Forbidden = "forbidden",
        Immutable = "immutable",
    }
}

impl ErrorCode {
    /// The case number (the discriminant in memory).
    pub fn case(&self) -> u8 {
        match self {
            ErrorCode::DnsTimeout => 0,
            ErrorCode::DnsError(..) => 1,
            ErrorCode::DestinationNotFound => 2,
            ErrorCode::DestinationUnavailable => 3,
            ErrorCode::DestinationIpProhibited => 4,
            ErrorCode::DestinationIpUnroutable => 5,
            ErrorCode::ConnectionRefused => 6,
            ErrorCode::ConnectionTerminated => 7,
            ErrorCode::ConnectionTimeout => 8,
            ErrorCode::ConnectionReadTimeout => 9,
            ErrorCode::ConnectionWriteTimeout => 10,
            ErrorCode::ConnectionLimitReached => 11,
            ErrorCode::TlsProtocolError => 12,
            ErrorCode::TlsCertificateError => 13,
            ErrorCode::TlsAlertReceived(..) => 14,
            ErrorCode::HttpRequestDenied => 15,
            ErrorCode::HttpRequestLengthRequired => 16,
            ErrorCode::HttpRequestBodySize(..) => 17,
            ErrorCode::HttpRequestMethodInvalid => 18,
            ErrorCode::HttpRequestUriInvalid => 19,
            ErrorCode::HttpRequestUriTooLong => 20,
            ErrorCode::HttpRequestHeaderSectionSize(..) => 21,
            ErrorCode::HttpRequestHeaderSize(..) => 22,
            ErrorCode::HttpRequestTrailerSectionSize(..) => 23,
            ErrorCode::HttpRequestTrailerSize(..) => 24,
            ErrorCode::HttpResponseIncomplete => 25,
            ErrorCode::HttpResponseHeaderSectionSize(..) => 26,
            ErrorCode::HttpResponseHeaderSize(..) => 27,
            ErrorCode::HttpResponseBodySize(..) => 28,
            ErrorCode::HttpResponseTrailerSectionSize(..) => 29,
            ErrorCode::HttpResponseTrailerSize(..) => 30,
            ErrorCode::HttpResponseTransferCoding(..) => 31,
            ErrorCode::HttpResponseContentCoding(..) => 32,
            ErrorCode::HttpResponseTimeout => 33,
            ErrorCode::HttpUpgradeFailed => 34,
            ErrorCode::HttpProtocolError => 35,
            ErrorCode::LoopDetected => 36,
            ErrorCode::ConfigurationError => 37,
            ErrorCode::InternalError(..) => 38,
        }
    }
}

impl Method {
    /// The `http` crate's method, `None` for an `other` that is not a
    /// token.
    pub fn to_http(&self) -> Option<http::Method> {
        Some(match self {
            Method::Get => http::Method::GET,
            Method::Head => http::Method::HEAD,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Delete => http::Method::DELETE,
            Method::Connect => http::Method::CONNECT,
            Method::Options => http::Method::OPTIONS,
            Method::Trace => http::Method::TRACE,
            Method::Patch => http::Method::PATCH,
            Method::Other(s) => http::Method::from_bytes(s.as_bytes()).ok()?,
        })
    }
}

/// The `error-code` of a `hyper` error on an outgoing request or its
/// response body, as Wasmtime's `hyper_request_error`: a cause that is
/// already an `error-code` (the guest's outgoing body failing) wins, any
/// other failure (a connection closed, reset or timed out before the
/// response, an answer that is not HTTP/1.1, a head too large or with too
/// many fields) is `HTTP-protocol-error`.
pub fn from_hyper(e: &hyper::Error) -> ErrorCode {
    use std::error::Error as _;
    let mut cause = e.source();
    while let Some(c) = cause {
        if let Some(code) = c.downcast_ref::<BodyError>() {
            return code.0.clone();
        }
        cause = c.source();
    }
    ErrorCode::HttpProtocolError
}

/// An `error-code` carried as an `std::error::Error` through `hyper` (the
/// guest's outgoing body failing, e.g. on a wrong `content-length`).
#[derive(Clone, Debug)]
pub struct BodyError(pub ErrorCode);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for BodyError {}
