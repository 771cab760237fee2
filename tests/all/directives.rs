//! The one directive syntax of the run cases (`tests/run`) and the test
//! programs (`tests/programs`), described in `tests/run/README.md`
//! ("Directives"): a line comment of the file's language (`;;` in the text
//! format, `//` in Rust, C and JavaScript, `#` in Python) whose text starts
//! with `kiln-test:`, followed
//! by `key = value` or by a bare `key` (a flag).
//!
//! A value is either a quoted string, `"..."`, with the escapes of
//! [`util::unescape`], or the rest of the line, trimmed and taken literally.
//! Directives may appear anywhere in the file; each area gives the keys
//! their meaning ([`crate::run_cases`], [`crate::programs`]).

use crate::util;
use anyhow::{Context, Result, bail};

/// The text that starts a directive, after the comment leader.
const MARKER: &str = "kiln-test:";

/// One directive line.
#[derive(Debug)]
pub struct Directive {
    /// 1-based line number, for messages.
    pub line: usize,
    pub key: String,
    /// `None` for a flag (no `=`).
    value: Option<Vec<u8>>,
}

impl Directive {
    /// The value's bytes; a flag is an error.
    pub fn bytes(&self) -> Result<Vec<u8>> {
        self.value.clone().with_context(|| {
            format!(
                "line {}: `{}` needs a value (`{} = ...`)",
                self.line, self.key, self.key
            )
        })
    }

    /// The value as UTF-8 text.
    pub fn text(&self) -> Result<String> {
        String::from_utf8(self.bytes()?).with_context(|| {
            format!(
                "line {}: the value of `{}` is not UTF-8",
                self.line, self.key
            )
        })
    }

    /// The value split on whitespace.
    pub fn words(&self) -> Result<Vec<String>> {
        Ok(self.text()?.split_whitespace().map(String::from).collect())
    }

    /// Checks that the directive is a bare flag.
    pub fn flag(&self) -> Result<()> {
        if self.value.is_some() {
            bail!(
                "line {}: `{}` is a flag and takes no value",
                self.line,
                self.key
            );
        }
        Ok(())
    }
}

/// The directives of a file, in order.
pub fn parse(source: &str) -> Result<Vec<Directive>> {
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim_start();
        // The run cases' former syntax: reject it rather than ignore it, so
        // a case written in it cannot pass with its expectations unread.
        if line.starts_with(";;!") {
            bail!("line {line_no}: `;;!` directive: write `;; {MARKER} key = value`");
        }
        let Some(comment) = line
            .strip_prefix(";;")
            .or_else(|| line.strip_prefix("//"))
            .or_else(|| line.strip_prefix('#'))
        else {
            continue;
        };
        let Some(rest) = comment.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let (key, value) = match rest.split_once('=') {
            Some((key, value)) => (
                key.trim(),
                Some(parse_value(value).with_context(|| format!("line {line_no}"))?),
            ),
            None => (rest.trim(), None),
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            bail!("line {line_no}: expected `{MARKER} key = value` or `{MARKER} key`");
        }
        out.push(Directive {
            line: line_no,
            key: key.to_string(),
            value,
        });
    }
    Ok(out)
}

/// A value: `"quoted with \n escapes"`, or the trimmed text taken literally.
fn parse_value(raw: &str) -> Result<Vec<u8>> {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('"') {
        let inner = inner
            .strip_suffix('"')
            .with_context(|| format!("unterminated string `{raw}`"))?;
        util::unescape(inner)
    } else {
        Ok(raw.as_bytes().to_vec())
    }
}

/// Unit checks of the parser (run by the `run::directive_parser` trial).
pub fn self_test() -> Result<()> {
    let d = parse(
        "(module)\n  ;; kiln-test: stdout = \"a\\n\\\"b\\\"\"\n// kiln-test: env = K=v w\n//kiln-test:stdout-file\n;; not a directive = 1\n",
    )?;
    let summary: Vec<_> = d
        .iter()
        .map(|d| (d.line, d.key.as_str(), d.value.as_deref()))
        .collect();
    let want: Vec<(usize, &str, Option<&[u8]>)> = vec![
        (2, "stdout", Some(&b"a\n\"b\""[..])),
        (3, "env", Some(&b"K=v w"[..])),
        (4, "stdout-file", None),
    ];
    if summary != want {
        bail!("bad parse: {summary:?}");
    }
    if d[0].flag().is_ok() || d[2].flag().is_err() || d[2].bytes().is_ok() {
        bail!("flags and values are not told apart");
    }
    if parse(";; kiln-test: stdin = \"open").is_ok()
        || parse(";; kiln-test: a b = 1").is_ok()
        || parse(";;! expect = \"1\"").is_ok()
    {
        bail!("malformed directives are accepted");
    }
    Ok(())
}
