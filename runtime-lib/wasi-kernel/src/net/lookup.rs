//! Name lookup: which names `wasi:sockets/ip-name-lookup` accepts, and
//! resolving them with the host resolver.
//!
//! Phase: run time. Inputs: a guest name. Outputs: [`Host`] (an address
//! literal or a domain in ASCII form), resolved addresses, [`LookupError`].
//!
//! Invariants (as Wasmtime's `crates/wasi/src/sockets/ip_name_lookup.rs`,
//! which uses the `url` crate's WHATWG host parser): a name is
//! percent-decoded, lower-cased, refused if it holds a forbidden domain code
//! point, read as an IPv4 address if its last label is a number (decimal,
//! `0x` hex or `0`-prefixed octal parts, as browsers do), as an IPv6
//! address if bracketed or a bare IPv6 literal; otherwise it is a domain.
//! Resolution asks `getaddrinfo` for stream sockets (what tokio's
//! `lookup_host` asks) and returns each address in canonical form (IPv4-
//! mapped IPv6 addresses as IPv4).
//!
//! NB: non-ASCII labels are lower-cased and Punycode-encoded (`xn--`), a
//! subset of UTS #46 mapping (no NFC normalization, no mapping tables);
//! Kiln carries no Unicode tables in its runtime.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

/// A parsed host name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// An address literal (needs no resolver).
    Ip(IpAddr),
    /// A domain in ASCII form.
    Domain(String),
}

/// Why a lookup failed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// The name is not a valid host.
    InvalidArgument,
    /// The resolver found nothing (any resolver failure, as wasmtime).
    NameUnresolvable,
}

/// Parses `name` as the WHATWG URL host parser does.
pub fn parse_host(name: &str) -> Result<Host, LookupError> {
    let bad = LookupError::InvalidArgument;
    if let Some(rest) = name.strip_prefix('[') {
        let inner = rest.strip_suffix(']').ok_or(bad)?;
        return inner
            .parse::<Ipv6Addr>()
            .map(|a| Host::Ip(IpAddr::V6(a)))
            .map_err(|_| bad);
    }
    match parse_domain(name) {
        Ok(host) => Ok(host),
        // The URL parser does not know bare IPv6 literals; wasmtime accepts
        // them after it fails.
        Err(e) => name
            .parse::<Ipv6Addr>()
            .map(|a| Host::Ip(IpAddr::V6(a)))
            .map_err(|_| e),
    }
}

fn parse_domain(name: &str) -> Result<Host, LookupError> {
    let bad = LookupError::InvalidArgument;
    if name.is_empty() {
        return Err(bad);
    }
    let decoded = percent_decode(name.as_bytes());
    let decoded = String::from_utf8_lossy(&decoded);
    let ascii = to_ascii(&decoded)?;
    if ascii.is_empty() || ascii.chars().any(is_forbidden_domain_char) {
        return Err(bad);
    }
    if ends_in_number(&ascii) {
        return parse_ipv4(&ascii)
            .map(|a| Host::Ip(IpAddr::V4(a)))
            .ok_or(bad);
    }
    Ok(Host::Domain(ascii))
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if input[i] == b'%'
            && i + 2 < input.len()
            && let (Some(h), Some(l)) = (hex(input[i + 1]), hex(input[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn is_forbidden_domain_char(c: char) -> bool {
    matches!(
        c,
        '\0'..='\u{1f}'
            | ' '
            | '#'
            | '%'
            | '/'
            | ':'
            | '<'
            | '>'
            | '?'
            | '@'
            | '['
            | '\\'
            | ']'
            | '^'
            | '|'
            | '\u{7f}'
    )
}

/// Lower-cases `s` and encodes non-ASCII labels with Punycode.
fn to_ascii(s: &str) -> Result<String, LookupError> {
    let lower = s.to_lowercase();
    // Full stops of other scripts separate labels too (UTS #46).
    let lower = lower.replace(['\u{3002}', '\u{ff0e}', '\u{ff61}'], ".");
    let labels: Result<Vec<String>, LookupError> = lower
        .split('.')
        .map(|label| {
            if label.is_ascii() {
                Ok(label.to_string())
            } else {
                punycode(label)
                    .map(|p| format!("xn--{p}"))
                    .ok_or(LookupError::InvalidArgument)
            }
        })
        .collect();
    Ok(labels?.join("."))
}

/// RFC 3492 Punycode encoding of `label`.
fn punycode(label: &str) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    let adapt = |mut delta: u32, num_points: u32, first: bool| {
        delta /= if first { 700 } else { 2 };
        delta += delta / num_points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE * delta) / (delta + 38)
    };
    let digit = |d: u32| -> char {
        if d < 26 {
            (b'a' + d as u8) as char
        } else {
            (b'0' + (d - 26) as u8) as char
        }
    };
    let input: Vec<u32> = label.chars().map(u32::from).collect();
    let mut out: String = label.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias) = (128u32, 0u32, 72u32);
    while (handled as usize) < input.len() {
        let m = *input.iter().filter(|&&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    Some(out)
}

/// Whether the last label is a number (then the host must be IPv4).
fn ends_in_number(s: &str) -> bool {
    let mut parts: Vec<&str> = s.split('.').collect();
    if parts.last() == Some(&"") {
        if parts.len() == 1 {
            return false;
        }
        parts.pop();
    }
    let last = parts.last().copied().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    parse_ipv4_number(last).is_some()
}

fn parse_ipv4_number(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Saturate: anything this large fails the range checks anyway.
    Some(u64::from_str_radix(digits, radix).unwrap_or(u64::MAX))
}

fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut parts: Vec<&str> = s.split('.').collect();
    if parts.last() == Some(&"") && parts.len() > 1 {
        parts.pop();
    }
    if parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|p| parse_ipv4_number(p))
        .collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|&n| n > 255) || *last >= 256u64.pow(5 - numbers.len() as u32) {
        return None;
    }
    let mut v = *last;
    for (i, &n) in init.iter().enumerate() {
        v += n << (8 * (3 - i));
    }
    Some(Ipv4Addr::from(v as u32))
}

/// Resolves `domain` with the host resolver (blocking).
pub fn resolve(domain: &str) -> Result<Vec<IpAddr>, LookupError> {
    let addrs = (domain, 0)
        .to_socket_addrs()
        .map_err(|_| LookupError::NameUnresolvable)?;
    Ok(addrs.map(|a| a.ip().to_canonical()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Result<Host, LookupError> {
        Ok(Host::Ip(s.parse().expect("test address")))
    }

    fn domain(s: &str) -> Result<Host, LookupError> {
        Ok(Host::Domain(s.to_string()))
    }

    #[test]
    fn literals() {
        assert_eq!(parse_host("127.0.0.1"), v4("127.0.0.1"));
        assert_eq!(parse_host("[::1]"), v4("::1"));
        assert_eq!(parse_host("::1"), v4("::1"));
        assert_eq!(parse_host("0x7f.1"), v4("127.0.0.1"));
        assert_eq!(parse_host("0177.0.0.1"), v4("127.0.0.1"));
        assert_eq!(parse_host("2130706433"), v4("127.0.0.1"));
        assert_eq!(parse_host("1.2.3.4."), v4("1.2.3.4"));
        assert_eq!(parse_host("[::1"), Err(LookupError::InvalidArgument));
        assert_eq!(parse_host("1.2.3.256"), Err(LookupError::InvalidArgument));
        assert_eq!(parse_host("1.2.3.4.5"), Err(LookupError::InvalidArgument));
        assert_eq!(parse_host("foo.09"), Err(LookupError::InvalidArgument));
    }

    #[test]
    fn domains() {
        assert_eq!(parse_host("LocalHost"), domain("localhost"));
        assert_eq!(parse_host("a%2Eb"), domain("a.b"));
        assert_eq!(parse_host("example.com."), domain("example.com."));
        assert_eq!(parse_host("foo.0x"), Err(LookupError::InvalidArgument));
        for bad in ["", "bad name", "a/b", "a:b", "a@b", "a%b", "x\u{7f}"] {
            assert_eq!(
                parse_host(bad),
                Err(LookupError::InvalidArgument),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn punycode_examples() {
        // RFC 3492 / well-known IDN examples.
        assert_eq!(
            parse_host("bücher.example"),
            domain("xn--bcher-kva.example")
        );
        assert_eq!(parse_host("MÜNCHEN.de"), domain("xn--mnchen-3ya.de"));
        assert_eq!(punycode("ü").as_deref(), Some("tda"));
    }
}
