//! SCIM filters (RFC 7644 §3.4.2.2): the grammar, its typed AST, a canonical `Display` that
//! re-parses to the same AST, evaluation over stored JSON resources, schema validation, and an
//! equality hint for indexed look-ups. Pure: no I/O, and no imports from the provider, the
//! registry or anything above `scim/`.
//!
//! Grammar accepted (ABNF keywords and attribute names are case-insensitive):
//!
//! ```text
//! FILTER    = orExp
//! orExp     = andExp *( "or" andExp )               ; left-associative
//! andExp    = unary *( "and" unary )                ; and binds tighter than or
//! unary     = "(" FILTER ")" / "not" *WSP "(" FILTER ")" / attrExp / valuePath
//! valuePath = attrPath "[" valFilter "]"            ; valFilter = FILTER without valuePath
//! attrExp   = attrPath 1*WSP "pr" / attrPath 1*WSP compareOp *WSP compValue
//! compValue = "true" / "false" / "null" / JSON number / JSON string
//! ```
//!
//! Whitespace is lenient: any run of spaces, tabs, CR or LF separates tokens. Inputs longer than
//! [`MAX_FILTER_LEN`] bytes, or nesting `(`, `not (` and `[` deeper than [`MAX_FILTER_DEPTH`]
//! levels, are refused with an `invalidFilter` error (never a stack overflow). `and`/`or` chains
//! build a left-leaning tree whose depth is bounded by the input length (at most ~1 000).
//!
//! Evaluation choices (RFC 7644 leaves them open; decided here):
//! * A missing attribute (or a path the schema does not know) matches nothing, except `ne`, which
//!   matches ("the value is not equal to x" holds when there is no value).
//! * `eq null` matches when the attribute is absent or empty, `ne null` when it is present
//!   (RFC 7643 §2.5: null is equivalent to unassigned).
//! * Multi-valued attributes match when ANY value matches. A complex attribute compared without a
//!   sub-attribute (`emails co "example.com"`) compares its `value` sub-attribute.
//! * Strings honour the attribute's `caseExact`; `dateTime` compares chronologically when both
//!   sides parse as RFC 3339 and falls back to string order otherwise; numbers compare by value;
//!   booleans support `eq`/`ne` only. A value of the wrong JSON type never equals (so `ne` holds).

use crate::scim::error::ScimError;
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, AttrType, Attribute, Resolved};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// Longest filter accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 8 * 1024;
/// Deepest nesting of `(`, `not (` and `[` accepted.
pub const MAX_FILTER_DEPTH: usize = 64;

/// A comparison operator of RFC 7644 §3.4.2.2, Table 3 (`pr` is [`Filter::Present`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains (substring).
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `ge`: greater than or equal.
    Ge,
    /// `lt`: less than.
    Lt,
    /// `le`: less than or equal.
    Le,
}

impl CompareOp {
    /// Every operator, in RFC order.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The lowercase keyword, e.g. `eq`.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// The operator spelled `word`, in any case.
    pub fn from_keyword(word: &str) -> Option<CompareOp> {
        CompareOp::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }

    /// `gt`, `ge`, `lt` or `le`.
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
        )
    }

    /// `co`, `sw` or `ew`.
    pub fn is_substring(self) -> bool {
        matches!(self, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
    }

    /// Whether two values standing in `ord` satisfy an `eq`/`ne`/ordering operator; the
    /// substring operators never hold on an ordering alone.
    fn holds(self, ord: Ordering) -> bool {
        match self {
            CompareOp::Eq => ord == Ordering::Equal,
            CompareOp::Ne => ord != Ordering::Equal,
            CompareOp::Gt => ord == Ordering::Greater,
            CompareOp::Ge => ord != Ordering::Less,
            CompareOp::Lt => ord == Ordering::Less,
            CompareOp::Le => ord != Ordering::Greater,
            CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
        }
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The literal on the right of a comparison (`compValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number.
    Number(Number),
    /// A JSON string, unescaped.
    Str(String),
}

impl CompValue {
    /// What kind of literal this is, for messages.
    fn kind(&self) -> &'static str {
        match self {
            CompValue::Null => "null",
            CompValue::Bool(_) => "a boolean",
            CompValue::Number(_) => "a number",
            CompValue::Str(_) => "a string",
        }
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::Str(s) => {
                let quoted = serde_json::to_string(s).map_err(|_| fmt::Error)?;
                f.write_str(&quoted)
            }
        }
    }
}

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `path op value`, e.g. `userName eq "bjensen"`.
    Compare {
        /// The attribute compared.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The literal compared with.
        value: CompValue,
    },
    /// `path pr`: the attribute has a non-empty value.
    Present(AttrPath),
    /// Both sides match.
    And(Box<Filter>, Box<Filter>),
    /// Either side matches.
    Or(Box<Filter>, Box<Filter>),
    /// The inner filter does not match.
    Not(Box<Filter>),
    /// `emails[type eq "work" and value co "@x"]`; `attr` has no sub; the inner filter's paths are
    /// relative to one element of the multi-valued attribute.
    ValuePath {
        /// The (complex, usually multi-valued) attribute whose elements are tested.
        attr: AttrPath,
        /// The filter one element must satisfy; contains no `ValuePath`.
        filter: Box<Filter>,
    },
}

/// A filter that does not parse: the byte offset of the problem, what was wrong, and the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at byte {pos}: {msg}")]
pub struct FilterError {
    /// Byte offset into `input` (always on a character boundary, at most `input.len()`).
    pub pos: usize,
    /// What was wrong there.
    pub msg: String,
    /// The filter as received.
    pub input: String,
}

impl FilterError {
    /// The message followed by the input (a window of it, for long inputs) on one line and a
    /// caret under the offending character on the next.
    pub fn render(&self) -> String {
        const WINDOW: usize = 40;
        let pos = floor_char_boundary(&self.input, self.pos);
        let (before, after) = self.input.split_at(pos);
        let before: Vec<char> = before.chars().collect();
        let skip = before.len().saturating_sub(WINDOW);
        let mut line = String::new();
        if skip > 0 {
            line.push('…');
        }
        line.extend(before.iter().skip(skip).map(|&c| printable(c)));
        let caret_col = line.chars().count();
        let mut rest = after.chars();
        line.extend(rest.by_ref().take(WINDOW).map(printable));
        if rest.next().is_some() {
            line.push('…');
        }
        format!("{self}\n  {line}\n  {}^", " ".repeat(caret_col))
    }
}

/// `c`, or a space when it would break the caret line.
fn printable(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// The largest character boundary of `s` at or below `pos`.
fn floor_char_boundary(s: &str, pos: usize) -> usize {
    let mut p = pos.min(s.len());
    while p > 0 && !s.is_char_boundary(p) {
        p -= 1;
    }
    p
}

impl From<FilterError> for ScimError {
    fn from(e: FilterError) -> Self {
        ScimError::invalid_filter(e.render())
    }
}

impl Filter {
    /// Parse a filter (RFC 7644 §3.4.2.2). Errors carry the byte offset of the problem.
    pub fn parse(input: &str) -> Result<Filter, FilterError> {
        let mut p = Parser {
            src: input,
            pos: 0,
            depth: 0,
            in_value_path: false,
        };
        if input.len() > MAX_FILTER_LEN {
            return Err(p.err(
                floor_char_boundary(input, MAX_FILTER_LEN),
                format!(
                    "the filter is {} bytes long; at most {MAX_FILTER_LEN} are accepted",
                    input.len()
                ),
            ));
        }
        let f = p.parse_or()?;
        p.skip_ws();
        match p.peek() {
            None => Ok(f),
            Some(b')') => Err(p.err(p.pos, "unbalanced ')': there is no '(' to close")),
            Some(b']') => Err(p.err(p.pos, "unbalanced ']': there is no '[' to close")),
            Some(_) => Err(p.err(
                p.pos,
                format!(
                    "expected 'and', 'or' or the end of the filter, found {}",
                    p.describe(p.pos)
                ),
            )),
        }
    }

    /// Whether `resource` (a stored resource: core attributes at the top level, extension
    /// attributes under their URN; keys compared case-insensitively) matches.
    pub fn matches(&self, resource: &Value, schema: &dyn AttrLookup) -> bool {
        eval(self, Scope::Resource(resource), schema)
    }

    /// Evaluate against ONE element of multi-valued attribute `parent` (used by PATCH valuePath
    /// `members[value eq "x"]`, `emails[type eq "work"]`): paths in self are sub-attributes of
    /// `parent`.
    pub fn matches_element(
        &self,
        element: &Value,
        parent: &AttrPath,
        schema: &dyn AttrLookup,
    ) -> bool {
        eval(self, Scope::Element(element, parent), schema)
    }

    /// Reject filters a server must refuse, as 400 `invalidFilter` (RFC 7644 §3.12: "the
    /// specified attribute and filter comparison combination is not supported"):
    /// * an attribute the schema does not define (and, inside `attr[...]`, a name that is not a
    ///   sub-attribute of `attr`, or one written with a URN or a dot);
    /// * `gt`/`ge`/`lt`/`le` on boolean or binary attributes (§3.4.2.2 SHALL) and on complex ones;
    /// * `co`/`sw`/`ew` on anything but string, reference and dateTime attributes;
    /// * a literal of the wrong type (`active eq "true"`, `userName eq 5`); `null` with anything
    ///   but `eq`/`ne`;
    /// * a complex attribute compared without a sub-attribute, unless it has a `value`
    ///   sub-attribute (then that is compared, as in `emails co "example.com"`);
    /// * a value path on a non-complex attribute, or nested inside another value path.
    ///
    /// Accepted although odd: `dateTime` literals that are not RFC 3339 (they compare as
    /// strings, so `meta.created sw "2024-"` works).
    pub fn validate(&self, schema: &dyn AttrLookup) -> Result<(), ScimError> {
        validate_in(self, schema, None)
    }

    /// Index hint for the provider: if the filter is `<attr> eq "<string>"` on `path` (names
    /// compared case-insensitively; the filter's path may be unqualified, qualified with the
    /// same URN as `path`, or — when `path` is unqualified — with a core schema URN), or an
    /// `and` where either side is, return that string. `members.value` hints also come from
    /// `members[value eq "x"]`. The hint only narrows candidates: the caller must still run
    /// [`Filter::matches`], which honours `caseExact`.
    pub fn equality_on(&self, path: &AttrPath) -> Option<&str> {
        match self {
            Filter::Compare {
                path: p,
                op: CompareOp::Eq,
                value: CompValue::Str(s),
            } if hint_path_matches(p, path) => Some(s),
            Filter::And(a, b) => a.equality_on(path).or_else(|| b.equality_on(path)),
            Filter::ValuePath { attr, filter } => {
                let sub = path.sub.as_ref()?;
                let top = AttrPath {
                    urn: path.urn.clone(),
                    attr: path.attr.clone(),
                    sub: None,
                };
                if attr.sub.is_none() && hint_path_matches(attr, &top) {
                    filter.equality_on(&AttrPath::attr(sub.clone()))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Write `self`, parenthesised when its precedence is below `ctx` (0 or, 1 and, 2 unary).
    fn fmt_prec(&self, f: &mut fmt::Formatter<'_>, ctx: u8) -> fmt::Result {
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {op} {value}"),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::Not(inner) => {
                f.write_str("not (")?;
                inner.fmt_prec(f, 0)?;
                f.write_str(")")
            }
            Filter::ValuePath { attr, filter } => {
                write!(f, "{attr}[")?;
                filter.fmt_prec(f, 0)?;
                f.write_str("]")
            }
            Filter::Or(l, r) => binary(f, ctx, 0, l, "or", r),
            Filter::And(l, r) => binary(f, ctx, 1, l, "and", r),
        }
    }
}

/// Write a left-associative binary expression of precedence `prec` in context `ctx`.
fn binary(
    f: &mut fmt::Formatter<'_>,
    ctx: u8,
    prec: u8,
    l: &Filter,
    kw: &str,
    r: &Filter,
) -> fmt::Result {
    let paren = ctx > prec;
    if paren {
        f.write_str("(")?;
    }
    l.fmt_prec(f, prec)?;
    write!(f, " {kw} ")?;
    r.fmt_prec(f, prec + 1)?;
    if paren {
        f.write_str(")")?;
    }
    Ok(())
}

impl fmt::Display for Filter {
    /// Canonical text: lowercase keywords, single spaces, JSON-escaped strings, and parentheses
    /// exactly where the AST differs from the default precedence and left associativity.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_prec(f, 0)
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Filter::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

/// Recursive-descent parser over the input's bytes; `pos` always sits on a char boundary.
struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
    in_value_path: bool,
}

/// Bytes an attribute path token may contain (`urn:…:2.0:User:manager.value`, `$ref`).
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'-' | b'_' | b'$')
}

impl<'a> Parser<'a> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> FilterError {
        FilterError {
            pos,
            msg: msg.into(),
            input: self.src.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    /// Skip whitespace; report whether there was any.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// The run of ASCII letters starting at `at`.
    fn word_at(&self, at: usize) -> &'a str {
        let tail = self.src.get(at..).unwrap_or("");
        let len = tail.bytes().take_while(u8::is_ascii_alphabetic).count();
        tail.get(..len).unwrap_or("")
    }

    /// What sits at `at`, for messages: a word, a character or the end.
    fn describe(&self, at: usize) -> String {
        let word = self.word_at(at);
        if !word.is_empty() {
            return format!("{word:?}");
        }
        match self.src.get(at..).and_then(|t| t.chars().next()) {
            Some(c) => format!("{c:?}"),
            None => "the end of the filter".to_string(),
        }
    }

    /// Enter one nesting level opened at `at`.
    fn enter(&mut self, at: usize) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(self.err(
                at,
                format!("the filter nests deeper than {MAX_FILTER_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// Expect `close` (after optional whitespace) matching the opener at `open_at`; leave the level.
    fn close(&mut self, close: u8, open_at: usize) -> Result<(), FilterError> {
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            Ok(())
        } else {
            let open = if close == b')' { '(' } else { '[' };
            Err(self.err(
                self.pos,
                format!(
                    "expected '{}' to close the '{open}' at byte {open_at}, found {}",
                    close as char,
                    self.describe(self.pos)
                ),
            ))
        }
    }

    /// If the next word (after whitespace) is `kw`, consume it.
    fn keyword(&mut self, kw: &str) -> bool {
        let save = self.pos;
        self.skip_ws();
        if self.word_at(self.pos).eq_ignore_ascii_case(kw) {
            self.pos += kw.len();
            true
        } else {
            self.pos = save;
            false
        }
    }

    fn parse_or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_and()?;
        while self.keyword("or") {
            let right = self.parse_and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_unary()?;
        while self.keyword("and") {
            let right = self.parse_unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_unary(&mut self) -> Result<Filter, FilterError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            None => Err(self.err(
                start,
                "expected an attribute path, 'not' or '(', found the end of the filter",
            )),
            Some(b'(') => {
                self.pos += 1;
                self.enter(start)?;
                let inner = self.parse_or()?;
                self.close(b')', start)?;
                Ok(inner)
            }
            Some(_) => {
                if self.word_at(start).eq_ignore_ascii_case("not") {
                    let mut p = start + 3;
                    while matches!(
                        self.src.as_bytes().get(p),
                        Some(b' ' | b'\t' | b'\r' | b'\n')
                    ) {
                        p += 1;
                    }
                    if self.src.as_bytes().get(p) == Some(&b'(') {
                        self.pos = p + 1;
                        self.enter(p)?;
                        let inner = self.parse_or()?;
                        self.close(b')', p)?;
                        return Ok(Filter::Not(Box::new(inner)));
                    }
                }
                self.parse_attr_exp()
            }
        }
    }

    fn parse_attr_exp(&mut self) -> Result<Filter, FilterError> {
        let start = self.pos;
        while self.peek().is_some_and(is_path_byte) {
            self.pos += 1;
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        if text.is_empty() {
            return Err(self.err(
                start,
                format!(
                    "expected an attribute path, 'not' or '(', found {}",
                    self.describe(start)
                ),
            ));
        }
        let path = AttrPath::parse_at(text, start).map_err(|e| self.err(e.pos, e.msg))?;

        if self.peek() == Some(b'[') {
            let open = self.pos;
            if self.in_value_path {
                return Err(self.err(open, "a value filter cannot contain another value path"));
            }
            if let Some(sub) = &path.sub {
                return Err(self.err(
                    start + text.len() - sub.len() - 1,
                    "a value path filters a multi-valued attribute, not a sub-attribute: write attr[sub eq \"x\"]",
                ));
            }
            self.pos += 1;
            self.enter(open)?;
            self.in_value_path = true;
            let inner = self.parse_or();
            self.in_value_path = false;
            let inner = inner?;
            self.close(b']', open)?;
            return Ok(Filter::ValuePath {
                attr: path,
                filter: Box::new(inner),
            });
        }

        // The path token stops at the first non-path byte, so a word can only follow after
        // whitespace; no separate check for it is needed.
        self.skip_ws();
        let op_at = self.pos;
        let word = self.word_at(op_at);
        let op = CompareOp::from_keyword(word);
        let is_pr = word.eq_ignore_ascii_case("pr");
        if op.is_none() && !is_pr {
            if text.eq_ignore_ascii_case("not") {
                return Err(self.err(
                    start,
                    "'not' must be followed by a parenthesised filter, e.g. not (title pr)",
                ));
            }
            let msg = if word.is_empty() {
                format!(
                    "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after {text:?}, found {}",
                    self.describe(op_at)
                )
            } else {
                format!(
                    "unknown operator {word:?}; expected eq, ne, co, sw, ew, gt, ge, lt, le or pr"
                )
            };
            return Err(self.err(op_at, msg));
        }
        self.pos += word.len();
        match op {
            None => Ok(Filter::Present(path)),
            Some(op) => {
                self.skip_ws();
                let value = self.parse_value()?;
                Ok(Filter::Compare { path, op, value })
            }
        }
    }

    fn parse_value(&mut self) -> Result<CompValue, FilterError> {
        let at = self.pos;
        match self.peek() {
            Some(b'"') => Ok(CompValue::Str(self.parse_string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(CompValue::Number(self.parse_number()?)),
            Some(b) if b.is_ascii_alphabetic() => {
                let word = self.word_at(at);
                let value = if word.eq_ignore_ascii_case("true") {
                    CompValue::Bool(true)
                } else if word.eq_ignore_ascii_case("false") {
                    CompValue::Bool(false)
                } else if word.eq_ignore_ascii_case("null") {
                    CompValue::Null
                } else {
                    return Err(self.err(
                        at,
                        format!(
                            "expected a value (a JSON string, number, true, false or null), found {word:?}; strings must be in double quotes"
                        ),
                    ));
                };
                self.pos += word.len();
                Ok(value)
            }
            _ => Err(self.err(
                at,
                format!(
                    "expected a value (a JSON string, number, true, false or null), found {}",
                    self.describe(at)
                ),
            )),
        }
    }

    /// A JSON string starting at the opening quote (RFC 8259 §7).
    fn parse_string(&mut self) -> Result<String, FilterError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err(self.err(open, "unterminated string: no closing '\"'"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    let esc = self.pos;
                    self.pos += 1;
                    let decoded = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.parse_unicode_escape(esc)?);
                            continue;
                        }
                        None => return Err(self.err(open, "unterminated string: no closing '\"'")),
                        Some(_) => {
                            return Err(self.err(
                                esc,
                                format!(
                                    "invalid escape {}; use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX",
                                    self.src.get(esc..).and_then(|t| t.get(..2)).unwrap_or("\\")
                                ),
                            ));
                        }
                    };
                    self.pos += 1;
                    out.push(decoded);
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.err(
                        self.pos,
                        format!(
                            "control character U+{:04X} in a string must be escaped",
                            c as u32
                        ),
                    ));
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// After `\u` (the backslash at `esc`): four hex digits, and a low surrogate escape after a
    /// high one.
    fn parse_unicode_escape(&mut self, esc: usize) -> Result<char, FilterError> {
        let hi = self.hex4(esc)?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            let low_esc = self.pos;
            if !self.rest().starts_with("\\u") {
                return Err(self.err(esc, format!("unpaired UTF-16 high surrogate \\u{hi:04X}")));
            }
            self.pos += 2;
            let lo = self.hex4(low_esc)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.err(esc, format!("unpaired UTF-16 high surrogate \\u{hi:04X}")));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else if (0xDC00..0xE000).contains(&hi) {
            return Err(self.err(esc, format!("unpaired UTF-16 low surrogate \\u{hi:04X}")));
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| self.err(esc, "invalid \\u escape"))
    }

    fn hex4(&mut self, esc: usize) -> Result<u32, FilterError> {
        let digits = self
            .rest()
            .get(..4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        let value = digits.and_then(|d| u32::from_str_radix(d, 16).ok());
        match value {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.err(esc, "\\u must be followed by four hex digits")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A JSON number (RFC 8259 §6). Integers that fit stay integers; the rest become f64 via
    /// Rust's correctly rounded parser, so canonical output re-parses to the same value.
    fn parse_number(&mut self) -> Result<Number, FilterError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err(self.pos, "expected a digit")),
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err(self.pos, "expected a digit after '.'"));
            }
            is_float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err(self.pos, "expected a digit in the exponent"));
            }
            is_float = true;
        }
        if self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.')
        {
            return Err(self.err(start, "malformed number"));
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        if !is_float {
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Number::from(u));
            }
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Number::from(i));
            }
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .ok_or_else(|| self.err(start, "number out of range"))
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Where paths are resolved: a whole resource, or one element of a multi-valued attribute.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Resource(&'a Value),
    Element(&'a Value, &'a AttrPath),
}

/// `obj[key]`, with the key compared case-insensitively when there is no exact match.
fn get_ci<'v>(obj: &'v Value, key: &str) -> Option<&'v Value> {
    let map = obj.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Push `v`, or its elements when it is an array.
fn push_flat<'v>(out: &mut Vec<&'v Value>, v: Option<&'v Value>) {
    match v {
        Some(Value::Array(items)) => out.extend(items.iter()),
        Some(other) => out.push(other),
        None => {}
    }
}

/// Resolve `path` in `scope` and collect its raw values (array elements flattened).
/// `None` when the schema does not know the path.
fn lookup<'v, 's>(
    path: &AttrPath,
    scope: Scope<'v>,
    schema: &'s dyn AttrLookup,
) -> Option<(Resolved<'s>, Vec<&'v Value>)> {
    let mut values = Vec::new();
    match scope {
        Scope::Resource(resource) => {
            let resolved = schema.resolve(path)?;
            let container = match resolved.extension {
                Some(urn) => get_ci(resource, urn),
                None => Some(resource),
            };
            let top = container.and_then(|c| get_ci(c, &resolved.top.name));
            match resolved.sub {
                Some(sub) => {
                    let mut items = Vec::new();
                    push_flat(&mut items, top);
                    for item in items {
                        push_flat(&mut values, get_ci(item, &sub.name));
                    }
                }
                None => push_flat(&mut values, top),
            }
            Some((resolved, values))
        }
        Scope::Element(element, parent) => {
            if path.urn.is_some() || path.sub.is_some() {
                return None;
            }
            let full = AttrPath {
                urn: parent.urn.clone(),
                attr: parent.attr.clone(),
                sub: Some(path.attr.clone()),
            };
            let resolved = schema.resolve(&full)?;
            let sub = resolved.sub?;
            push_flat(&mut values, get_ci(element, &sub.name));
            Some((resolved, values))
        }
    }
}

/// RFC 7643 §2.5: null, "", [] and {} are unassigned. Containers are present when a member is.
fn is_present(v: &Value) -> bool {
    fn shallow(v: &Value) -> bool {
        match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::Bool(_) | Value::Number(_) => true,
        }
    }
    match v {
        Value::Array(a) => a.iter().any(shallow),
        Value::Object(o) => o.values().any(shallow),
        other => shallow(other),
    }
}

fn eval(f: &Filter, scope: Scope<'_>, schema: &dyn AttrLookup) -> bool {
    match f {
        Filter::And(a, b) => eval(a, scope, schema) && eval(b, scope, schema),
        Filter::Or(a, b) => eval(a, scope, schema) || eval(b, scope, schema),
        Filter::Not(inner) => !eval(inner, scope, schema),
        Filter::Present(path) => lookup(path, scope, schema)
            .is_some_and(|(_, values)| values.into_iter().any(is_present)),
        Filter::Compare { path, op, value } => {
            let (values, attr) = match lookup(path, scope, schema) {
                None => (Vec::new(), None),
                Some((resolved, raw))
                    if resolved.sub.is_none() && resolved.top.attr_type == AttrType::Complex =>
                {
                    // `emails co "x"`: compare each element's `value`.
                    let mut values = Vec::new();
                    for item in raw {
                        push_flat(&mut values, get_ci(item, "value"));
                    }
                    (values, resolved.top.sub_attribute("value"))
                }
                Some((resolved, raw)) => (raw, Some(resolved.attr())),
            };
            compare_set(&values, attr, *op, value)
        }
        Filter::ValuePath { attr, filter } => match scope {
            Scope::Resource(_) => lookup(attr, scope, schema).is_some_and(|(_, elements)| {
                elements
                    .into_iter()
                    .any(|el| el.is_object() && eval(filter, Scope::Element(el, attr), schema))
            }),
            Scope::Element(..) => false,
        },
    }
}

/// Apply `op value` to the attribute's values (any must match; see the module docs for absent).
fn compare_set(
    values: &[&Value],
    attr: Option<&Attribute>,
    op: CompareOp,
    value: &CompValue,
) -> bool {
    if *value == CompValue::Null {
        let present = values.iter().any(|v| is_present(v));
        return match op {
            CompareOp::Eq => !present,
            CompareOp::Ne => present,
            _ => false,
        };
    }
    let Some(attr) = attr else {
        return op == CompareOp::Ne;
    };
    let values: Vec<&Value> = values.iter().copied().filter(|v| !v.is_null()).collect();
    if values.is_empty() {
        return op == CompareOp::Ne;
    }
    values.into_iter().any(|v| compare_one(v, attr, op, value))
}

fn compare_one(v: &Value, attr: &Attribute, op: CompareOp, value: &CompValue) -> bool {
    let mismatch = op == CompareOp::Ne;
    match value {
        CompValue::Null => false,
        CompValue::Bool(b) => match v.as_bool() {
            Some(vb) if matches!(op, CompareOp::Eq | CompareOp::Ne) => op.holds(vb.cmp(b)),
            Some(_) => false,
            None => mismatch,
        },
        CompValue::Number(n) => match v.as_number().and_then(|vn| number_cmp(vn, n)) {
            Some(ord) => op.holds(ord),
            None => mismatch,
        },
        CompValue::Str(s) => {
            let Some(vs) = v.as_str() else {
                return mismatch;
            };
            if attr.attr_type == AttrType::DateTime && !op.is_substring() {
                let parse = chrono::DateTime::parse_from_rfc3339;
                if let (Ok(a), Ok(b)) = (parse(vs), parse(s)) {
                    return op.holds(a.cmp(&b));
                }
            }
            let (a, b): (Cow<'_, str>, Cow<'_, str>) = if attr.case_exact {
                (Cow::Borrowed(vs), Cow::Borrowed(s))
            } else {
                (Cow::Owned(vs.to_lowercase()), Cow::Owned(s.to_lowercase()))
            };
            match op {
                CompareOp::Co => a.contains(b.as_ref()),
                CompareOp::Sw => a.starts_with(b.as_ref()),
                CompareOp::Ew => a.ends_with(b.as_ref()),
                _ => op.holds(a.cmp(&b)),
            }
        }
    }
}

/// Numeric order: exact for integers, f64 otherwise.
fn number_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

// ---------------------------------------------------------------------------------------------
// Validation and hints

/// The RFC 7643 §7 spelling of a type, for messages.
fn type_name(t: AttrType) -> &'static str {
    match t {
        AttrType::String => "string",
        AttrType::Boolean => "boolean",
        AttrType::Decimal => "decimal",
        AttrType::Integer => "integer",
        AttrType::DateTime => "dateTime",
        AttrType::Binary => "binary",
        AttrType::Reference => "reference",
        AttrType::Complex => "complex",
    }
}

fn validate_in(
    f: &Filter,
    schema: &dyn AttrLookup,
    parent: Option<&AttrPath>,
) -> Result<(), ScimError> {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => {
            validate_in(a, schema, parent)?;
            validate_in(b, schema, parent)
        }
        Filter::Not(inner) => validate_in(inner, schema, parent),
        Filter::Present(path) => resolve_checked(path, parent, schema).map(|_| ()),
        Filter::Compare { path, op, value } => {
            let resolved = resolve_checked(path, parent, schema)?;
            check_compare(path, &resolved, *op, value)
        }
        Filter::ValuePath { attr, filter } => {
            if let Some(p) = parent {
                return Err(ScimError::invalid_filter(format!(
                    "{p}[...] cannot contain another value path ({attr}[...])"
                )));
            }
            if attr.sub.is_some() {
                return Err(ScimError::invalid_filter(format!(
                    "{attr}[...]: a value path filters an attribute, not a sub-attribute"
                )));
            }
            let resolved = schema
                .resolve(attr)
                .ok_or_else(|| ScimError::invalid_filter(format!("unknown attribute {attr}")))?;
            if resolved.top.attr_type != AttrType::Complex {
                return Err(ScimError::invalid_filter(format!(
                    "{attr} is a {} attribute; [...] filters need a complex attribute",
                    type_name(resolved.top.attr_type)
                )));
            }
            validate_in(filter, schema, Some(attr))
        }
    }
}

fn resolve_checked<'s>(
    path: &AttrPath,
    parent: Option<&AttrPath>,
    schema: &'s dyn AttrLookup,
) -> Result<Resolved<'s>, ScimError> {
    match parent {
        None => schema
            .resolve(path)
            .ok_or_else(|| ScimError::invalid_filter(format!("unknown attribute {path}"))),
        Some(p) => {
            if path.urn.is_some() || path.sub.is_some() {
                return Err(ScimError::invalid_filter(format!(
                    "inside {p}[...] name a sub-attribute of {p} on its own (e.g. {p}[value eq \"x\"]), not {path}"
                )));
            }
            let full = AttrPath {
                urn: p.urn.clone(),
                attr: p.attr.clone(),
                sub: Some(path.attr.clone()),
            };
            schema
                .resolve(&full)
                .filter(|r| r.sub.is_some())
                .ok_or_else(|| {
                    ScimError::invalid_filter(format!("{p} has no sub-attribute {}", path.attr))
                })
        }
    }
}

fn check_compare(
    path: &AttrPath,
    resolved: &Resolved<'_>,
    op: CompareOp,
    value: &CompValue,
) -> Result<(), ScimError> {
    let attr = if resolved.sub.is_none() && resolved.top.attr_type == AttrType::Complex {
        resolved.top.sub_attribute("value").ok_or_else(|| {
            ScimError::invalid_filter(format!(
                "{path} is a complex attribute; compare one of its sub-attributes (e.g. {path}.<sub> {op} ...)"
            ))
        })?
    } else {
        resolved.attr()
    };
    let t = attr.attr_type;
    let bad = |why: String| Err(ScimError::invalid_filter(why));
    if op.is_ordering() && matches!(t, AttrType::Boolean | AttrType::Binary | AttrType::Complex) {
        return bad(format!(
            "{op} cannot compare the {} attribute {path} (RFC 7644 §3.4.2.2: only eq and ne apply)",
            type_name(t)
        ));
    }
    if op.is_substring()
        && !matches!(
            t,
            AttrType::String | AttrType::Reference | AttrType::DateTime
        )
    {
        return bad(format!(
            "{op} applies to string attributes, and {path} is of type {}",
            type_name(t)
        ));
    }
    let fits = match value {
        CompValue::Null => {
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return bad(format!(
                    "{op} cannot compare with null; use eq null or ne null"
                ));
            }
            true
        }
        CompValue::Bool(_) => t == AttrType::Boolean,
        CompValue::Number(_) => matches!(t, AttrType::Integer | AttrType::Decimal),
        CompValue::Str(_) => {
            matches!(
                t,
                AttrType::String | AttrType::Reference | AttrType::DateTime | AttrType::Binary
            )
        }
    };
    if !fits {
        return bad(format!(
            "{path} is of type {} and cannot be compared with {} ({value})",
            type_name(t),
            value.kind()
        ));
    }
    Ok(())
}

/// Whether filter path `p` names the hinted attribute `want` (see [`Filter::equality_on`]).
fn hint_path_matches(p: &AttrPath, want: &AttrPath) -> bool {
    let urn_ok = match (&p.urn, &want.urn) {
        (None, _) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (Some(a), None) => {
            a.len() > CORE_URN_PREFIX.len()
                && a.get(..CORE_URN_PREFIX.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(CORE_URN_PREFIX))
        }
    };
    let sub_ok = match (&p.sub, &want.sub) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    urn_ok && sub_ok && p.attr.eq_ignore_ascii_case(&want.attr)
}

/// Prefix shared by the core schema URNs (User, Group, ...).
const CORE_URN_PREFIX: &str = "urn:ietf:params:scim:schemas:core:";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::ENTERPRISE_USER_SCHEMA as ENT;
    use proptest::prelude::*;
    use serde_json::json;

    const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

    /// A tiny User schema (plus the enterprise extension) standing in for the registry.
    struct Fake {
        core: Vec<Attribute>,
        ext: Vec<Attribute>,
    }

    fn attrs(v: Value) -> Vec<Attribute> {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("bad test schema: {e}"))
    }

    fn fake() -> Fake {
        Fake {
            core: attrs(json!([
                {"name": "id", "type": "string", "caseExact": true},
                {"name": "externalId", "type": "string", "caseExact": true},
                {"name": "userName", "type": "string"},
                {"name": "title", "type": "string"},
                {"name": "name", "type": "complex", "subAttributes": [
                    {"name": "givenName", "type": "string"},
                    {"name": "familyName", "type": "string"}
                ]},
                {"name": "emails", "type": "complex", "multiValued": true, "subAttributes": [
                    {"name": "value", "type": "string"},
                    {"name": "type", "type": "string"},
                    {"name": "primary", "type": "boolean"}
                ]},
                {"name": "nicknames", "type": "string", "multiValued": true},
                {"name": "active", "type": "boolean"},
                {"name": "age", "type": "integer"},
                {"name": "score", "type": "decimal"},
                {"name": "photo", "type": "binary", "caseExact": true},
                {"name": "profileUrl", "type": "reference"},
                {"name": "meta", "type": "complex", "subAttributes": [
                    {"name": "created", "type": "dateTime"},
                    {"name": "lastModified", "type": "dateTime"}
                ]}
            ])),
            ext: attrs(json!([
                {"name": "employeeNumber", "type": "string"},
                {"name": "manager", "type": "complex", "subAttributes": [
                    {"name": "value", "type": "string"},
                    {"name": "displayName", "type": "string"}
                ]}
            ])),
        }
    }

    impl AttrLookup for Fake {
        fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
            fn find<'a>(list: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
                list.iter().find(|a| a.name.eq_ignore_ascii_case(name))
            }
            let find = |list| find(list, &path.attr);
            let (extension, top) = match &path.urn {
                Some(u) if u.eq_ignore_ascii_case(CORE) => (None, find(&self.core)?),
                Some(u) if u.eq_ignore_ascii_case(ENT) => (Some(ENT), find(&self.ext)?),
                Some(_) => return None,
                None => match find(&self.core) {
                    Some(a) => (None, a),
                    None => (Some(ENT), find(&self.ext)?),
                },
            };
            let sub = match &path.sub {
                Some(s) => Some(top.sub_attribute(s)?),
                None => None,
            };
            Some(Resolved {
                extension,
                top,
                sub,
            })
        }
        fn schema_urns(&self) -> Vec<&str> {
            vec![CORE, ENT]
        }
    }

    fn p(s: &str) -> Filter {
        Filter::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {}", e.render()))
    }

    fn err(s: &str) -> FilterError {
        match Filter::parse(s) {
            Ok(f) => panic!("{s:?} should not parse, got {f:?}"),
            Err(e) => e,
        }
    }

    fn path(s: &str) -> AttrPath {
        AttrPath::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn cmp(s: &str, op: CompareOp, v: CompValue) -> Filter {
        Filter::Compare {
            path: path(s),
            op,
            value: v,
        }
    }

    fn st(s: &str) -> CompValue {
        CompValue::Str(s.into())
    }

    fn pr(s: &str) -> Filter {
        Filter::Present(path(s))
    }

    fn and(a: Filter, b: Filter) -> Filter {
        Filter::And(Box::new(a), Box::new(b))
    }

    fn or(a: Filter, b: Filter) -> Filter {
        Filter::Or(Box::new(a), Box::new(b))
    }

    fn not(a: Filter) -> Filter {
        Filter::Not(Box::new(a))
    }

    fn user() -> Value {
        json!({
            "schemas": [CORE, ENT],
            "id": "2819c223",
            "externalId": "BJensen-Ext",
            "userName": "BJensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [
                {"value": "bjensen@work.example.com", "type": "work", "primary": true},
                {"value": "babs@home.example.org", "type": "home"}
            ],
            "nicknames": ["Babs", "BJ"],
            "active": true,
            "age": 42,
            "score": 7.5,
            "title": "",
            "profileUrl": "https://Example.com/bjensen",
            "meta": {"created": "2024-01-01T10:00:00Z", "lastModified": "2024-06-01T12:00:00+02:00"},
            ENT: {"employeeNumber": "701984", "manager": {"value": "26118915", "displayName": "John"}}
        })
    }

    fn m(s: &str) -> bool {
        p(s).matches(&user(), &fake())
    }

    // ---- grammar -----------------------------------------------------------------------------

    #[test]
    fn every_operator_parses_and_displays_lowercase() {
        for op in CompareOp::ALL {
            let text = format!("userName {} \"x\"", op.as_str().to_uppercase());
            assert_eq!(p(&text), cmp("userName", op, st("x")), "{text}");
            assert_eq!(p(&text).to_string(), format!("userName {op} \"x\""));
        }
        assert_eq!(p("title pr"), pr("title"));
        assert_eq!(p("title PR"), pr("title"));
    }

    #[test]
    fn literals_and_keywords_are_case_insensitive() {
        assert_eq!(
            p("active eq TRUE"),
            cmp("active", CompareOp::Eq, CompValue::Bool(true))
        );
        assert_eq!(
            p("active Eq False"),
            cmp("active", CompareOp::Eq, CompValue::Bool(false))
        );
        assert_eq!(
            p("title eq NULL"),
            cmp("title", CompareOp::Eq, CompValue::Null)
        );
        assert_eq!(
            p("title pr AND userName pr OR NOT (active pr)"),
            or(and(pr("title"), pr("userName")), not(pr("active")))
        );
    }

    #[test]
    fn attribute_names_keep_their_spelling_but_compare_case_insensitively() {
        let f = p("USERNAME eq \"x\"");
        assert_eq!(f, cmp("USERNAME", CompareOp::Eq, st("x")));
        assert!(!m("USERNAME eq \"nobody\""));
        assert!(m("USERNAME eq \"bjensen\""));
    }

    #[test]
    fn and_binds_tighter_than_or_and_both_associate_left() {
        assert_eq!(
            p("a pr or b pr and c pr"),
            or(pr("a"), and(pr("b"), pr("c")))
        );
        assert_eq!(
            p("a pr and b pr or c pr"),
            or(and(pr("a"), pr("b")), pr("c"))
        );
        assert_eq!(p("a pr or b pr or c pr"), or(or(pr("a"), pr("b")), pr("c")));
        assert_eq!(
            p("a pr and b pr and c pr"),
            and(and(pr("a"), pr("b")), pr("c"))
        );
    }

    #[test]
    fn parentheses_group_and_not_binds_tightest() {
        assert_eq!(
            p("(a pr or b pr) and c pr"),
            and(or(pr("a"), pr("b")), pr("c"))
        );
        assert_eq!(
            p("a pr and (b pr or c pr)"),
            and(pr("a"), or(pr("b"), pr("c")))
        );
        assert_eq!(p("not (a pr) and b pr"), and(not(pr("a")), pr("b")));
        assert_eq!(p("not(a pr or b pr)"), not(or(pr("a"), pr("b"))));
        assert_eq!(p("((a pr))"), pr("a"));
        assert_eq!(p("not ( not (a pr) )"), not(not(pr("a"))));
    }

    #[test]
    fn value_path_takes_a_nested_filter() {
        let f = p(r#"emails[type eq "work" and value co "@x"]"#);
        assert_eq!(
            f,
            Filter::ValuePath {
                attr: path("emails"),
                filter: Box::new(and(
                    cmp("type", CompareOp::Eq, st("work")),
                    cmp("value", CompareOp::Co, st("@x"))
                )),
            }
        );
        let f = p(
            r#"userType eq "Employee" and (emails[type eq "work" or not (primary pr)] or ims[type eq "xmpp"])"#,
        );
        assert_eq!(
            f.to_string(),
            r#"userType eq "Employee" and (emails[type eq "work" or not (primary pr)] or ims[type eq "xmpp"])"#
        );
        // A ']' or ':' inside a string does not end the value path (PAT-35).
        let f = p(r#"roles[value eq "a:b]"]"#);
        assert_eq!(f.to_string(), r#"roles[value eq "a:b]"]"#);
    }

    #[test]
    fn value_paths_do_not_nest_and_name_no_sub_attribute() {
        let e = err(r#"emails[x[y pr]]"#);
        assert_eq!(e.pos, 8);
        let e = err(r#"emails.type[value pr]"#);
        assert_eq!(e.pos, 6);
        let e = err(r#"emails[type eq "work""#);
        assert_eq!(e.pos, 21);
        assert!(e.msg.contains("']'"), "{}", e.msg);
    }

    #[test]
    fn sub_attributes_and_urn_qualified_paths() {
        assert_eq!(
            p("name.familyName sw \"J\""),
            cmp("name.familyName", CompareOp::Sw, st("J"))
        );
        let f = p(&format!("{ENT}:employeeNumber eq \"701984\""));
        let Filter::Compare { path: fp, .. } = &f else {
            panic!("{f:?}")
        };
        assert_eq!(fp.urn.as_deref(), Some(ENT));
        assert_eq!(fp.attr, "employeeNumber");
        assert_eq!(fp.sub, None);
        let f = p(&format!("{ENT}:manager.value eq \"26118915\""));
        let Filter::Compare { path: fp, .. } = &f else {
            panic!("{f:?}")
        };
        assert_eq!(
            (fp.attr.as_str(), fp.sub.as_deref()),
            ("manager", Some("value"))
        );
        assert_eq!(
            f.to_string(),
            format!("{ENT}:manager.value eq \"26118915\"")
        );
    }

    #[test]
    fn string_escapes_follow_json() {
        let f = p(r#"title eq "q\" b\\ s\/ \b\f\n\r\t \u00e9 \uD83D\uDE00 \u20AC""#);
        assert_eq!(
            f,
            cmp(
                "title",
                CompareOp::Eq,
                st("q\" b\\ s/ \u{8}\u{c}\n\r\t é 😀 €")
            )
        );
        // Display escapes what JSON requires and re-parses to the same value.
        assert_eq!(p(&f.to_string()), f);
        assert_eq!(
            p(r#"title eq "日本""#),
            cmp("title", CompareOp::Eq, st("日本"))
        );
    }

    #[test]
    fn bad_strings_are_located() {
        assert_eq!(
            err(r#"title eq "abc"#).pos,
            9,
            "unterminated: points at the opening quote"
        );
        assert_eq!(err(r#"title eq "a\x""#).pos, 11, "unknown escape");
        assert_eq!(err(r#"title eq "a\u12G4""#).pos, 11, "bad hex");
        assert_eq!(err(r#"title eq "\uD83D""#).pos, 10, "lone high surrogate");
        assert_eq!(
            err(r#"title eq "\uD83Dx""#).pos,
            10,
            "high surrogate without low"
        );
        assert_eq!(err(r#"title eq "\uDE00""#).pos, 10, "lone low surrogate");
        assert_eq!(err("title eq \"a\tb\"").pos, 11, "raw control character");
        assert_eq!(err("title eq \"a\\").pos, 9, "backslash at end");
    }

    #[test]
    fn numbers_follow_json() {
        let num = |s: &str| match p(&format!("age eq {s}")) {
            Filter::Compare {
                value: CompValue::Number(n),
                ..
            } => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(num("42"), Number::from(42u64));
        assert_eq!(num("-7"), Number::from(-7i64));
        assert_eq!(num("0"), Number::from(0u64));
        assert_eq!(num("18446744073709551615"), Number::from(u64::MAX));
        assert_eq!(num("1.5").as_f64(), Some(1.5));
        assert_eq!(num("-2.5e3").as_f64(), Some(-2500.0));
        assert_eq!(num("1E+2").as_f64(), Some(100.0));
        assert_eq!(num("5e-1").as_f64(), Some(0.5));
        assert_eq!(num("99999999999999999999").as_f64(), Some(1e20));
        assert_eq!(err("age eq 01").pos, 7);
        assert_eq!(err("age eq 1.").pos, 9);
        assert_eq!(err("age eq -").pos, 8);
        assert_eq!(err("age eq 1e").pos, 9);
        assert_eq!(err("age eq .5").pos, 7);
        assert_eq!(err("age eq 12abc").pos, 7);
        assert_eq!(err("age eq 1e999").pos, 7);
    }

    #[test]
    fn whitespace_is_lenient() {
        let want = and(cmp("userName", CompareOp::Eq, st("x")), pr("title"));
        assert_eq!(p("  userName   eq\t\"x\"   and\ttitle  pr  "), want);
        assert_eq!(p("userName eq\"x\"and(title pr)"), want);
        assert_eq!(p("(userName eq \"x\")and title pr"), want);
    }

    #[test]
    fn syntax_errors_carry_byte_positions() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("   ", 3),
            ("userName eq", 11),
            ("userName zz \"a\"", 9),
            ("userName", 8),
            ("userName \"x\"", 9),
            ("userName eq x", 12),
            ("(userName pr", 12),
            ("userName pr)", 11),
            ("userName pr]", 11),
            ("userName pr title pr", 12),
            ("userName pr and", 15),
            ("userName pr or or", 17),
            ("1abc eq 1", 0),
            ("name. eq 1", 5),
            ("urn:foo: pr", 8),
            ("not title pr", 0),
            ("not", 0),
            ("title pr and not", 13),
            ("not (title pr", 13),
            ("userName == \"x\"", 9),
            ("ü eq 1", 0),
            ("é pr or ü pr", 0),
            ("title pr and ü pr", 13),
        ];
        for &(input, pos) in cases {
            let e = err(input);
            assert_eq!(e.pos, pos, "{input:?}: {}", e.msg);
            assert_eq!(e.input, input);
            assert!(input.is_char_boundary(e.pos));
        }
    }

    #[test]
    fn error_becomes_invalid_filter_with_a_caret() {
        let e: ScimError = err("userName zz \"a\"").into();
        assert_eq!(e.status, 400);
        assert_eq!(e.scim_type, Some(crate::scim::ScimType::InvalidFilter));
        assert!(
            e.detail
                .starts_with("invalid filter at byte 9: unknown operator \"zz\""),
            "{}",
            e.detail
        );
        assert!(
            e.detail.ends_with("\n  userName zz \"a\"\n           ^"),
            "{}",
            e.detail
        );
        // Long inputs show a window around the error.
        let long = format!("{}userName zz \"a\"", "a pr and ".repeat(50));
        let r = err(&long).render();
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].starts_with("  …") && lines[1].len() < 120, "{r}");
        let caret = lines[2].chars().count() - 1;
        assert_eq!(lines[1].chars().nth(caret), Some('z'), "{r}");
    }

    #[test]
    fn nesting_depth_is_bounded() {
        let ok = format!(
            "{}a pr{}",
            "(".repeat(MAX_FILTER_DEPTH),
            ")".repeat(MAX_FILTER_DEPTH)
        );
        assert_eq!(p(&ok), pr("a"));
        let deep = format!(
            "{}a pr{}",
            "(".repeat(MAX_FILTER_DEPTH + 1),
            ")".repeat(MAX_FILTER_DEPTH + 1)
        );
        let e = err(&deep);
        assert_eq!(e.pos, MAX_FILTER_DEPTH);
        assert!(e.msg.contains("deeper"));
        let nots = format!(
            "{}a pr{}",
            "not (".repeat(MAX_FILTER_DEPTH + 1),
            ")".repeat(MAX_FILTER_DEPTH + 1)
        );
        assert!(err(&nots).msg.contains("deeper"));
        // Far deeper than the stack could take, refused without recursing.
        let huge = "(".repeat(MAX_FILTER_LEN);
        assert!(err(&huge).msg.contains("deeper"));
    }

    #[test]
    fn input_length_is_bounded() {
        let long = format!("title eq \"{}\"", "x".repeat(MAX_FILTER_LEN));
        let e = err(&long);
        assert_eq!(e.pos, MAX_FILTER_LEN);
        assert!(e.msg.contains("at most 8192"));
        // The longest accepted and/or chain evaluates and displays without trouble.
        let chain = format!("a pr{}", " or a pr".repeat((MAX_FILTER_LEN - 4) / 8));
        let f = p(&chain);
        assert_eq!(f.to_string(), chain);
        assert!(!f.matches(&user(), &fake()));
    }

    #[test]
    fn display_parenthesises_only_where_needed() {
        let f = or(pr("a"), or(pr("b"), pr("c")));
        assert_eq!(f.to_string(), "a pr or (b pr or c pr)");
        let f = and(or(pr("a"), pr("b")), and(pr("c"), pr("d")));
        assert_eq!(f.to_string(), "(a pr or b pr) and (c pr and d pr)");
        let f = or(and(pr("a"), pr("b")), and(pr("c"), pr("d")));
        assert_eq!(f.to_string(), "a pr and b pr or c pr and d pr");
        let f = not(and(pr("a"), pr("b")));
        assert_eq!(f.to_string(), "not (a pr and b pr)");
        let f = cmp(
            "score",
            CompareOp::Gt,
            CompValue::Number(Number::from(-3i64)),
        );
        assert_eq!(f.to_string(), "score gt -3");
        for f in [
            or(pr("a"), or(pr("b"), pr("c"))),
            and(or(pr("a"), pr("b")), and(pr("c"), pr("d"))),
        ] {
            assert_eq!(p(&f.to_string()), f);
        }
    }

    // ---- evaluation --------------------------------------------------------------------------

    #[test]
    fn eq_honours_case_exact() {
        assert!(
            m(r#"userName eq "bjensen""#),
            "userName is caseExact=false (FLT-02)"
        );
        assert!(m(r#"externalId eq "BJensen-Ext""#));
        assert!(
            !m(r#"externalId eq "bjensen-ext""#),
            "externalId is caseExact=true (FLT-03)"
        );
        assert!(m(r#"externalId ne "bjensen-ext""#));
        assert!(m(r#"userName co "JENS""#));
        assert!(!m(r#"externalId co "jens""#));
        assert!(m(r#"externalId co "Jens""#));
    }

    #[test]
    fn substring_and_ordering_operators_on_strings() {
        assert!(m(r#"userName sw "bj""#));
        assert!(!m(r#"userName sw "jensen""#));
        assert!(m(r#"userName ew "SEN""#));
        assert!(!m(r#"userName ew "bj""#));
        assert!(m(r#"userName ne "alice""#));
        assert!(!m(r#"userName ne "BJENSEN""#));
        assert!(m(r#"userName gt "Alice""#), "lexicographic, case-folded");
        assert!(m(r#"userName lt "carol""#));
        assert!(m(r#"userName ge "bjensen""#) && m(r#"userName le "bjensen""#));
        assert!(!m(r#"userName gt "bjensen""#));
        assert!(
            m(r#"profileUrl sw "https://example.com""#),
            "reference, caseExact=false"
        );
    }

    #[test]
    fn missing_attributes_match_only_ne() {
        let f = fake();
        let r = json!({"userName": "x"});
        for (text, want) in [
            (r#"title eq "a""#, false),
            (r#"title co "a""#, false),
            (r#"title gt "a""#, false),
            (r#"title ne "a""#, true),
            ("title pr", false),
            ("title eq null", true),
            ("title ne null", false),
            ("nosuch eq 1", false),
            ("nosuch ne 1", true),
            ("nosuch pr", false),
            (r#"urn:example:other:Thing:userName eq "x""#, false),
        ] {
            assert_eq!(p(text).matches(&r, &f), want, "{text}");
        }
    }

    #[test]
    fn presence_ignores_null_empty_string_and_empty_containers() {
        let f = fake();
        let r = json!({"userName": "x", "title": "", "nicknames": [], "name": {}, "emails": [{"value": ""}], "active": false});
        for (text, want) in [
            ("userName pr", true),
            ("title pr", false),
            ("nicknames pr", false),
            ("name pr", false),
            ("emails pr", false),
            ("emails.value pr", false),
            ("active pr", true),
            ("externalId pr", false),
            ("title eq null", true),
        ] {
            assert_eq!(p(text).matches(&r, &f), want, "{text}");
        }
        assert!(p("emails pr").matches(&user(), &f));
        assert!(p("name.givenName pr").matches(&user(), &f));
        // An exact key wins over a case-insensitive one.
        assert!(!p("title pr").matches(&json!({"title": null, "TITLE": "x"}), &f));
    }

    #[test]
    fn multi_valued_attributes_match_any_element() {
        assert!(m(r#"emails.type eq "home""#));
        assert!(m(r#"emails.type eq "work""#));
        assert!(!m(r#"emails.type eq "other""#));
        assert!(
            m(r#"emails co "example.org""#),
            "complex without sub compares value"
        );
        assert!(!m(r#"emails co "example.net""#));
        assert!(m(r#"nicknames eq "bj""#), "simple multi-valued");
        assert!(m(r#"emails.primary eq true"#));
    }

    #[test]
    fn value_path_matches_within_one_element() {
        assert!(m(r#"emails[type eq "work" and value co "@work."]"#));
        assert!(
            !m(r#"emails[type eq "work" and value co "@home."]"#),
            "FLT-11: different elements"
        );
        assert!(
            m(r#"emails.type eq "work" and emails.value co "@home.""#),
            "FLT-12: any element each"
        );
        assert!(m(r#"emails[not (primary pr)]"#));
        assert!(m(r#"EMAILS[TYPE EQ "HOME"]"#));
        assert!(!m(r#"emails[nosuch eq "x"]"#));
        assert!(!m(r#"nosuch[value eq "x"]"#));
        // A single-valued complex attribute works too.
        assert!(m(r#"name[givenName eq "barbara" and familyName sw "J"]"#));
    }

    #[test]
    fn extension_attributes_live_under_their_urn() {
        assert!(m(&format!("{ENT}:employeeNumber eq \"701984\"")));
        assert!(
            m(&format!(
                "{}:EMPLOYEENUMBER eq \"701984\"",
                ENT.to_uppercase()
            )),
            "FLT-13"
        );
        assert!(
            m("employeeNumber eq \"701984\""),
            "unqualified falls back to extensions"
        );
        assert!(m(&format!("{ENT}:manager.value eq \"26118915\"")));
        assert!(
            m(&format!("{ENT}:manager eq \"26118915\"")),
            "complex without sub compares value"
        );
        assert!(m(&format!("{CORE}:userName eq \"bjensen\"")));
        assert!(!m(&format!("{ENT}:employeeNumber eq \"1\"")));
        let f = fake();
        let lower_key = json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "5"}});
        assert!(p("employeeNumber eq \"5\"").matches(&lower_key, &f));
    }

    #[test]
    fn json_keys_are_found_case_insensitively() {
        let f = fake();
        let r = json!({"USERNAME": "alice", "Emails": [{"Value": "a@x", "TYPE": "work"}]});
        assert!(p(r#"userName eq "alice""#).matches(&r, &f));
        assert!(p(r#"emails[type eq "work" and value eq "a@x"]"#).matches(&r, &f));
        assert!(p(r#"emails.value eq "A@X""#).matches(&r, &f));
    }

    #[test]
    fn date_times_compare_chronologically() {
        // lastModified is 2024-06-01T12:00:00+02:00 = 10:00Z.
        assert!(m(r#"meta.lastModified gt "2024-06-01T09:30:00Z""#));
        assert!(
            !m(r#"meta.lastModified gt "2024-06-01T11:00:00Z""#),
            "string order would say yes"
        );
        assert!(
            m(r#"meta.lastModified eq "2024-06-01T10:00:00Z""#),
            "same instant, other offset"
        );
        assert!(m(r#"meta.lastModified ge "2024-06-01T10:00:00.000Z""#));
        assert!(m(r#"meta.lastModified lt "2024-06-01T10:00:01Z""#));
        assert!(m(r#"meta.created le "2024-01-01T10:00:00Z""#));
        // Unparseable: string order; substring operators always use strings.
        assert!(m(r#"meta.created gt "2023""#));
        assert!(m(r#"meta.created sw "2024-01""#));
    }

    #[test]
    fn numbers_and_booleans_compare_by_value() {
        assert!(m("age eq 42"));
        assert!(m("age eq 42.0"));
        assert!(m("age gt 41.5"));
        assert!(m("age lt 1e3"));
        assert!(!m("age ge 43"));
        assert!(m("score gt 7"));
        assert!(m("score le 7.5"));
        assert!(m("active eq true"));
        assert!(!m("active eq false"));
        assert!(m("active ne false"));
        assert!(!m("active gt false"), "ordering on booleans never matches");
        assert!(!m(r#"age eq "42""#), "type mismatch never equals");
        assert!(m(r#"age ne "42""#));
    }

    #[test]
    fn logical_operators_combine() {
        assert!(m(r#"userName eq "bjensen" and active eq true"#));
        assert!(!m(r#"userName eq "bjensen" and active eq false"#));
        assert!(m(r#"userName eq "nobody" or active eq true"#));
        assert!(!m(r#"not (userName sw "b")"#));
        assert!(m(r#"not (userName sw "a")"#));
        assert!(m(
            r#"(userName eq "nobody" or userName eq "bjensen") and age gt 40"#
        ));
        assert!(!m(
            r#"userName eq "nobody" or userName eq "bjensen" and age gt 50"#
        ));
    }

    #[test]
    fn matches_element_resolves_paths_under_the_parent() {
        let f = fake();
        let emails = path("emails");
        let work = json!({"value": "a@x", "type": "work"});
        let home = json!({"value": "b@y", "Type": "HOME"});
        let flt = p(r#"type eq "work""#);
        assert!(flt.matches_element(&work, &emails, &f));
        assert!(!flt.matches_element(&home, &emails, &f));
        assert!(p(r#"type eq "home" and value ew "@Y""#).matches_element(&home, &emails, &f));
        assert!(
            !p(r#"emails.type eq "work""#).matches_element(&work, &emails, &f),
            "paths are relative"
        );
        let manager = AttrPath {
            urn: Some(ENT.into()),
            attr: "manager".into(),
            sub: None,
        };
        assert!(p(r#"value eq "26118915""#).matches_element(
            &json!({"value": "26118915"}),
            &manager,
            &f
        ));
    }

    // ---- validation --------------------------------------------------------------------------

    fn invalid(s: &str) -> String {
        match p(s).validate(&fake()) {
            Ok(()) => panic!("{s:?} should be refused"),
            Err(e) => {
                assert_eq!(
                    e.scim_type,
                    Some(crate::scim::ScimType::InvalidFilter),
                    "{s}"
                );
                assert_eq!(e.status, 400);
                e.detail
            }
        }
    }

    #[test]
    fn validate_accepts_well_typed_filters() {
        for s in [
            r#"userName eq "x" and not (title pr)"#,
            r#"emails[type eq "work" and primary eq true]"#,
            r#"emails co "example.com""#,
            "emails.primary ne false",
            "age ge 18 and score lt 2.5",
            r#"meta.lastModified gt "2024-01-01T00:00:00Z""#,
            r#"meta.created sw "2024""#,
            "title eq null",
            r#"photo eq "AAAA""#,
            r#"profileUrl co "example""#,
            &format!("{ENT}:manager.value eq \"1\""),
            &format!("{ENT}:manager[value eq \"1\"]"),
            r#"EMPLOYEENUMBER eq "1""#,
            "name pr",
        ] {
            if let Err(e) = p(s).validate(&fake()) {
                panic!("{s:?} should be accepted: {e}");
            }
        }
    }

    #[test]
    fn validate_refuses_what_a_server_must() {
        assert!(
            invalid(r#"foo eq "x""#).contains("unknown attribute foo"),
            "FLT-16"
        );
        assert!(invalid(r#"name.middle eq "x""#).contains("unknown attribute"));
        assert!(
            invalid("active gt true").contains("gt cannot compare the boolean"),
            "FLT-08"
        );
        assert!(invalid(r#"photo lt "A""#).contains("binary"));
        assert!(invalid("age co 4").contains("co applies to string"));
        assert!(invalid("active sw true").contains("string"));
        assert!(invalid(r#"active eq "true""#).contains("type boolean"));
        assert!(invalid(r#"age eq "42""#).contains("type integer"));
        assert!(invalid("userName eq 5").contains("type string"));
        assert!(invalid("title gt null").contains("null"));
        assert!(invalid(r#"name eq "x""#).contains("complex"));
        assert!(invalid(r#"userName[value eq "x"]"#).contains("complex attribute"));
        assert!(invalid(r#"emails[nosuch eq "x"]"#).contains("no sub-attribute nosuch"));
        assert!(invalid(r#"emails[emails.type eq "x"]"#).contains("on its own"));
        assert!(invalid(r#"emails[type gt true]"#).contains("type string"));
        assert!(invalid(r#"a pr or foo eq "x""#).contains("unknown attribute"));
        assert!(invalid(r#"not (emails[primary lt true])"#).contains("boolean"));
        let nested = Filter::ValuePath {
            attr: path("emails"),
            filter: Box::new(Filter::ValuePath {
                attr: path("type"),
                filter: Box::new(pr("value")),
            }),
        };
        assert!(nested.validate(&fake()).is_err());
    }

    // ---- hints -------------------------------------------------------------------------------

    #[test]
    fn equality_hint_finds_eq_string_on_the_attribute() {
        let un = AttrPath::attr("userName");
        assert_eq!(
            p(r#"userName eq "bjensen""#).equality_on(&un),
            Some("bjensen")
        );
        assert_eq!(
            p(r#"USERNAME eq "bjensen""#).equality_on(&un),
            Some("bjensen")
        );
        assert_eq!(
            p(&format!("{CORE}:userName eq \"b\"")).equality_on(&un),
            Some("b")
        );
        assert_eq!(
            p(r#"active eq true and userName eq "b""#).equality_on(&un),
            Some("b")
        );
        assert_eq!(
            p(r#"userName eq "a" and userName eq "b""#).equality_on(&un),
            Some("a")
        );
        assert_eq!(p(r#"userName eq "a" or title pr"#).equality_on(&un), None);
        assert_eq!(p(r#"userName ne "a""#).equality_on(&un), None);
        assert_eq!(p(r#"not (userName eq "a")"#).equality_on(&un), None);
        assert_eq!(p(r#"userName co "a""#).equality_on(&un), None);
        assert_eq!(p("userName eq 5").equality_on(&un), None);
        assert_eq!(p(r#"title eq "a""#).equality_on(&un), None);
        assert_eq!(
            p(&format!("{ENT}:userName eq \"a\"")).equality_on(&un),
            None
        );
        let mv = AttrPath::sub("members", "value");
        assert_eq!(p(r#"members.value eq "id1""#).equality_on(&mv), Some("id1"));
        assert_eq!(
            p(r#"members[value eq "id2" and type eq "User"]"#).equality_on(&mv),
            Some("id2")
        );
        assert_eq!(p(r#"members eq "id1""#).equality_on(&mv), None);
        assert_eq!(p(r#"members.display eq "id1""#).equality_on(&mv), None);
    }

    // ---- properties --------------------------------------------------------------------------

    fn arb_name() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
            1 => Just("$ref".to_string()),
            1 => prop_oneof![Just("not"), Just("and"), Just("OR"), Just("pr"), Just("true")].prop_map(String::from),
        ]
    }

    fn arb_path(allow_sub: bool) -> impl Strategy<Value = AttrPath> {
        let urn = prop_oneof![
            3 => Just(None),
            1 => Just(Some(ENT.to_string())),
            1 => Just(Some(CORE.to_string())),
            1 => Just(Some("urn:example:x-y_z:1.0:Thing".to_string())),
        ];
        let sub = if allow_sub {
            proptest::option::of(arb_name()).boxed()
        } else {
            Just(None).boxed()
        };
        (urn, arb_name(), sub).prop_map(|(urn, attr, sub)| AttrPath { urn, attr, sub })
    }

    fn arb_value() -> impl Strategy<Value = CompValue> {
        prop_oneof![
            Just(CompValue::Null),
            any::<bool>().prop_map(CompValue::Bool),
            any::<i64>().prop_map(|n| CompValue::Number(Number::from(n))),
            any::<u64>().prop_map(|n| CompValue::Number(Number::from(n))),
            any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(CompValue::Number)),
            any::<String>().prop_map(CompValue::Str),
        ]
    }

    fn arb_op() -> impl Strategy<Value = CompareOp> {
        proptest::sample::select(CompareOp::ALL.to_vec())
    }

    fn arb_leaf(allow_sub: bool) -> impl Strategy<Value = Filter> {
        prop_oneof![
            3 => (arb_path(allow_sub), arb_op(), arb_value()).prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
            1 => arb_path(allow_sub).prop_map(Filter::Present),
        ]
    }

    fn combine(leaf: BoxedStrategy<Filter>) -> BoxedStrategy<Filter> {
        leaf.prop_recursive(5, 24, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Filter::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Filter::Or(Box::new(a), Box::new(b))),
                inner.prop_map(|a| Filter::Not(Box::new(a))),
            ]
        })
        .boxed()
    }

    fn arb_filter() -> impl Strategy<Value = Filter> {
        let value_path =
            (arb_path(false), combine(arb_leaf(false).boxed())).prop_map(|(attr, filter)| {
                Filter::ValuePath {
                    attr,
                    filter: Box::new(filter),
                }
            });
        combine(prop_oneof![3 => arb_leaf(true), 1 => value_path].boxed())
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(f in arb_filter()) {
            let text = f.to_string();
            let back = Filter::parse(&text).map_err(|e| TestCaseError::fail(e.render()))?;
            prop_assert_eq!(&back, &f, "text: {}", text);
            prop_assert_eq!(back.to_string(), text);
        }

        #[test]
        fn parse_never_panics_on_arbitrary_input(s in any::<String>()) {
            if let Err(e) = Filter::parse(&s) {
                prop_assert!(e.pos <= s.len() && s.is_char_boundary(e.pos));
                let _ = e.render();
            }
        }

        #[test]
        fn parse_never_panics_on_filter_like_input(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "userName", "emails", "name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
                    " ", "\t", "(", ")", "[", "]", "\"", "\\", "\\u", "D83D", "eq", "pr", "gt", "and", "or", "not",
                    "true", "null", "-", "1", ".", "e", "\"x\"", "é", ":", "$ref",
                ]),
                0..24,
            )
        ) {
            let s: String = parts.concat();
            match Filter::parse(&s) {
                Ok(f) => {
                    let again = Filter::parse(&f.to_string()).map_err(|e| TestCaseError::fail(e.render()))?;
                    prop_assert_eq!(again, f.clone());
                    let _ = f.matches(&user(), &fake());
                    let _ = f.validate(&fake());
                }
                Err(e) => prop_assert!(e.pos <= s.len() && s.is_char_boundary(e.pos)),
            }
        }
    }
}
