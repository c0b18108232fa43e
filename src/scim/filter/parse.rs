//! The filter grammar: text to [`Filter`], with errors that locate the problem byte and
//! render it under a caret.
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

use super::ast::{CompValue, CompareOp, Filter};
use crate::scim::error::ScimError;
use crate::scim::path::AttrPath;
use serde_json::Number;

/// Longest filter accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 8 * 1024;
/// Deepest nesting of `(`, `not (` and `[` accepted.
pub const MAX_FILTER_DEPTH: usize = 64;
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
}

impl std::str::FromStr for Filter {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Filter::parse(s)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::fixtures::*;
    use crate::scim::schema::ENTERPRISE_USER_SCHEMA as ENT;
    use proptest::prelude::*;

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
