//! The WebAssembly text format as plain s-expressions, for mutating seed
//! components by structure (a canonical option list, a type, a core
//! function reference) rather than by bytes.
//!
//! Input: `.wat` text. Output: a tree of atoms and lists that prints back
//! to equivalent text. Comments are dropped; strings stay single atoms
//! (quotes included), so a name with blanks or parentheses survives.

use std::fmt::Write as _;

/// One node: an atom (keyword, `$id`, number, `"string"`) or a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sexp {
    Atom(String),
    List(Vec<Sexp>),
}

impl Sexp {
    pub fn atom(s: &str) -> Sexp {
        Sexp::Atom(s.to_string())
    }

    /// Parses `text` (one or more s-expressions) into a list of trees.
    pub fn parse_all(text: &str) -> Result<Vec<Sexp>, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let mut out = Vec::new();
        loop {
            p.skip_blank()?;
            if p.i >= p.s.len() {
                return Ok(out);
            }
            out.push(p.node()?);
        }
    }

    /// The head keyword of a list (`canon` in `(canon lift ...)`).
    pub fn head(&self) -> Option<&str> {
        match self {
            Sexp::List(items) => match items.first() {
                Some(Sexp::Atom(a)) => Some(a),
                _ => None,
            },
            Sexp::Atom(_) => None,
        }
    }

    pub fn is_atom(&self, s: &str) -> bool {
        matches!(self, Sexp::Atom(a) if a == s)
    }

    pub fn items(&self) -> &[Sexp] {
        match self {
            Sexp::List(items) => items,
            Sexp::Atom(_) => &[],
        }
    }

    /// Prints the tree back as text (one line per top-level list item of
    /// a component or module, to keep error offsets readable).
    pub fn print(&self) -> String {
        let mut out = String::new();
        self.print_into(&mut out, 0);
        out
    }

    fn print_into(&self, out: &mut String, depth: usize) {
        match self {
            Sexp::Atom(a) => out.push_str(a),
            Sexp::List(items) => {
                let block = matches!(self.head(), Some("component" | "module"));
                out.push('(');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        if block && matches!(item, Sexp::List(_)) {
                            let _ = write!(out, "\n{:width$}", "", width = 2 * (depth + 1));
                        } else {
                            out.push(' ');
                        }
                    }
                    item.print_into(out, depth + 1);
                }
                out.push(')');
            }
        }
    }

    /// Visits every list node, depth first, with its path of child
    /// indices from `self`.
    pub fn lists(&self, path: &mut Vec<usize>, f: &mut dyn FnMut(&[usize], &Sexp)) {
        if let Sexp::List(items) = self {
            f(path, self);
            for (i, item) in items.iter().enumerate() {
                path.push(i);
                item.lists(path, f);
                path.pop();
            }
        }
    }

    /// The node at `path`.
    pub fn at_mut(&mut self, path: &[usize]) -> Option<&mut Sexp> {
        let mut node = self;
        for &i in path {
            node = match node {
                Sexp::List(items) => items.get_mut(i)?,
                Sexp::Atom(_) => return None,
            };
        }
        Some(node)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_blank(&mut self) -> Result<(), String> {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b' ' | b'\t' | b'\n' | b'\r' => self.i += 1,
                b';' if self.s.get(self.i + 1) == Some(&b';') => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'(' if self.s.get(self.i + 1) == Some(&b';') => self.block_comment()?,
                _ => break,
            }
        }
        Ok(())
    }

    /// Skips a `(; ... ;)` comment, nested ones included.
    fn block_comment(&mut self) -> Result<(), String> {
        let mut depth = 0usize;
        while self.i < self.s.len() {
            if self.s[self.i..].starts_with(b"(;") {
                depth += 1;
                self.i += 2;
            } else if self.s[self.i..].starts_with(b";)") {
                depth -= 1;
                self.i += 2;
                if depth == 0 {
                    return Ok(());
                }
            } else {
                self.i += 1;
            }
        }
        Err("unterminated block comment".into())
    }

    fn node(&mut self) -> Result<Sexp, String> {
        match self.s.get(self.i) {
            Some(b'(') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_blank()?;
                    match self.s.get(self.i) {
                        Some(b')') => {
                            self.i += 1;
                            return Ok(Sexp::List(items));
                        }
                        Some(_) => items.push(self.node()?),
                        None => return Err("unbalanced parentheses".into()),
                    }
                }
            }
            Some(b')') => Err(format!("unexpected `)` at byte {}", self.i)),
            Some(_) => Ok(Sexp::Atom(self.atom()?)),
            None => Err("unexpected end of text".into()),
        }
    }

    fn atom(&mut self) -> Result<String, String> {
        let start = self.i;
        let mut in_string = false;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if in_string {
                match c {
                    b'\\' => self.i += 1,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else {
                match c {
                    b'"' => in_string = true,
                    b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' => break,
                    _ => {}
                }
            }
            self.i += 1;
        }
        if in_string {
            return Err("unterminated string".into());
        }
        String::from_utf8(self.s[start..self.i].to_vec()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::Sexp;

    #[test]
    fn round_trips_through_text() {
        let text = r#"(component ;; c
          (; block (; nested ;) ;) (core module $m (func (export "a b") (param i32)))
          (core instance $i (instantiate $m))
          (func (export "f") (param "x" u32)
            (canon lift (core func $i "a b") string-encoding=utf8)))"#;
        let tree = Sexp::parse_all(text).unwrap();
        assert_eq!(tree.len(), 1);
        let printed = tree[0].print();
        assert!(printed.contains(r#"(export "a b")"#), "{printed}");
        assert!(!printed.contains("nested"), "{printed}");
        assert_eq!(Sexp::parse_all(&printed).unwrap(), tree);
        assert_eq!(
            wat::parse_str(text).unwrap(),
            wat::parse_str(&printed).unwrap()
        );
    }

    #[test]
    fn refuses_unbalanced_text() {
        assert!(Sexp::parse_all("(component (core module)").is_err());
        assert!(Sexp::parse_all("(a \"b)").is_err());
    }
}
