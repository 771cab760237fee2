//! Interface names and semver-compatible matching, as Wasmtime does it
//! (Wasmtime's `crates/environ/src/component/names.rs`), plus the
//! canonical-name short forms of the spec (`wasi:cli/exit@0.2`).
//!
//! - [`InterfaceName::parse`] splits `ns:pkg/iface@version` (nested
//!   namespaces/packages like `a:b:c/d` are not used by WASI and are
//!   rejected; plain names without `:` are not interface names).
//! - [`alternate_lookup_key`] cuts a version to its compatibility track:
//!   `@1.2.3` → `@1`, `@0.2.6` → `@0.2`; `0.0.x` and any prerelease have no
//!   track (they match only exactly). Build metadata is ignored by the key.
//! - [`lookup`] finds the registered name a wanted name resolves to: an exact
//!   match first, else the highest registered version on the wanted name's
//!   track. So one `0.2.12` host serves `0.2.0` through `0.2.12` guests, and a
//!   `0.2.12` guest is served by a `0.2.3` host if that is all there is.
//! - [`canonical_key`] is the name a host function is registered under
//!   (`crate::wasi_p2` lists them by it).

use core::cmp::Ordering;
use core::fmt;

/// A parsed `MAJOR.MINOR.PATCH[-PRE][+BUILD]` version (SemVer 2.0.0 syntax:
/// no leading zeros in numbers, non-empty dot-separated identifiers).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Version<'a> {
    /// Major number.
    pub major: u64,
    /// Minor number.
    pub minor: u64,
    /// Patch number.
    pub patch: u64,
    /// Prerelease identifiers after `-` (empty if none).
    pub pre: &'a str,
    /// Build metadata after `+` (empty if none).
    pub build: &'a str,
}

fn parse_num(s: &str) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

fn valid_idents(s: &str, numeric_no_leading_zero: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(numeric_no_leading_zero
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl<'a> Version<'a> {
    /// Parses a full semver version; `None` if it is not one (e.g. `0.2`).
    pub fn parse(s: &'a str) -> Option<Version<'a>> {
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let major = parse_num(parts.next()?)?;
        let minor = parse_num(parts.next()?)?;
        let patch = parse_num(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        if let Some(p) = pre
            && !valid_idents(p, true)
        {
            return None;
        }
        if let Some(b) = build
            && !valid_idents(b, false)
        {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            pre: pre.unwrap_or(""),
            build: build.unwrap_or(""),
        })
    }

    /// SemVer precedence, then build metadata as a tie-break so that the
    /// order is total, as the order of Wasmtime's `semver::Version` is
    /// ([`cmp_build`]).
    pub fn cmp_versions(&self, other: &Version<'_>) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| cmp_pre(self.pre, other.pre))
            .then_with(|| cmp_build(self.build, other.build))
    }
}

/// The order of build metadata in the `semver` crate: identifier by
/// identifier, numeric ones by value (then by length, `1` < `01`) and below
/// alphanumeric ones, which compare as text; a prefix is smaller, and no
/// metadata is smallest.
fn cmp_build(a: &str, b: &str) -> Ordering {
    if a.is_empty() || b.is_empty() {
        return (!a.is_empty()).cmp(&!b.is_empty());
    }
    let mut rhs = b.split('.');
    for l in a.split('.') {
        let Some(r) = rhs.next() else {
            return Ordering::Greater;
        };
        let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        let o = match (digits(l), digits(r)) {
            (true, true) => {
                let (lv, rv) = (l.trim_start_matches('0'), r.trim_start_matches('0'));
                lv.len()
                    .cmp(&rv.len())
                    .then_with(|| lv.cmp(rv))
                    .then_with(|| l.len().cmp(&r.len()))
            }
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => l.cmp(r),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    if rhs.next().is_none() {
        Ordering::Equal
    } else {
        Ordering::Less
    }
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        // A release is greater than any of its prereleases.
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    // Numeric identifiers sort before alphanumeric ones.
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl fmt::Display for Version<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

/// Why a string is not an interface name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    /// Not of the form `ns:pkg/iface[@version]`.
    Syntax,
    /// A namespace, package or interface word is not a kebab-case label.
    Label,
    /// The text after `@` is not a version (full semver, or the canonical
    /// short forms `MAJOR` with MAJOR ≥ 1 and `0.MINOR` with MINOR ≥ 1).
    Version,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameError::Syntax => "expected `namespace:package/interface[@version]`",
            NameError::Label => "invalid kebab-case label in interface name",
            NameError::Version => "invalid version in interface name",
        })
    }
}

/// A parsed interface name `namespace:package/interface[@version]`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct InterfaceName<'a> {
    /// `wasi` in `wasi:cli/exit@0.2.6`.
    pub namespace: &'a str,
    /// `cli`.
    pub package: &'a str,
    /// `exit`.
    pub interface: &'a str,
    /// `0.2.6` (the text after `@`), if any.
    pub version_text: Option<&'a str>,
    /// The parsed version when `version_text` is full semver; `None` for
    /// the canonical short forms (`0.2`, `1`).
    pub version: Option<Version<'a>>,
}

/// A kebab-case label: words of `[a-z0-9]` or `[A-Z0-9]` separated by
/// single `-`, each starting with a letter.
fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            let b = w.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphabetic()
                && (b
                    .iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    || b.iter()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        })
}

/// Whether `v` is a canonical short version: `MAJOR` (≥ 1) or `0.MINOR`
/// (MINOR ≥ 1), without prerelease or build.
fn is_short_version(v: &str) -> bool {
    match v.split_once('.') {
        None => parse_num(v).is_some_and(|m| m >= 1),
        Some(("0", minor)) => parse_num(minor).is_some_and(|m| m >= 1),
        Some(_) => false,
    }
}

impl<'a> InterfaceName<'a> {
    /// Parses `ns:pkg/iface[@version]`.
    pub fn parse(s: &'a str) -> Result<InterfaceName<'a>, NameError> {
        let (path, version_text) = match s.split_once('@') {
            Some((p, v)) => (p, Some(v)),
            None => (s, None),
        };
        let (namespace, rest) = path.split_once(':').ok_or(NameError::Syntax)?;
        let (package, interface) = rest.split_once('/').ok_or(NameError::Syntax)?;
        if [namespace, package, interface].iter().any(|w| !is_label(w)) {
            return Err(NameError::Label);
        }
        let version = match version_text {
            None => None,
            Some(v) => match Version::parse(v) {
                Some(parsed) => Some(parsed),
                None if is_short_version(v) => None,
                None => return Err(NameError::Version),
            },
        };
        Ok(InterfaceName {
            namespace,
            package,
            interface,
            version_text,
            version,
        })
    }

    /// The name without its version: `wasi:cli/exit`.
    pub fn unversioned(&self, full: &'a str) -> &'a str {
        let len = self.namespace.len() + 1 + self.package.len() + 1 + self.interface.len();
        full.get(..len).unwrap_or(full)
    }
}

/// Wasmtime's `alternate_lookup_key`: the name cut to its semver track and
/// the parsed version, or `None` when `name` has no track (no `@`, not full
/// semver, a prerelease, or `0.0.x`).
pub fn alternate_lookup_key(name: &str) -> Option<(&str, Version<'_>)> {
    let at = name.find('@')?;
    let text = &name[at + 1..];
    let version = Version::parse(text)?;
    if !version.pre.is_empty() {
        return None;
    }
    let first_dot = at + 1 + text.find('.')?;
    if version.major != 0 {
        Some((&name[..first_dot], version))
    } else if version.minor != 0 {
        let second_dot = first_dot + 1 + name[first_dot + 1..].find('.')?;
        Some((&name[..second_dot], version))
    } else {
        None
    }
}

/// The key a name is registered and matched under: its track
/// ([`alternate_lookup_key`]) when it has one, else the name itself (exact
/// versions, unversioned names, and names already in canonical short form
/// such as `wasi:cli/exit@0.2`).
pub fn canonical_key(name: &str) -> &str {
    match alternate_lookup_key(name) {
        Some((key, _)) => key,
        None => name,
    }
}

/// Resolves `wanted` against `registered` names, as Wasmtime's name maps do
/// (its linker's, and a component's exports for `wasmtime run`'s lookup
/// of `wasi:cli/run`): an exact match wins; otherwise the registered name
/// with the highest version among those on `wanted`'s track, the later one
/// on a tie (its map keeps a later insert unless it is smaller). A wanted
/// name in canonical short form (`…@0.2`, `…@1`) is its own track. Returns
/// the registered name.
pub fn lookup<'r>(
    wanted: &str,
    registered: impl IntoIterator<Item = &'r str> + Clone,
) -> Option<&'r str> {
    if let Some(exact) = registered.clone().into_iter().find(|r| *r == wanted) {
        return Some(exact);
    }
    let key = match alternate_lookup_key(wanted) {
        Some((key, _)) => key,
        None => {
            let (_, v) = wanted.split_once('@')?;
            if !is_short_version(v) {
                return None;
            }
            wanted
        }
    };
    let mut best: Option<(&'r str, Version<'r>)> = None;
    for r in registered {
        let Some((rkey, rversion)) = alternate_lookup_key(r) else {
            continue;
        };
        if rkey != key {
            continue;
        }
        let better = match &best {
            None => true,
            Some((_, b)) => rversion.cmp_versions(b) != Ordering::Less,
        };
        if better {
            best = Some((r, rversion));
        }
    }
    best.map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn alt(s: &str) -> Option<&str> {
        alternate_lookup_key(s).map(|(k, _)| k)
    }

    #[test]
    fn alternate_keys_match_wasmtime() {
        assert_eq!(alt("x"), None);
        assert_eq!(alt("x:y/z"), None);
        assert_eq!(alt("x:y/z@1.0.0"), Some("x:y/z@1"));
        assert_eq!(alt("x:y/z@1.1.0"), Some("x:y/z@1"));
        assert_eq!(alt("x:y/z@1.1.2"), Some("x:y/z@1"));
        assert_eq!(alt("x:y/z@2.1.2"), Some("x:y/z@2"));
        assert_eq!(alt("x:y/z@2.1.2+abc"), Some("x:y/z@2"));
        assert_eq!(alt("x:y/z@0.1.2"), Some("x:y/z@0.1"));
        assert_eq!(alt("x:y/z@0.2.3"), Some("x:y/z@0.2"));
        assert_eq!(alt("x:y/z@0.2.3+abc"), Some("x:y/z@0.2"));
        assert_eq!(alt("wasi:cli/exit@0.2.12"), Some("wasi:cli/exit@0.2"));
        assert_eq!(alt("x:y/z@0.0.1"), None);
        assert_eq!(alt("x:y/z@0.0.1-pre"), None);
        assert_eq!(alt("x:y/z@0.1.0-pre"), None);
        assert_eq!(alt("x:y/z@1.0.0-pre"), None);
        assert_eq!(alt("x:y/z@0.2"), None, "not full semver");
        assert_eq!(alt("x:y/z@01.2.3"), None, "leading zero");
        assert_eq!(
            canonical_key("wasi:io/streams@0.2.6"),
            "wasi:io/streams@0.2"
        );
        assert_eq!(
            canonical_key("wasi:io/streams@0.0.6"),
            "wasi:io/streams@0.0.6"
        );
        assert_eq!(canonical_key("wasi:io/streams@0.2"), "wasi:io/streams@0.2");
    }

    #[test]
    fn every_0_2_patch_matches_one_0_2_12_host() {
        let host = ["wasi:cli/exit@0.2.12", "wasi:io/streams@0.2.12"];
        for patch in 0..=12 {
            let wanted = format!("wasi:cli/exit@0.2.{patch}");
            assert_eq!(
                lookup(&wanted, host),
                Some("wasi:cli/exit@0.2.12"),
                "{wanted}"
            );
        }
        // Newer guests than the host still resolve on the same track.
        assert_eq!(
            lookup("wasi:cli/exit@0.2.13", host),
            Some("wasi:cli/exit@0.2.12")
        );
        // The canonical short form resolves too.
        assert_eq!(
            lookup("wasi:cli/exit@0.2", host),
            Some("wasi:cli/exit@0.2.12")
        );
        // Other interfaces, majors and minors do not.
        assert_eq!(lookup("wasi:cli/environment@0.2.0", host), None);
        assert_eq!(lookup("wasi:cli/exit@0.3.0", host), None);
        assert_eq!(lookup("wasi:cli/exit@0.3", host), None);
        assert_eq!(lookup("wasi:cli/exit@1.0.0", host), None);
        assert_eq!(lookup("wasi:cli/exit", host), None);
    }

    #[test]
    fn highest_version_on_the_track_wins_and_exact_beats_it() {
        let reg = [
            "wasi:cli/exit@0.2.3",
            "wasi:cli/exit@0.2.12",
            "wasi:cli/exit@0.2.6",
            "wasi:cli/exit@0.3.0",
            "a:b/c@1.0.0",
            "a:b/c@1.5.0",
            "a:b/c@2.0.0",
        ];
        assert_eq!(
            lookup("wasi:cli/exit@0.2.0", reg),
            Some("wasi:cli/exit@0.2.12")
        );
        assert_eq!(
            lookup("wasi:cli/exit@0.2.6", reg),
            Some("wasi:cli/exit@0.2.6")
        );
        assert_eq!(
            lookup("wasi:cli/exit@0.3.1", reg),
            Some("wasi:cli/exit@0.3.0")
        );
        assert_eq!(lookup("a:b/c@1.2.3", reg), Some("a:b/c@1.5.0"));
        assert_eq!(lookup("a:b/c@2.9.0", reg), Some("a:b/c@2.0.0"));
        assert_eq!(lookup("a:b/c@1", reg), Some("a:b/c@1.5.0"));
        assert_eq!(lookup("a:b/c@3.0.0", reg), None);
    }

    #[test]
    fn prereleases_and_0_0_x_match_only_exactly() {
        let rc = "wasi:cli/exit@0.3.0-rc-2026-03-15";
        let reg = [rc, "wasi:cli/exit@0.3.0", "x:y/z@0.0.1"];
        assert_eq!(lookup(rc, reg), Some(rc));
        assert_eq!(lookup("wasi:cli/exit@0.3.0-rc-2026-01-06", reg), None);
        // A registered prerelease never serves a release either.
        assert_eq!(lookup("wasi:cli/exit@0.3.0", [rc]), None);
        assert_eq!(lookup("wasi:cli/exit@0.3.1", [rc]), None);
        assert_eq!(lookup("x:y/z@0.0.1", reg), Some("x:y/z@0.0.1"));
        assert_eq!(lookup("x:y/z@0.0.2", reg), None);
    }

    #[test]
    fn build_metadata_order_and_ties_as_wasmtime() {
        // The `semver` crate's order: no metadata < numeric < alphanumeric.
        let reg = ["a:b/c@0.2.3+b", "a:b/c@0.2.3+a", "a:b/c@0.2.3"];
        assert_eq!(lookup("a:b/c@0.2.0", reg), Some("a:b/c@0.2.3+b"));
        let reg = ["a:b/c@0.2.3+9", "a:b/c@0.2.3+10", "a:b/c@0.2.3+x"];
        assert_eq!(lookup("a:b/c@0.2.0", reg), Some("a:b/c@0.2.3+x"));
        let reg = ["a:b/c@0.2.3+10", "a:b/c@0.2.3+9"];
        assert_eq!(lookup("a:b/c@0.2.0", reg), Some("a:b/c@0.2.3+10"));
        let reg = ["a:b/c@0.2.3+1.x", "a:b/c@0.2.3+1"];
        assert_eq!(lookup("a:b/c@0.2.0", reg), Some("a:b/c@0.2.3+1.x"));
        // Equal versions (a map may hold one twice): the later one.
        let (first, second) = (String::from("a:b/c@0.2.3"), String::from("a:b/c@0.2.3"));
        let reg = [first.as_str(), second.as_str()];
        let found = lookup("a:b/c@0.2.0", reg).map(|r| r.as_ptr());
        assert_eq!(found, Some(second.as_ptr()));
    }

    #[test]
    fn version_parsing_and_order() {
        let v = Version::parse("1.2.3-rc.1+build.5").unwrap();
        assert_eq!(
            (v.major, v.minor, v.patch, v.pre, v.build),
            (1, 2, 3, "rc.1", "build.5")
        );
        assert_eq!(format!("{v}"), "1.2.3-rc.1+build.5");
        for bad in [
            "", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.3-", "1.2.3-01", "a.b.c",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
        let mut vs: Vec<Version<'_>> = [
            "1.0.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "1.0.0-alpha.beta",
            "1.0.0-rc.1",
            "1.0.0-beta.11",
            "1.0.0-beta.2",
            "0.9.9",
        ]
        .iter()
        .filter_map(|s| Version::parse(s))
        .collect();
        vs.sort_by(|a, b| a.cmp_versions(b));
        let sorted: Vec<String> = vs.iter().map(|v| format!("{v}")).collect();
        assert_eq!(
            sorted,
            [
                "0.9.9",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0"
            ]
        );
    }

    #[test]
    fn interface_names() {
        let full = "wasi:io/streams@0.2.6";
        let n = InterfaceName::parse(full).unwrap();
        assert_eq!(
            (n.namespace, n.package, n.interface),
            ("wasi", "io", "streams")
        );
        assert_eq!(n.version_text, Some("0.2.6"));
        assert_eq!(n.version.map(|v| v.patch), Some(6));
        assert_eq!(n.unversioned(full), "wasi:io/streams");
        let n = InterfaceName::parse("wasi:cli/terminal-stdout").unwrap();
        assert_eq!((n.interface, n.version_text), ("terminal-stdout", None));
        let n = InterfaceName::parse("wasi:cli/exit@0.2").unwrap();
        assert_eq!((n.version_text, n.version), (Some("0.2"), None));
        assert_eq!(InterfaceName::parse("run"), Err(NameError::Syntax));
        assert_eq!(InterfaceName::parse("wasi:cli"), Err(NameError::Syntax));
        assert_eq!(
            InterfaceName::parse("wasi:Cli-x/exit"),
            Err(NameError::Label)
        );
        assert_eq!(
            InterfaceName::parse("wasi:cli/-exit"),
            Err(NameError::Label)
        );
        assert_eq!(
            InterfaceName::parse("wasi:cli/exit@0.0"),
            Err(NameError::Version)
        );
        assert_eq!(
            InterfaceName::parse("wasi:cli/exit@x"),
            Err(NameError::Version)
        );
    }
}
