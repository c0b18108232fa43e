//! The PATCH path grammar (RFC 7644 Figure 7): `attrPath` or `valuePath [subAttr]`, parsed
//! into a [`PatchPath`] with located errors (`invalidPath`, or `invalidFilter` inside the
//! brackets) and displayed back canonically.

use crate::scim::error::ScimError;
use crate::scim::filter::Filter;
use crate::scim::path::{AttrPath, is_attr_name};
use std::fmt;

/// A PATCH path (RFC 7644 Figure 7): `attrPath` or `valuePath [subAttr]`, e.g. `name.givenName`,
/// `urn:…:enterprise:2.0:User:manager.value`, `emails[type eq "work"].value`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute: `[urn:]attr[.sub]` when there is no filter; `[urn:]attr` when there is.
    pub attr: AttrPath,
    /// The value-selection filter between `[` and `]`, evaluated against each element.
    pub filter: Option<Filter>,
    /// The sub-attribute after `]`, as in `emails[type eq "work"].value`.
    pub sub_after_filter: Option<String>,
}

/// Where and why a path failed to parse (internal; surfaced as a `ScimError`).
#[derive(Debug, Clone, PartialEq)]
struct PathFault {
    /// Byte offset into the path.
    pos: usize,
    /// What was wrong there.
    msg: String,
    /// True when the fault is inside the value filter (→ invalidFilter).
    in_filter: bool,
}

impl PathFault {
    fn path(pos: usize, msg: impl Into<String>) -> Self {
        PathFault {
            pos,
            msg: msg.into(),
            in_filter: false,
        }
    }

    fn into_error(self, input: &str) -> ScimError {
        let detail = format!("invalid path {input:?} at byte {}: {}", self.pos, self.msg);
        if self.in_filter {
            ScimError::invalid_filter(detail)
        } else {
            ScimError::invalid_path(detail)
        }
    }
}

/// Byte offset of the `]` that closes the `[` at `open`, skipping quoted strings (with `\`
/// escapes) and nested brackets.
fn closing_bracket(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i < open) {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' => depth += 1,
            ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn parse_path(s: &str) -> Result<PatchPath, PathFault> {
    if s.is_empty() {
        return Err(PathFault::path(0, "the path is empty"));
    }
    let Some(open) = s.find('[') else {
        let attr = AttrPath::parse(s).map_err(|e| PathFault::path(e.pos, e.msg))?;
        return Ok(PatchPath {
            attr,
            filter: None,
            sub_after_filter: None,
        });
    };
    let head = s.get(..open).unwrap_or_default();
    if head.is_empty() {
        return Err(PathFault::path(0, "expected an attribute name before '['"));
    }
    let attr = AttrPath::parse(head).map_err(|e| PathFault::path(e.pos, e.msg))?;
    if attr.sub.is_some() {
        let dot = head.rfind('.').unwrap_or(open);
        return Err(PathFault::path(
            dot,
            "a value filter applies to a multi-valued attribute, not to a sub-attribute",
        ));
    }
    let Some(close) = closing_bracket(s, open) else {
        return Err(PathFault::path(
            s.len(),
            format!("expected ']' to close the '[' at byte {open}"),
        ));
    };
    let inner = s.get(open + 1..close).unwrap_or_default();
    if inner.trim().is_empty() {
        return Err(PathFault::path(
            open + 1,
            "the value filter between '[' and ']' is empty",
        ));
    }
    let filter = Filter::parse(inner).map_err(|e| PathFault {
        pos: open + 1 + e.pos,
        msg: e.msg,
        in_filter: true,
    })?;
    if contains_value_path(&filter) {
        return Err(PathFault {
            pos: open + 1,
            msg: "a value filter must not contain another value filter".into(),
            in_filter: true,
        });
    }
    let rest = s.get(close + 1..).unwrap_or_default();
    let sub_after_filter = if rest.is_empty() {
        None
    } else if let Some(sub) = rest.strip_prefix('.') {
        if !is_attr_name(sub) {
            return Err(PathFault::path(
                close + 2,
                format!("{sub:?} is not a sub-attribute name"),
            ));
        }
        Some(sub.to_string())
    } else {
        return Err(PathFault::path(
            close + 1,
            "expected '.subAttribute' or the end of the path after ']'",
        ));
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub_after_filter,
    })
}

/// Whether `f` holds a `ValuePath` anywhere (RFC 7644 Figure 7: `valFilter` has none). Walks
/// with an explicit stack, so a long `and` chain cannot overflow the call stack.
fn contains_value_path(f: &Filter) -> bool {
    let mut stack = vec![f];
    while let Some(f) = stack.pop() {
        match f {
            Filter::ValuePath { .. } => return true,
            Filter::And(a, b) | Filter::Or(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            Filter::Not(a) => stack.push(a),
            Filter::Compare { .. } | Filter::Present(_) => {}
        }
    }
    false
}

impl PatchPath {
    /// Parse a PATCH `path`. A malformed path is `400 invalidPath`; a syntax error inside the
    /// value filter is `400 invalidFilter`. The detail names the byte offset.
    pub fn parse(s: &str) -> Result<PatchPath, ScimError> {
        parse_path(s).map_err(|f| f.into_error(s))
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_after_filter {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::patch::fixtures::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn fault(s: &str) -> PathFault {
        match parse_path(s) {
            Ok(p) => panic!("{s:?} parsed as {p:?}"),
            Err(f) => f,
        }
    }

    fn pp(s: &str) -> PatchPath {
        PatchPath::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }
    // ----- path grammar -------------------------------------------------------------------

    #[test]
    fn path_attr_sub_and_urn_forms() {
        assert_eq!(
            pp("userName"),
            PatchPath {
                attr: AttrPath::attr("userName"),
                filter: None,
                sub_after_filter: None
            }
        );
        assert_eq!(
            pp("name.givenName").attr,
            AttrPath::sub("name", "givenName")
        );
        let p = pp(&format!("{ENT}:manager.value"));
        assert_eq!(
            (
                p.attr.urn.as_deref(),
                p.attr.attr.as_str(),
                p.attr.sub.as_deref()
            ),
            (Some(ENT), "manager", Some("value"))
        );
        let p = pp(&format!("{ENT}:employeeNumber"));
        assert_eq!(
            (p.attr.attr.as_str(), p.attr.sub.as_deref()),
            ("employeeNumber", None)
        );
    }

    #[test]
    fn path_value_filter_and_sub_after_filter() {
        let p = pp("emails[type eq \"work\"]");
        assert_eq!(p.attr, AttrPath::attr("emails"));
        assert!(p.filter.is_some());
        assert_eq!(p.sub_after_filter, None);
        let p = pp("emails[type eq \"work\"].value");
        assert_eq!(p.sub_after_filter.as_deref(), Some("value"));
        let p = pp(&format!("{USER_SCHEMA}:emails[type eq \"work\"].value"));
        assert_eq!(
            (p.attr.urn.as_deref(), p.attr.attr.as_str()),
            (Some(USER_SCHEMA), "emails")
        );
        assert_eq!(p.sub_after_filter.as_deref(), Some("value"));
    }

    #[test]
    fn path_filter_strings_may_hold_brackets_colons_and_quotes() {
        // lightdash#18243: a ':' inside the filter must not be taken for a URN separator.
        let p = pp("roles[value eq \"a:b\"]");
        assert_eq!(p.attr, AttrPath::attr("roles"));
        let p = pp(r#"roles[value eq "x]y"].display"#);
        assert_eq!(p.sub_after_filter.as_deref(), Some("display"));
        let p = pp(r#"roles[value eq "q\"]"]"#);
        assert_eq!(p.attr, AttrPath::attr("roles"));
        assert_eq!(p.sub_after_filter, None);
    }

    #[test]
    fn path_errors_are_invalid_path_with_positions() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("name..givenName", 5),
            ("1abc", 0),
            ("na me", 0),
            ("emails[type eq \"work\"", 21),
            ("emails[]", 7),
            ("emails[  ]", 7),
            ("emails[type eq \"work\"]value", 22),
            ("emails[type eq \"work\"].", 23),
            ("emails[type eq \"work\"].1x", 23),
            ("emails[type eq \"work\"][x eq 1]", 22),
            ("[type eq \"work\"]", 0),
            ("name.givenName[type eq \"x\"]", 4),
            ("urn:foo:", 8),
        ];
        for &(input, pos) in cases {
            let f = fault(input);
            assert!(!f.in_filter, "{input:?}: {f:?}");
            assert_eq!(f.pos, pos, "{input:?}: {}", f.msg);
            let e = PatchPath::parse(input)
                .err()
                .unwrap_or_else(|| panic!("{input:?}"));
            assert_eq!(e.scim_type, Some(ScimType::InvalidPath), "{input:?}");
            assert!(e.detail.contains(&format!("at byte {pos}")), "{}", e.detail);
        }
        assert!(
            fault("emails[type eq \"work\"")
                .msg
                .contains("expected ']'")
        );
    }

    #[test]
    fn bad_filter_inside_brackets_is_invalid_filter_at_path_offset() {
        let f = fault("emails[type zz \"work\"].value");
        assert!(f.in_filter);
        assert!(
            f.pos >= 7 && f.pos <= 21,
            "position {} is not inside the brackets",
            f.pos
        );
        let e = PatchPath::parse("emails[type zz \"work\"]")
            .err()
            .unwrap_or_else(|| panic!("parsed"));
        assert_eq!(
            (e.status, e.scim_type),
            (400, Some(ScimType::InvalidFilter))
        );
    }

    #[test]
    fn nested_value_filter_is_invalid_filter() {
        let f = fault("emails[type[value eq \"x\"]]");
        assert!(f.in_filter, "{f:?}");
        let e = PatchPath::parse("members[value eq \"x\" and emails[type eq \"y\"]]").err();
        assert_eq!(e.map(|e| e.scim_type), Some(Some(ScimType::InvalidFilter)));
    }

    #[test]
    fn path_display_round_trips() {
        for s in [
            "userName",
            "name.givenName",
            "emails[type eq \"work\"].value",
            "members[value eq \"2819c223\"]",
            &format!("{ENT}:manager.value"),
            &format!("{USER_SCHEMA}:emails[type eq \"work\"]"),
        ] {
            let p = pp(s);
            assert_eq!(pp(&p.to_string()), p, "{s}");
        }
        assert_eq!(pp("name.givenName").to_string(), "name.givenName");
    }

    proptest! {
        #[test]
        fn patch_path_display_parse_round_trip(
            urn in proptest::option::of(Just(ENT)),
            attr in "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
            sub in proptest::option::of("[a-zA-Z][a-zA-Z0-9]{0,6}"),
            filter in proptest::option::of(("[a-zA-Z][a-zA-Z0-9]{0,6}", "[a-z0-9 :\\[\\]\"\\\\]{0,6}")),
        ) {
            let mut s = String::new();
            if let Some(u) = urn { s.push_str(u); s.push(':'); }
            s.push_str(&attr);
            if let Some((fattr, fval)) = &filter {
                s.push_str(&format!("[{fattr} eq {}]", Value::String(fval.clone())));
            }
            if let Some(sub) = &sub { s.push('.'); s.push_str(sub); }
            let p = PatchPath::parse(&s).map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
            prop_assert_eq!(p.filter.is_some(), filter.is_some());
            let again = PatchPath::parse(&p.to_string()).map_err(|e| TestCaseError::fail(format!("{}: {e}", p)))?;
            prop_assert_eq!(again, p);
        }
    }
}
