//! A server's `-H name: value` arguments (`wasmtime serve -H`): headers
//! that replace or add to every request's before the guest sees it.
//!
//! Phase: start-up of a server executable. Input: the arguments' strings
//! (`@path` names a file with one header per line). Output: the headers in
//! argument order, or the error chain `wasmtime serve` prints for a bad
//! one.
//!
//! Syntax, as Wasmtime 49 reads it: the name is what comes before the first
//! `:`, trimmed; the value is the rest with its leading whitespace removed
//! (trailing whitespace stays). A file's empty lines are skipped; any other
//! line is a header (there are no comments).

use http::{HeaderName, HeaderValue};

/// One header to set on every request.
pub type Header = (HeaderName, HeaderValue);

/// Parses the `-H` arguments in order.
pub fn parse(args: &[String]) -> Result<Vec<Header>, Vec<String>> {
    let mut out = Vec::new();
    for arg in args {
        if let Some(path) = arg.strip_prefix('@') {
            let text = std::fs::read_to_string(path).map_err(|e| {
                vec![
                    format!("failed to read header file `{path}`"),
                    kiln_vm::errors::os_error_text(&e),
                ]
            })?;
            for line in text.lines().filter(|l| !l.is_empty()) {
                out.push(one(line)?);
            }
        } else {
            out.push(one(arg)?);
        }
    }
    Ok(out)
}

/// One `name: value`.
fn one(header: &str) -> Result<Header, Vec<String>> {
    let (name, value) = header
        .split_once(':')
        .ok_or_else(|| vec![format!("header `{header}` is missing `:`")])?;
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
        vec![
            format!("invalid header name in header `{header}`"),
            "invalid HTTP header name".to_string(),
        ]
    })?;
    let value = HeaderValue::from_str(value.trim_start()).map_err(|_| {
        vec![
            format!("invalid header value in header `{header}`"),
            "failed to parse header value".to_string(),
        ]
    })?;
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(args: &[&str]) -> Vec<(String, String)> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(&args)
            .expect("valid")
            .into_iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    v.to_str().expect("ascii").to_string(),
                )
            })
            .collect()
    }

    fn err(arg: &str) -> Vec<String> {
        parse(&[arg.to_string()]).expect_err("invalid")
    }

    #[test]
    fn names_are_trimmed_and_values_only_at_the_start() {
        assert_eq!(
            ok(&[" X-G : two ", "a:b:c", "empty:"]),
            [
                ("x-g".to_string(), "two ".to_string()),
                ("a".to_string(), "b:c".to_string()),
                ("empty".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn errors_are_wasmtimes() {
        assert_eq!(err("bad"), ["header `bad` is missing `:`"]);
        assert_eq!(
            err("x a: b"),
            [
                "invalid header name in header `x a: b`",
                "invalid HTTP header name"
            ]
        );
        assert_eq!(
            err("x-a: b\u{1}c"),
            [
                "invalid header value in header `x-a: b\u{1}c`",
                "failed to parse header value"
            ]
        );
    }

    #[test]
    fn files_hold_one_header_per_line() {
        let dir = std::env::temp_dir().join(format!("kiln-header-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("h.txt");
        std::fs::write(&file, "x-f1: one\n\nx-f2:two\n").expect("write");
        let arg = format!("@{}", file.display());
        assert_eq!(
            ok(&["x-a: 1", &arg]),
            [
                ("x-a".to_string(), "1".to_string()),
                ("x-f1".to_string(), "one".to_string()),
                ("x-f2".to_string(), "two".to_string()),
            ]
        );
        std::fs::write(&file, "x-f1: one\nbad line\n").expect("write");
        assert_eq!(
            parse(std::slice::from_ref(&arg)).expect_err("bad line"),
            ["header `bad line` is missing `:`"]
        );
        let _ = std::fs::remove_dir_all(&dir);
        let missing = format!("@{}", dir.join("none").display());
        assert_eq!(
            parse(&[missing]).expect_err("missing"),
            [
                format!(
                    "failed to read header file `{}`",
                    dir.join("none").display()
                ),
                "No such file or directory (os error 2)".to_string(),
            ]
        );
    }
}
