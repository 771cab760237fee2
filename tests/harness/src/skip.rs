//! The one skip list of the spec harness (`tests/spec-skip.txt`).
//!
//! Input: the list's text. Output: a [`SkipList`] that says whether a failed
//! directive is skipped, and with what reason.
//!
//! Format, one entry per line, `#` starting a comment line:
//!
//! ```text
//! <path>[:<line>] # <reason>
//! ```
//!
//! `<path>` is a suite directory (`proposals/simd`), a file
//! (`wasm-v2/names.wast`), or a file and the 1-based line of one directive.
//! Every entry needs a reason. A skipped directive still runs: its failure
//! is counted as skipped instead of failing the trial, and an entry whose
//! directives all pass is reported as stale.

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipEntry {
    /// Directory or file path.
    pub path: String,
    /// A single directive's line, if any.
    pub line: Option<usize>,
    /// Why it is skipped.
    pub reason: String,
}

/// The parsed list.
#[derive(Clone, Debug, Default)]
pub struct SkipList {
    /// Entries in file order.
    pub entries: Vec<SkipEntry>,
}

impl SkipList {
    /// Parses the list; an entry without a reason is an error.
    pub fn parse(text: &str) -> Result<SkipList, String> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (target, reason) = line
                .split_once('#')
                .map(|(t, r)| (t.trim(), r.trim()))
                .filter(|(_, r)| !r.is_empty())
                .ok_or_else(|| format!("skip list line {}: `{raw}` has no `# reason`", i + 1))?;
            let (path, at) = match target.rsplit_once(':') {
                Some((path, n)) => {
                    let n = n.parse::<usize>().map_err(|_| {
                        format!("skip list line {}: bad line number in `{target}`", i + 1)
                    })?;
                    (path, Some(n))
                }
                None => (target, None),
            };
            if path.is_empty() || path.contains(char::is_whitespace) {
                return Err(format!("skip list line {}: bad path `{target}`", i + 1));
            }
            entries.push(SkipEntry {
                path: path.trim_end_matches('/').to_string(),
                line: at,
                reason: reason.to_string(),
            });
        }
        Ok(SkipList { entries })
    }

    /// The entry that skips a failure of the directive at `line` of `file`
    /// (`<dir>/<name>`), if any.
    pub fn lookup(&self, file: &str, line: usize) -> Option<&SkipEntry> {
        self.entries.iter().find(|e| {
            let path_matches = e.path == file
                || file
                    .strip_prefix(e.path.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
            path_matches && e.line.is_none_or(|l| l == line)
        })
    }

    /// Entries that name `file` or a line of it (not directories).
    pub fn entries_for_file<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a SkipEntry> {
        self.entries.iter().filter(move |e| e.path == file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let list = SkipList::parse(
            "# comment\n\
             \n\
             proposals/simd # not implemented yet: simd\n\
             wasm-v2/names.wast:12 # reason two\n\
             wasm-v2/align.wast   #  whole file  \n",
        )
        .expect("parses");
        assert_eq!(list.entries.len(), 3);
        assert_eq!(
            list.lookup("proposals/simd/simd_lane.wast", 7)
                .map(|e| e.reason.as_str()),
            Some("not implemented yet: simd")
        );
        assert!(list.lookup("proposals/simdx/a.wast", 7).is_none());
        assert!(list.lookup("wasm-v2/names.wast", 12).is_some());
        assert!(list.lookup("wasm-v2/names.wast", 13).is_none());
        assert!(list.lookup("wasm-v2/align.wast", 99).is_some());
        assert_eq!(list.entries_for_file("wasm-v2/names.wast").count(), 1);
    }

    #[test]
    fn entries_need_reasons() {
        assert!(SkipList::parse("wasm-v2/i32.wast\n").is_err());
        assert!(SkipList::parse("wasm-v2/i32.wast #   \n").is_err());
        assert!(SkipList::parse("wasm-v2/i32.wast:x # r\n").is_err());
    }
}
