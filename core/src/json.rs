//! JSON with positions: every value remembers where it stood in the text.
//!
//! `serde_json` forgets positions and keeps only the last of two duplicate keys. Policy errors
//! must name a line and column, and a duplicate key in a policy is an error AWS reports, so
//! polcheck reads JSON through [`parse`], which keeps every member in order with its span. The
//! grammar is strict JSON (RFC 8259): no comments, no trailing commas. The tokenizer is the
//! `jsonc-parser` crate with every extension switched off; this module turns its tree into an
//! owned [`Json`] and maps byte offsets to [`Position`]s.
//!
//! ```
//! use polcheck_core::json;
//! let doc = json::parse("{\n  \"Effect\": \"Allow\"\n}").unwrap();
//! let (key, value) = doc.root.members().unwrap().first().map(|m| (&m.key, &m.value)).unwrap();
//! assert_eq!(key, "Effect");
//! assert_eq!(doc.position(value.span.start).line, 2);
//! assert_eq!(doc.position(value.span.start).column, 13);
//! ```

use std::fmt;

/// Deepest nesting of arrays and objects accepted. Real policies and exports nest fewer than
/// 20 levels; the limit keeps a hostile `[[[[...` from exhausting the stack.
pub const MAX_DEPTH: usize = 128;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number, starting at 1, in characters.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A byte range of the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

/// What a JSON value is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written so that no precision is lost.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in document order, duplicates included.
    Object(Vec<Member>),
}

/// One member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Where the key stands.
    pub key_span: Span,
    /// The member's value.
    pub value: Json,
}

/// A JSON value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// The value.
    pub kind: JsonKind,
    /// Where it stands in the text.
    pub span: Span,
}

impl Json {
    /// The members, when this is an object.
    pub fn members(&self) -> Option<&[Member]> {
        match &self.kind {
            JsonKind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The first member named `key`, when this is an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.members()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// The string, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, when this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.kind {
            JsonKind::Array(a) => Some(a),
            _ => None,
        }
    }

    /// `true` for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, JsonKind::Null)
    }

    /// The name of this value's type, as error messages say it.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }

    /// The scalar as text: strings as they are, numbers as written, booleans as `true`/`false`.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            JsonKind::String(s) | JsonKind::Number(s) => Some(s.clone()),
            JsonKind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Converts to a `serde_json::Value` (the last of duplicate keys wins, as serde does).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            JsonKind::Null => Value::Null,
            JsonKind::Bool(b) => Value::Bool(*b),
            JsonKind::Number(n) => serde_json::from_str(n).unwrap_or(Value::String(n.clone())),
            JsonKind::String(s) => Value::String(s.clone()),
            JsonKind::Array(a) => Value::Array(a.iter().map(Json::to_serde).collect()),
            JsonKind::Object(m) => Value::Object(
                m.iter()
                    .map(|m| (m.key.clone(), m.value.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// What is wrong with an object's keys: see [`check_keys`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum KeyProblem<'a> {
    /// The member repeats the key of an earlier one.
    Duplicate(&'a Member),
    /// The member's key is not among the allowed ones.
    Unknown(&'a Member),
}

/// The first member, in document order, whose key repeats an earlier one or is not in
/// `allowed` (an empty `allowed` accepts any key). Linear in the number of members.
///
/// ```
/// use polcheck_core::json::{self, check_keys, KeyProblem};
/// let doc = json::parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
/// let members = doc.root.members().unwrap();
/// assert!(matches!(check_keys(members, &[]), Some(KeyProblem::Duplicate(m)) if m.key == "a"));
/// assert!(matches!(check_keys(members, &["a"]), Some(KeyProblem::Unknown(m)) if m.key == "b"));
/// ```
pub fn check_keys<'a>(members: &'a [Member], allowed: &[&str]) -> Option<KeyProblem<'a>> {
    // Objects of a policy have a handful of members: comparing with the earlier ones costs
    // less than a hash set's allocation.
    const FEW: usize = 16;
    let mut seen = std::collections::HashSet::new();
    members.iter().enumerate().find_map(|(i, m)| {
        let repeated = if members.len() <= FEW {
            members
                .get(..i)
                .is_some_and(|before| before.iter().any(|b| b.key == m.key))
        } else {
            !seen.insert(m.key.as_str())
        };
        if repeated {
            Some(KeyProblem::Duplicate(m))
        } else if !allowed.is_empty() && !allowed.contains(&m.key.as_str()) {
            Some(KeyProblem::Unknown(m))
        } else {
            None
        }
    })
}

/// A parsed text: its root value and the table that turns offsets into positions.
#[derive(Debug, Clone)]
pub struct Document {
    /// The root value.
    pub root: Json,
    lines: LineIndex,
}

impl Document {
    /// A document from a value and the line table of the text it was read from (for a value
    /// taken out of a larger document, such as a world written inline in a test suite).
    pub fn from_parts(root: Json, lines: LineIndex) -> Document {
        Document { root, lines }
    }

    /// The line and column of a byte offset of the parsed text.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(offset)
    }

    /// The table of line starts, to be kept alongside values taken out of the document.
    pub fn line_index(&self) -> &LineIndex {
        &self.lines
    }
}

/// The start offset of every line of a text, to turn byte offsets into [`Position`]s.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Characters before every [`MARK`]-th byte, so a column costs at most `MARK` bytes of
    /// counting even on a single 50 MB line (as `aws` prints with `--output json` piped).
    /// Empty for an ASCII text, where a byte is a character.
    marks: Vec<usize>,
    /// The text, kept to count characters; `None` for an ASCII text.
    text: Option<std::sync::Arc<str>>,
    /// The text's length in bytes.
    len: usize,
}

/// Spacing of the character-count marks of a [`LineIndex`].
const MARK: usize = 1024;

impl LineIndex {
    /// Builds the index of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        if text.is_ascii() {
            return LineIndex {
                starts,
                marks: Vec::new(),
                text: None,
                len: text.len(),
            };
        }
        let mut marks = Vec::with_capacity(text.len() / MARK + 1);
        let mut chars = 0;
        for chunk in text.as_bytes().chunks(MARK) {
            marks.push(chars);
            chars += chunk.iter().filter(|&&b| !is_continuation(b)).count();
        }
        marks.push(chars);
        LineIndex {
            starts,
            marks,
            text: Some(text.into()),
            len: text.len(),
        }
    }

    /// Characters in the text before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let Some(text) = &self.text else {
            return offset;
        };
        let block = offset / MARK;
        let base = self.marks.get(block).copied().unwrap_or(0);
        let tail = text
            .as_bytes()
            .get(block * MARK..offset)
            .unwrap_or_default();
        base + tail.iter().filter(|&&b| !is_continuation(b)).count()
    }

    /// The line and column of `offset` (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self.chars_before(offset) - self.chars_before(start.min(offset));
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {message}")]
pub struct JsonSyntaxError {
    /// What is wrong, in lowercase.
    pub message: String,
    /// Where.
    pub position: Position,
}

/// Parses strict JSON text into a [`Document`].
pub fn parse(text: &str) -> Result<Document, JsonSyntaxError> {
    let lines = LineIndex::new(text);
    if let Some(root) = fast::parse(text) {
        return Ok(Document { root, lines });
    }
    tokenized(text, lines)
}

/// The general reader (`jsonc-parser`), for every text the fast reader declines: it gives
/// the error messages and positions, so that the fast reader never has to.
fn tokenized(text: &str, lines: LineIndex) -> Result<Document, JsonSyntaxError> {
    if let Some(offset) = too_deep(text) {
        return Err(JsonSyntaxError {
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
            position: lines.position(offset),
        });
    }
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        JsonSyntaxError {
            message: lowercase_first(&e.kind().to_string()),
            position: lines.position(e.range().start),
        }
    })?;
    match parsed.value {
        Some(v) => Ok(Document {
            root: convert(v),
            lines,
        }),
        None => Err(JsonSyntaxError {
            message: "empty input: expected a JSON value".into(),
            position: lines.position(0),
        }),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The offset where nesting first exceeds [`MAX_DEPTH`], scanning outside strings.
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn span(r: jsonc_parser::common::Range) -> Span {
    Span {
        start: r.start,
        end: r.end,
    }
}

fn convert(v: jsonc_parser::ast::Value<'_>) -> Json {
    use jsonc_parser::ast::{ObjectPropName, Value};
    match v {
        Value::NullKeyword(n) => Json {
            kind: JsonKind::Null,
            span: span(n.range),
        },
        Value::BooleanLit(b) => Json {
            kind: JsonKind::Bool(b.value),
            span: span(b.range),
        },
        Value::NumberLit(n) => Json {
            kind: JsonKind::Number(n.value.to_string()),
            span: span(n.range),
        },
        Value::StringLit(s) => Json {
            kind: JsonKind::String(s.value.into_owned()),
            span: span(s.range),
        },
        Value::Array(a) => Json {
            kind: JsonKind::Array(a.elements.into_iter().map(convert).collect()),
            span: span(a.range),
        },
        Value::Object(o) => Json {
            span: span(o.range),
            kind: JsonKind::Object(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let (key, key_span) = match p.name {
                            ObjectPropName::String(s) => (s.value.into_owned(), span(s.range)),
                            ObjectPropName::Word(w) => (w.value.to_string(), span(w.range)),
                        };
                        Member {
                            key,
                            key_span,
                            value: convert(p.value),
                        }
                    })
                    .collect(),
            ),
        },
    }
}

/// A single-pass reader for the common case: strict JSON whose strings have no `\u` escape.
/// It builds the same tree as the general reader (same spans, same values) for every text
/// it accepts, and declines (`None`) everything else, errors included, which the general
/// reader then reads or reports. So it never needs an error message of its own.
pub(crate) mod fast {
    use super::{Json, JsonKind, Member, Span, MAX_DEPTH};

    pub(crate) fn parse(text: &str) -> Option<Json> {
        let mut r = Reader::new(text);
        r.ws();
        let root = r.value()?;
        r.ws();
        r.at_end().then_some(root)
    }

    /// The cursor, also used by the policy reader's own fast path.
    pub(crate) struct Reader<'a> {
        text: &'a str,
        bytes: &'a [u8],
        pub(crate) pos: usize,
        depth: usize,
    }

    /// A byte that would continue a word or a number (the general reader would read one
    /// longer token and refuse it).
    fn continues_token(b: u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b'+' | b'-') || b >= 0x80
    }

    impl<'a> Reader<'a> {
        pub(crate) fn new(text: &'a str) -> Reader<'a> {
            Reader {
                text,
                bytes: text.as_bytes(),
                pos: 0,
                depth: 0,
            }
        }

        pub(crate) fn at_end(&self) -> bool {
            self.pos == self.bytes.len()
        }

        pub(crate) fn peek(&self) -> Option<u8> {
            self.bytes.get(self.pos).copied()
        }

        /// Skips whitespace, then takes `b` if it is next.
        pub(crate) fn eat(&mut self, b: u8) -> bool {
            self.ws();
            let found = self.peek() == Some(b);
            if found {
                self.pos += 1;
            }
            found
        }

        /// The text of a number just read, or of a `true`/`false` word.
        pub(crate) fn slice(&self, start: usize) -> Option<&'a str> {
            self.text.get(start..self.pos)
        }

        pub(crate) fn ws(&mut self) {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
                self.pos += 1;
            }
        }

        pub(crate) fn value(&mut self) -> Option<Json> {
            let start = self.pos;
            let kind = match self.peek()? {
                b'{' => return self.object(),
                b'[' => return self.array(),
                b'"' => JsonKind::String(self.string()?),
                b't' => self.word(b"true", JsonKind::Bool(true))?,
                b'f' => self.word(b"false", JsonKind::Bool(false))?,
                b'n' => self.word(b"null", JsonKind::Null)?,
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                    JsonKind::Number(self.text.get(start..self.pos)?.to_string())
                }
                _ => return None,
            };
            Some(Json {
                kind,
                span: Span {
                    start,
                    end: self.pos,
                },
            })
        }

        pub(crate) fn word(&mut self, word: &[u8], kind: JsonKind) -> Option<JsonKind> {
            if self.bytes.get(self.pos..self.pos + word.len())? != word {
                return None;
            }
            self.pos += word.len();
            match self.peek() {
                Some(b) if continues_token(b) => None,
                _ => Some(kind),
            }
        }

        fn digits(&mut self) -> usize {
            let start = self.pos;
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            self.pos - start
        }

        /// RFC 8259's number grammar, nothing looser.
        pub(crate) fn number(&mut self) -> Option<()> {
            if self.peek() == Some(b'-') {
                self.pos += 1;
            }
            match self.peek()? {
                b'0' => self.pos += 1,
                b'1'..=b'9' => {
                    self.digits();
                }
                _ => return None,
            }
            if self.peek() == Some(b'.') {
                self.pos += 1;
                if self.digits() == 0 {
                    return None;
                }
            }
            if let Some(b'e' | b'E') = self.peek() {
                self.pos += 1;
                if let Some(b'+' | b'-') = self.peek() {
                    self.pos += 1;
                }
                if self.digits() == 0 {
                    return None;
                }
            }
            match self.peek() {
                Some(b) if continues_token(b) => None,
                _ => Some(()),
            }
        }

        /// A string without escapes at its opening quote, borrowed; declines any other.
        pub(crate) fn plain_string(&mut self) -> Option<&'a str> {
            if self.peek()? != b'"' {
                return None;
            }
            let rest = self.bytes.get(self.pos + 1..)?;
            let at = memchr::memchr2(b'"', b'\\', rest)?;
            if rest.get(at) != Some(&b'"') {
                return None;
            }
            let s = self.text.get(self.pos + 1..self.pos + 1 + at)?;
            self.pos += at + 2;
            Some(s)
        }

        /// A string at its opening quote, unescaped; declines `\u` and unknown escapes.
        pub(crate) fn string(&mut self) -> Option<String> {
            self.pos += 1;
            let rest = self.bytes.get(self.pos..)?;
            let at = memchr::memchr2(b'"', b'\\', rest)?;
            if rest.get(at) == Some(&b'"') {
                let s = self.text.get(self.pos..self.pos + at)?.to_string();
                self.pos += at + 1;
                return Some(s);
            }
            let mut out = String::new();
            loop {
                let rest = self.bytes.get(self.pos..)?;
                let at = memchr::memchr2(b'"', b'\\', rest)?;
                out.push_str(self.text.get(self.pos..self.pos + at)?);
                self.pos += at;
                if self.peek() == Some(b'"') {
                    self.pos += 1;
                    return Some(out);
                }
                self.pos += 1;
                out.push(match self.peek()? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{08}',
                    b'f' => '\u{0C}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return None,
                });
                self.pos += 1;
            }
        }

        fn enter(&mut self) -> Option<()> {
            self.depth += 1;
            (self.depth <= MAX_DEPTH).then_some(())
        }

        fn array(&mut self) -> Option<Json> {
            let start = self.pos;
            self.enter()?;
            self.pos += 1;
            self.ws();
            let mut items = Vec::new();
            if self.peek() == Some(b']') {
                self.pos += 1;
            } else {
                loop {
                    items.push(self.value()?);
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.ws();
                        }
                        b']' => {
                            self.pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            self.depth -= 1;
            Some(Json {
                kind: JsonKind::Array(items),
                span: Span {
                    start,
                    end: self.pos,
                },
            })
        }

        fn object(&mut self) -> Option<Json> {
            let start = self.pos;
            self.enter()?;
            self.pos += 1;
            self.ws();
            let mut members = Vec::new();
            if self.peek() == Some(b'}') {
                self.pos += 1;
            } else {
                loop {
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key_start = self.pos;
                    let key = self.string()?;
                    let key_span = Span {
                        start: key_start,
                        end: self.pos,
                    };
                    self.ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    self.ws();
                    let value = self.value()?;
                    members.push(Member {
                        key,
                        key_span,
                        value,
                    });
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.ws();
                        }
                        b'}' => {
                            self.pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            self.depth -= 1;
            Some(Json {
                kind: JsonKind::Object(members),
                span: Span {
                    start,
                    end: self.pos,
                },
            })
        }
    }
}

/// A JSON path such as `Statement[2].Condition.StringEqualz`, as error messages print it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct JsonPath(String);

impl JsonPath {
    /// The root (prints as `$` when alone).
    pub fn root() -> JsonPath {
        JsonPath(String::new())
    }

    /// This path followed by an object key.
    pub fn key(&self, key: &str) -> JsonPath {
        if self.0.is_empty() {
            JsonPath(key.to_string())
        } else {
            JsonPath(format!("{}.{}", self.0, key))
        }
    }

    /// This path followed by an array index.
    pub fn index(&self, i: usize) -> JsonPath {
        JsonPath(format!("{}[{}]", self.0, i))
    }

    /// This path followed by another (for documents embedded in strings).
    pub fn join(&self, inner: &JsonPath) -> JsonPath {
        match (self.0.is_empty(), inner.0.is_empty()) {
            (true, _) => inner.clone(),
            (_, true) => self.clone(),
            _ if inner.0.starts_with('[') => JsonPath(format!("{}{}", self.0, inner.0)),
            _ => JsonPath(format!("{}.{}", self.0, inner.0)),
        }
    }

    /// The path as text; empty for the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("$")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// Seeded one- and two-byte mutations of a text (replace, insert or remove a byte of
/// `alphabet`), repeatable, for the tests that hold a fast reader to the general one.
#[cfg(test)]
pub(crate) struct Mutations {
    seed: u64,
    alphabet: &'static [u8],
}

#[cfg(test)]
impl Mutations {
    pub(crate) fn new(seed: u64, alphabet: &'static [u8]) -> Mutations {
        Mutations { seed, alphabet }
    }

    /// A number below `n` (a linear congruential step).
    fn below(&mut self, n: usize) -> usize {
        self.seed = self
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.seed >> 33) as usize) % n
    }

    /// `text` with one or two bytes changed; `None` when the result is not UTF-8.
    pub(crate) fn next_of(&mut self, text: &str) -> Option<String> {
        let mut bytes = text.as_bytes().to_vec();
        for _ in 0..1 + self.below(2) {
            let at = self.below(bytes.len());
            let b = self.alphabet[self.below(self.alphabet.len())];
            match self.below(3) {
                0 => bytes[at] = b,
                1 => bytes.insert(at, b),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        String::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast reader gives the general reader's tree for every text it accepts: sample
    /// texts, then thousands of one-byte mutations of a policy (seeded, so repeatable).
    #[test]
    fn the_fast_reader_agrees_with_the_general_one() {
        let check = |text: &str| {
            let general = tokenized(text, LineIndex::new(text)).map(|d| d.root);
            if let Some(v) = fast::parse(text) {
                assert_eq!(Ok(&v), general.as_ref(), "{text:?}");
            }
            general.is_ok()
        };
        for t in [
            "{}",
            "[]",
            "0",
            "-0",
            "1.5e3",
            "-12.25E-2",
            "true",
            "null",
            " [1, 2 ,3] ",
            r#"{"a":"b\"c\\d\/e\n"}"#,
            r#""\u0041""#,
            "01",
            "1.",
            "-",
            "+1",
            ".5",
            "1e",
            "[1,]",
            "{\"a\":1,}",
            "[1 2]",
            "{\"a\" 1}",
            "truex",
            "nul",
            "[tru]",
            "\u{feff}{}",
            "{\"é\": \"ü\"}",
            "[\"a\tb\"]",
            "\"abc",
            "[[[]]]",
            "1 2",
            "{\"a\":1}}",
            "[1]]",
            r#"{"a":'b'}"#,
            "[1,,2]",
            "{,}",
            "[-01]",
            "[1e+]",
            "[\"\\x\"]",
            "{\"a\":1 \"b\":2}",
        ] {
            check(t);
        }
        let base = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "a\"b", "Effect": "Allow",
 "Action": ["s3:Get*", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*",
 "Condition": {"NumericLessThan": {"s3:max-keys": 10.5}, "Bool": {"aws:SecureTransport": true}, "Null": {"k": null}}}]}"#;
        assert!(fast::parse(base).is_some());
        let alphabet = b"{}[]:,\"\\ \n\tabeflnrstu0123456789-+.E";
        let mut mutate = Mutations::new(0x5eed, alphabet);
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..20_000 {
            let Some(text) = mutate.next_of(base) else {
                continue;
            };
            if check(&text) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(accepted > 1000 && refused > 1000, "{accepted} / {refused}");
    }

    #[test]
    fn keeps_duplicate_keys_in_order() {
        let doc = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        let keys: Vec<_> = doc.root.members().unwrap().iter().map(|m| &m.key).collect();
        assert_eq!(keys, ["a", "a"]);
    }

    #[test]
    fn rejects_trailing_commas_and_comments() {
        assert!(parse("[1,]").is_err());
        assert!(parse("// c\n{}").is_err());
        assert!(parse("{'a': 1}").is_err());
    }

    #[test]
    fn reports_position_of_syntax_error() {
        let err = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!(err.position.line, 2);
    }

    #[test]
    fn empty_text_is_an_error() {
        let err = parse("  ").unwrap_err();
        assert!(err.message.contains("empty"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let text = "[".repeat(100_000);
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nesting"), "{}", err.message);
        assert_eq!(err.position.column, MAX_DEPTH as u32 + 1);
    }

    #[test]
    fn columns_count_characters() {
        let doc = parse("{\"é\": \"x\"}").unwrap();
        let v = doc.root.get("é").unwrap();
        assert_eq!(doc.position(v.span.start).column, 7);
    }

    #[test]
    fn columns_on_one_long_line_are_cheap_and_right() {
        let text = format!("[{}\"é\", 1]", "\"ab\", ".repeat(100_000));
        let lines = LineIndex::new(&text);
        let offset = text.len() - 3;
        assert_eq!(
            lines.position(offset).column as usize,
            text[..offset].chars().count() + 1
        );
        // Right everywhere, by a slow count from the line's start (sampled: the slow count
        // is quadratic).
        for offset in (0..text.len()).step_by(9_973) {
            if !text.is_char_boundary(offset) {
                continue;
            }
            assert_eq!(
                lines.position(offset).column as usize,
                text[..offset].chars().count() + 1,
                "at {offset}"
            );
        }
        // Cheap by construction, not by a clock: a character count is kept every `MARK`
        // bytes, so a query counts at most `MARK` bytes on top of its checkpoint (the
        // quadratic scan from the line's start that this replaced took minutes on one-line
        // exports).
        assert_eq!(lines.marks.len(), text.len() / MARK + 2);
    }

    #[test]
    fn paths_print_like_aws_documents() {
        let p = JsonPath::root()
            .key("Statement")
            .index(2)
            .key("Condition")
            .key("StringEqualz");
        assert_eq!(p.to_string(), "Statement[2].Condition.StringEqualz");
        assert_eq!(JsonPath::root().to_string(), "$");
    }
}
