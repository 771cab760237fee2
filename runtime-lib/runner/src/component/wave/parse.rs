//! WAVE text -> an untyped tree: the lexer and parser of the invoke string
//! `name(arg, ...)` of `kiln run --invoke` for components.
//!
//! Phase: start-up of a component executable, before instantiation (as
//! Wasmtime parses the invoke string before it instantiates). Input: the
//! invoke string. Output: a [`FuncCall`] (the name's byte range and the
//! argument tuple as a [`Node`] tree holding byte ranges into the source),
//! or a [`ParseError`] worded and placed (`at start..end`) as the WAVE
//! reference implementation that Wasmtime uses words it.
//!
//! Grammar (WAVE README): whitespace and `//` comments between tokens;
//! numbers `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)?` and `-inf`;
//! labels `%?word(-word)*` (a word is one case of ASCII letters and digits,
//! starting with a letter for the first); chars `'c'` and strings `"..."`
//! with the escapes `\' \" \\ \t \n \r \u{X..}`; multi-line strings
//! `"""`; `( )` tuples, `[ ]` lists, `{a: v}` records, `{:}` the empty
//! record, `{a, b}` flags; `some(v)`, `none`, `ok`, `ok(v)`, `err`,
//! `err(v)`; `label` and `label(v)` for enums and variant cases. The
//! function name is `ns:pkg/` (optional) `label` (`.label` optional)
//! (`@x.y.z` optional), immediately at the start of the string.
//!
//! Invariant: node ranges are char boundaries of the source.

use std::ops::Range;

/// A byte range of the source.
pub type Span = Range<usize>;

/// Deepest nesting of values (the reference's `MAX_DEPTH`).
const MAX_DEPTH: usize = 100;

/// Kinds of parse (and value conversion) errors, with the reference's
/// wording.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `()` as a value.
    EmptyTuple,
    /// A char literal of more than one char.
    MultipleChars,
    /// An escape naming no scalar value.
    InvalidEscape,
    /// A malformed `"""` string.
    InvalidMultilineString,
    /// Too many or too few arguments.
    InvalidParams,
    /// Text that is no token.
    InvalidToken,
    /// A value of the wrong shape for its type.
    InvalidType,
    /// A number out of range or not of the type's kind.
    InvalidValue,
    /// Input after the call.
    TrailingCharacters,
    /// The input ended early.
    UnexpectedEnd,
    /// A token where another was needed.
    UnexpectedToken,
    /// A record field given twice.
    DuplicateField,
    /// A flag given twice.
    DuplicateFlag,
    /// A value the type rejects (with a cause).
    WasmValueError,
    /// Deeper than [`MAX_DEPTH`].
    NestingTooDeep,
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorKind::EmptyTuple => "empty tuple",
            ErrorKind::MultipleChars => "multiple characters in char value",
            ErrorKind::InvalidEscape => "invalid character escape",
            ErrorKind::InvalidMultilineString => "invalid multiline string",
            ErrorKind::InvalidParams => "invalid params",
            ErrorKind::InvalidToken => "invalid token",
            ErrorKind::InvalidType => "invalid value type",
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::TrailingCharacters => "trailing characters after value",
            ErrorKind::UnexpectedEnd => "unexpected end of input",
            ErrorKind::UnexpectedToken => "unexpected token",
            ErrorKind::DuplicateField => "duplicate field",
            ErrorKind::DuplicateFlag => "duplicate flag",
            ErrorKind::WasmValueError => "error converting Wasm value",
            ErrorKind::NestingTooDeep => "value nesting too deep",
        })
    }
}

/// A parse or conversion error: kind, place, and an optional detail
/// (printed after the kind) or cause (printed after the kind and again as
/// the next line of the error chain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where.
    pub span: Span,
    /// Extra words on the same line.
    pub detail: Option<String>,
    /// A cause, also its own line of the chain.
    pub cause: Option<String>,
}

impl ParseError {
    /// An error without detail.
    pub fn new(kind: ErrorKind, span: Span) -> ParseError {
        ParseError {
            kind,
            span,
            detail: None,
            cause: None,
        }
    }

    /// An error with a detail.
    pub fn detail(kind: ErrorKind, span: Span, detail: impl Into<String>) -> ParseError {
        ParseError {
            detail: Some(detail.into()),
            ..ParseError::new(kind, span)
        }
    }

    /// A value conversion error caused by `cause`.
    pub fn value(span: Span, cause: impl Into<String>) -> ParseError {
        ParseError {
            cause: Some(cause.into()),
            ..ParseError::new(ErrorKind::WasmValueError, span)
        }
    }

    /// The lines this error adds to an error chain.
    pub fn chain(&self) -> Vec<String> {
        let Span { start, end } = self.span;
        match (&self.cause, &self.detail) {
            (Some(c), _) => vec![format!("{}: {c} at {start}..{end}", self.kind), c.clone()],
            (None, Some(d)) => vec![format!("{}: {d} at {start}..{end}", self.kind)],
            (None, None) => vec![format!("{} at {start}..{end}", self.kind)],
        }
    }
}

/// A token kind.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// `{`
    BraceOpen,
    /// `}`
    BraceClose,
    /// `(`
    ParenOpen,
    /// `)`
    ParenClose,
    /// `[`
    BracketOpen,
    /// `]`
    BracketClose,
    /// `:`
    Colon,
    /// `,`
    Comma,
    /// A number, `-inf`.
    Number,
    /// A label or keyword.
    LabelOrKeyword,
    /// `'c'`
    Char,
    /// `"..."`
    String,
    /// `"""..."""`
    MultilineString,
}

impl std::fmt::Display for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

/// The value lexer: yields tokens with their spans, or the span of text
/// that is no token.
#[derive(Clone)]
struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    span: Span,
}

fn is_lower_word(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn is_upper_word(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// Length of the longest label at the start of `s` (0 if none).
fn label_len(s: &[u8]) -> usize {
    let word = |from: usize, first: bool| -> usize {
        let Some(&c) = s.get(from) else { return 0 };
        let class: fn(u8) -> bool = if c.is_ascii_lowercase() || (!first && c.is_ascii_digit()) {
            // A digit-first word takes whichever case follows; lower is
            // tried first, then upper (the longer wins).
            is_lower_word
        } else if c.is_ascii_uppercase() {
            is_upper_word
        } else {
            return 0;
        };
        let n = s[from..].iter().take_while(|b| class(**b)).count();
        if !first && c.is_ascii_digit() {
            let m = s[from..].iter().take_while(|b| is_upper_word(**b)).count();
            return n.max(m);
        }
        n
    };
    let mut end = word(0, true);
    if end == 0 {
        return 0;
    }
    while s.get(end) == Some(&b'-') {
        let n = word(end + 1, false);
        if n == 0 {
            break;
        }
        end += 1 + n;
    }
    end
}

/// Length of the longest number at the start of `s` (0 if none).
fn number_len(s: &[u8]) -> usize {
    if s.starts_with(b"-inf") {
        return 4;
    }
    let digits = |from: usize| {
        s[from.min(s.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut i = usize::from(s.first() == Some(&b'-'));
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(i),
        _ => return 0,
    }
    if s.get(i) == Some(&b'.') && digits(i + 1) > 0 {
        i += 1 + digits(i + 1);
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(s.get(i + 1), Some(b'+' | b'-')));
        let n = digits(i + 1 + sign);
        if n > 0 {
            i += 1 + sign + n;
        }
    }
    i
}

/// Length of the escape at the start of `s` as the lexer accepts it
/// (`\['"tnr\\]` or `\u{1-6 hex}`), 0 if none.
fn escape_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.first() != Some(&b'\\') {
        return 0;
    }
    match b.get(1) {
        Some(b'\'' | b'"' | b't' | b'n' | b'r' | b'\\') => 2,
        Some(b'u') if b.get(2) == Some(&b'{') => {
            let n = b[3..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if (1..=6).contains(&n) && b.get(3 + n) == Some(&b'}') {
                4 + n
            } else {
                0
            }
        }
        _ => 0,
    }
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, pos: usize) -> Lexer<'a> {
        Lexer {
            src,
            pos,
            span: pos..pos,
        }
    }

    fn skip_trivia(&mut self) {
        let b = self.src.as_bytes();
        loop {
            while matches!(b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
            if b[self.pos..].starts_with(b"//") {
                self.pos += b[self.pos..].iter().take_while(|c| **c != b'\n').count();
                continue;
            }
            return;
        }
    }

    /// The next token, `Some(Err(span))` for text that is no token, `None`
    /// at the end.
    fn next(&mut self) -> Option<Result<Tok, Span>> {
        self.skip_trivia();
        let start = self.pos;
        let rest = &self.src[start..];
        let b = rest.as_bytes();
        let first = *b.first()?;
        let one = |t| Some((t, 1));
        let found: Option<(Tok, usize)> = match first {
            b'{' => one(Tok::BraceOpen),
            b'}' => one(Tok::BraceClose),
            b'(' => one(Tok::ParenOpen),
            b')' => one(Tok::ParenClose),
            b'[' => one(Tok::BracketOpen),
            b']' => one(Tok::BracketClose),
            b':' => one(Tok::Colon),
            b',' => one(Tok::Comma),
            b'-' | b'0'..=b'9' => Some((Tok::Number, number_len(b))).filter(|t| t.1 > 0),
            b'%' => Some((Tok::LabelOrKeyword, 1 + label_len(&b[1..]))).filter(|t| t.1 > 1),
            b'a'..=b'z' | b'A'..=b'Z' => Some((Tok::LabelOrKeyword, label_len(b))),
            b'\'' => match self.char_literal(rest) {
                Ok(n) => Some((Tok::Char, n)),
                Err(n) => {
                    self.pos = start + n;
                    self.span = start..start + n;
                    return Some(Err(start..start + n));
                }
            },
            b'"' if rest.starts_with("\"\"\"") => rest[3..]
                .find("\"\"\"")
                .map(|end| (Tok::MultilineString, end + 6)),
            b'"' => string_len(rest).map(|n| (Tok::String, n)),
            _ => None,
        };
        match found {
            Some((tok, n)) => {
                self.pos = start + n;
                self.span = start..self.pos;
                Some(Ok(tok))
            }
            None => {
                let n = rest.chars().next().map_or(1, char::len_utf8);
                self.pos = start + n;
                self.span = start..self.pos;
                Some(Err(self.span.clone()))
            }
        }
    }

    /// A char literal at the start of `rest`: its length, or the length of
    /// the error span (the whole literal when it holds several chars).
    fn char_literal(&self, rest: &str) -> Result<usize, usize> {
        let inner = &rest[1..];
        let esc = escape_len(inner);
        if esc > 0 {
            return if inner[esc..].starts_with('\'') {
                Ok(esc + 2)
            } else {
                Err(1)
            };
        }
        for (count, (i, c)) in inner.char_indices().enumerate() {
            if c == '\'' && count > 0 {
                // 1 to 4 chars matched the literal's pattern; only one is
                // a valid char.
                return if count == 1 { Ok(i + 2) } else { Err(i + 2) };
            }
            if c == '\\' || c == '\'' || c == '\n' || count == 4 {
                break;
            }
        }
        Err(1)
    }
}

/// Length of the string literal at the start of `rest`, if it is one.
fn string_len(rest: &str) -> Option<usize> {
    let mut i = 1;
    loop {
        let c = rest[i..].chars().next()?;
        match c {
            '"' => return Some(i + 1),
            '\n' => return None,
            '\\' => {
                let n = escape_len(&rest[i..]);
                if n == 0 {
                    return None;
                }
                i += n;
            }
            c => i += c.len_utf8(),
        }
    }
}

/// What a [`Node`] is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// `true`
    BoolTrue,
    /// `false`
    BoolFalse,
    /// A number, `inf`, `-inf`, `nan`.
    Number,
    /// A char literal (span includes quotes).
    Char,
    /// A string literal (span includes quotes).
    String,
    /// A `"""` string (span includes delimiters).
    MultilineString,
    /// `(a, b)`: children are the elements.
    Tuple,
    /// `[a, b]`: children are the elements.
    List,
    /// `{f: v}`: children alternate label, value.
    Record,
    /// An enum case or payload-less variant case.
    Label,
    /// `case(v)`: children are the label and the payload.
    VariantWithPayload,
    /// `some(v)`: one child.
    OptionSome,
    /// `none`
    OptionNone,
    /// `ok`, `ok(v)`: zero or one child.
    ResultOk,
    /// `err`, `err(v)`: zero or one child.
    ResultErr,
    /// `{a, b}`: children are labels, sorted by name.
    Flags,
}

/// A node of the untyped tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Where it is.
    pub span: Span,
    /// Its parts (see [`NodeKind`]).
    pub children: Vec<Node>,
}

impl Node {
    fn leaf(kind: NodeKind, span: Span) -> Node {
        Node {
            kind,
            span,
            children: Vec::new(),
        }
    }

    /// The source text of the node.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.span.clone()]
    }

    /// A label's name without its `%`.
    pub fn label<'s>(&self, src: &'s str) -> &'s str {
        let t = self.text(src);
        t.strip_prefix('%').unwrap_or(t)
    }
}

/// A parsed `name(args)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncCall {
    /// The function name.
    pub name: Span,
    /// The argument tuple; `None` for `name()`.
    pub params: Option<Node>,
}

struct Parser<'a> {
    lex: Lexer<'a>,
    curr: Option<Tok>,
    depth: usize,
}

fn keyword(s: &str) -> bool {
    matches!(
        s,
        "true" | "false" | "some" | "none" | "ok" | "err" | "inf" | "nan"
    )
}

/// Whether `label` must be written `%label` (it is a WAVE keyword).
pub fn is_keyword(label: &str) -> bool {
    keyword(label)
}

impl<'a> Parser<'a> {
    fn src(&self) -> &'a str {
        self.lex.src
    }

    fn advance(&mut self) -> Result<Tok, ParseError> {
        match self.lex.next() {
            Some(Ok(t)) => {
                self.curr = Some(t);
                Ok(t)
            }
            Some(Err(span)) => Err(ParseError::new(ErrorKind::InvalidToken, span)),
            None => {
                let end = self.src().len();
                self.lex.span = end..end;
                Err(ParseError::new(ErrorKind::UnexpectedEnd, end..end))
            }
        }
    }

    fn span(&self) -> Span {
        self.lex.span.clone()
    }

    fn slice(&self) -> &'a str {
        &self.src()[self.span()]
    }

    fn next_is(&self, t: Tok) -> bool {
        self.lex.clone().next() == Some(Ok(t))
    }

    fn unexpected(&self) -> ParseError {
        let tok = self.curr.map_or(String::new(), |t| t.to_string());
        ParseError::detail(ErrorKind::UnexpectedToken, self.span(), tok)
    }

    fn expect(&self, t: Tok) -> Result<(), ParseError> {
        if self.curr == Some(t) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn finish(&mut self) -> Result<(), ParseError> {
        match self.lex.clone().next() {
            None => Ok(()),
            Some(r) => {
                let mut l = self.lex.clone();
                let span = match r {
                    Ok(_) => {
                        l.skip_trivia();
                        let _ = l.next();
                        l.span
                    }
                    Err(s) => s,
                };
                Err(ParseError::new(ErrorKind::TrailingCharacters, span))
            }
        }
    }

    fn node(&mut self) -> Result<Node, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::new(ErrorKind::NestingTooDeep, self.span()));
        }
        self.depth += 1;
        let r = self.node_inner();
        self.depth -= 1;
        r
    }

    fn node_inner(&mut self) -> Result<Node, ParseError> {
        let leaf = |p: &Self, k| Ok(Node::leaf(k, p.span()));
        match self.advance()? {
            Tok::Number => leaf(self, NodeKind::Number),
            Tok::Char => leaf(self, NodeKind::Char),
            Tok::String => leaf(self, NodeKind::String),
            Tok::MultilineString => leaf(self, NodeKind::MultilineString),
            Tok::ParenOpen => self.tuple(),
            Tok::BracketOpen => {
                let start = self.span().start;
                let children = self.comma_separated(Tok::BracketClose)?;
                Ok(Node {
                    kind: NodeKind::List,
                    span: start..self.span().end,
                    children,
                })
            }
            Tok::BraceOpen => self.record_or_flags(),
            Tok::LabelOrKeyword => match self.slice() {
                "true" => leaf(self, NodeKind::BoolTrue),
                "false" => leaf(self, NodeKind::BoolFalse),
                "inf" | "nan" => leaf(self, NodeKind::Number),
                "some" => {
                    let start = self.span().start;
                    self.advance()?;
                    self.expect(Tok::ParenOpen)?;
                    let payload = self.node()?;
                    self.advance()?;
                    self.expect(Tok::ParenClose)?;
                    Ok(Node {
                        kind: NodeKind::OptionSome,
                        span: start..self.span().end,
                        children: vec![payload],
                    })
                }
                "none" => leaf(self, NodeKind::OptionNone),
                "ok" => self.result(NodeKind::ResultOk),
                "err" => self.result(NodeKind::ResultErr),
                _ => self.label_maybe_payload(),
            },
            Tok::BraceClose | Tok::ParenClose | Tok::BracketClose | Tok::Colon | Tok::Comma => {
                Err(self.unexpected())
            }
        }
    }

    fn tuple(&mut self) -> Result<Node, ParseError> {
        let start = self.span().start;
        let children = self.comma_separated(Tok::ParenClose)?;
        let span = start..self.span().end;
        if children.is_empty() {
            return Err(ParseError::new(ErrorKind::EmptyTuple, span));
        }
        Ok(Node {
            kind: NodeKind::Tuple,
            span,
            children,
        })
    }

    fn comma_separated(&mut self, end: Tok) -> Result<Vec<Node>, ParseError> {
        let mut nodes = Vec::new();
        if self.next_is(end) {
            self.advance()?;
            return Ok(nodes);
        }
        loop {
            nodes.push(self.node()?);
            if self.advance()? == Tok::Comma {
                if self.next_is(end) {
                    self.advance()?;
                    break;
                }
            } else {
                self.expect(end)?;
                break;
            }
        }
        Ok(nodes)
    }

    fn result(&mut self, kind: NodeKind) -> Result<Node, ParseError> {
        let start = self.span().start;
        let mut children = Vec::new();
        if self.next_is(Tok::ParenOpen) {
            self.advance()?;
            children.push(self.node()?);
            self.advance()?;
            self.expect(Tok::ParenClose)?;
        }
        Ok(Node {
            kind,
            span: start..self.span().end,
            children,
        })
    }

    fn label(&mut self) -> Result<Node, ParseError> {
        self.expect(Tok::LabelOrKeyword)?;
        Ok(Node::leaf(NodeKind::Label, self.span()))
    }

    fn label_maybe_payload(&mut self) -> Result<Node, ParseError> {
        let start = self.span().start;
        let label = self.label()?;
        if !self.next_is(Tok::ParenOpen) {
            return Ok(label);
        }
        self.advance()?;
        let payload = self.node()?;
        self.advance()?;
        self.expect(Tok::ParenClose)?;
        Ok(Node {
            kind: NodeKind::VariantWithPayload,
            span: start..self.span().end,
            children: vec![label, payload],
        })
    }

    fn record_or_flags(&mut self) -> Result<Node, ParseError> {
        let start = self.span().start;
        let node = |p: &Self, kind, children| Node {
            kind,
            span: start..p.span().end,
            children,
        };
        match self.advance()? {
            Tok::Colon => {
                self.advance()?;
                self.expect(Tok::BraceClose)?;
                return Ok(node(self, NodeKind::Record, Vec::new()));
            }
            Tok::BraceClose => return Ok(node(self, NodeKind::Flags, Vec::new())),
            _ => {}
        }
        let record = self.next_is(Tok::Colon);
        let mut children: Vec<Node> = Vec::new();
        loop {
            let label = self.label()?;
            let name = label.label(self.src());
            let dup = if record {
                children
                    .iter()
                    .step_by(2)
                    .any(|l| l.label(self.src()) == name)
            } else {
                children.iter().any(|l| l.label(self.src()) == name)
            };
            if dup {
                let kind = if record {
                    ErrorKind::DuplicateField
                } else {
                    ErrorKind::DuplicateFlag
                };
                return Err(ParseError::detail(
                    kind,
                    label.span.clone(),
                    format!("{name:?}"),
                ));
            }
            children.push(label);
            if record {
                self.advance()?;
                self.expect(Tok::Colon)?;
                children.push(self.node()?);
            }
            if self.advance()? == Tok::Comma {
                self.advance()?;
            }
            if self.curr == Some(Tok::BraceClose) {
                break;
            }
        }
        if record {
            Ok(node(self, NodeKind::Record, children))
        } else {
            let src = self.src();
            children.sort_by(|a, b| a.label(src).cmp(b.label(src)));
            Ok(node(self, NodeKind::Flags, children))
        }
    }
}

/// Length of the function name at the start of `s`:
/// `(label:label/)?label(.label)?(@semver)?`, 0 if none.
fn func_name_len(s: &[u8]) -> usize {
    let mut i = 0;
    // Optional `ns:pkg/` prefix.
    let a = label_len(s);
    if a > 0 && s.get(a) == Some(&b':') {
        let b = label_len(&s[a + 1..]);
        if b > 0 && s.get(a + 1 + b) == Some(&b'/') {
            let c = label_len(&s[a + 2 + b..]);
            if c > 0 {
                i = a + 2 + b;
            }
        }
    }
    let n = label_len(&s[i..]);
    if n == 0 {
        return 0;
    }
    i += n;
    if s.get(i) == Some(&b'.') {
        let m = label_len(&s[i + 1..]);
        if m > 0 {
            i += 1 + m;
        }
    }
    if s.get(i) == Some(&b'@') {
        let v = semver_len(&s[i + 1..]);
        if v > 0 {
            i += 1 + v;
        }
    }
    i
}

/// Length of `N.N.N` (no leading zeros) at the start of `s`, 0 if none.
fn semver_len(s: &[u8]) -> usize {
    let mut i = 0;
    for part in 0..3 {
        if part > 0 {
            if s.get(i) != Some(&b'.') {
                return 0;
            }
            i += 1;
        }
        match s.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i += s[i..].iter().take_while(|b| b.is_ascii_digit()).count(),
            _ => return 0,
        }
    }
    i
}

/// Parses `name(args)` (see the module docs).
pub fn parse_func_call(src: &str) -> Result<FuncCall, ParseError> {
    let n = func_name_len(src.as_bytes());
    if src.is_empty() {
        return Err(ParseError::new(ErrorKind::UnexpectedEnd, 0..0));
    }
    if n == 0 {
        let c = src.chars().next().map_or(1, char::len_utf8);
        return Err(ParseError::new(ErrorKind::InvalidToken, 0..c));
    }
    let mut p = Parser {
        lex: Lexer::new(src, n),
        curr: None,
        depth: 0,
    };
    p.lex.span = 0..n;
    p.advance()?;
    p.expect(Tok::ParenOpen)?;
    let params = if p.next_is(Tok::ParenClose) {
        p.advance()?;
        None
    } else {
        Some(p.tuple()?)
    };
    p.finish()?;
    Ok(FuncCall { name: 0..n, params })
}

/// The value of a string node (escapes decoded, multi-line strings
/// dedented).
pub fn string_value(node: &Node, src: &str) -> Result<String, ParseError> {
    match node.kind {
        NodeKind::String => {
            let start = node.span.start + 1;
            unescape_str(&src[start..node.span.end - 1], start)
        }
        NodeKind::MultilineString => multiline(node, src),
        _ => Err(ParseError::new(ErrorKind::InvalidType, node.span.clone())),
    }
}

/// Decodes escapes in `s`, which starts at byte `pos` of the source.
fn unescape_str(s: &str, pos: usize) -> Result<String, ParseError> {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(j) = s[i..].find('\\') {
        out.push_str(&s[i..i + j]);
        i += j;
        let (c, n) = unescape(&s[i..])
            .ok_or_else(|| ParseError::new(ErrorKind::InvalidEscape, pos + i..pos + i + 1))?;
        out.push(c);
        i += n;
    }
    out.push_str(&s[i..]);
    Ok(out)
}

/// The escape at the start of `s`: its char and length.
pub fn unescape(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'\\') {
        return None;
    }
    Some(match *b.get(1)? {
        b'\\' => ('\\', 2),
        b'\'' => ('\'', 2),
        b'"' => ('"', 2),
        b't' => ('\t', 2),
        b'n' => ('\n', 2),
        b'r' => ('\r', 2),
        b'u' if b.get(2) == Some(&b'{') => {
            let digits = b[3..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if digits == 0 || digits > 6 || b.get(3 + digits) != Some(&b'}') {
                return None;
            }
            let v = u32::from_str_radix(&s[3..3 + digits], 16).ok()?;
            (char::from_u32(v)?, digits + 4)
        }
        _ => return None,
    })
}

/// A `"""` string: the first line break dropped, every line dedented by
/// the closing line's spaces, the last line break and the closing line
/// dropped.
fn multiline(node: &Node, src: &str) -> Result<String, ParseError> {
    let pos = node.span.start + 3;
    let end = node.span.end - 3;
    let inner = &src[pos..end];
    let bad = |span: Span, d: &str| {
        Err(ParseError::detail(
            ErrorKind::InvalidMultilineString,
            span,
            d,
        ))
    };
    let (body, mut next_pos) = match inner.strip_prefix('\r') {
        Some(b) => (b, pos + 2),
        None => (inner, pos + 1),
    };
    let mut lines: Vec<&str> = body.split('\n').collect();
    let indent = lines.pop().unwrap_or("");
    if indent.contains(|c| c != ' ') {
        return bad(
            end - 3..end,
            r#"closing """ must be on a line preceded only by spaces"#,
        );
    }
    let mut lines = lines.into_iter();
    if lines.next() != Some("") {
        return bad(
            pos..pos + 1,
            r#"opening """ must be followed immediately by newline"#,
        );
    }
    let mut out = String::new();
    for (k, line) in lines.enumerate() {
        let at = next_pos;
        next_pos += line.len() + 1;
        let Some(rest) = line.strip_prefix(indent) else {
            return bad(
                at..at + 1,
                r#"lines must be indented at least as much as closing """"#,
            );
        };
        if k > 0 {
            out.push('\n');
        }
        let rest = rest.strip_suffix('\r').unwrap_or(rest);
        out.push_str(&unescape_str(rest, at + indent.len())?);
    }
    Ok(out)
}
