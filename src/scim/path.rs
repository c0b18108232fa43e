//! Attribute paths shared by filters, PATCH paths, `attributes=`, `sortBy` and the schema model:
//! `[URN ":"] ATTRNAME ["." subAttr]` (RFC 7644 §3.10, RFC 7643 §2.1). Names are compared
//! case-insensitively. Pure: no I/O.

use std::fmt;

/// A parsed attribute reference such as `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    /// The schema URN prefix, when the path is fully qualified (without the trailing `:`).
    pub urn: Option<String>,
    /// The top-level attribute name as written.
    pub attr: String,
    /// The sub-attribute name, when the path has one.
    pub sub: Option<String>,
}

/// Why a string is not an attribute path; `pos` is the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid attribute path at byte {pos}: {msg}")]
pub struct PathError {
    /// Byte offset into the input.
    pub pos: usize,
    /// What was wrong there.
    pub msg: String,
}

/// `ATTRNAME = ALPHA *(nameChar)`, `nameChar = "-" / "_" / DIGIT / ALPHA` (RFC 7643 §2.1).
/// `$ref` is accepted as well: it is the one reserved name that starts with `$`.
pub fn is_attr_name(s: &str) -> bool {
    if s == "$ref" {
        return true;
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True when `s` starts like a schema URN (`urn:`, any case). Compares bytes, so a multi-byte
/// character straddling byte 4 is simply "not a URN" (slicing the `str` there would panic).
pub fn looks_like_urn(s: &str) -> bool {
    s.as_bytes()
        .get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case(b"urn:"))
}

impl AttrPath {
    /// A plain top-level attribute.
    pub fn attr(name: impl Into<String>) -> Self {
        AttrPath {
            urn: None,
            attr: name.into(),
            sub: None,
        }
    }

    /// A sub-attribute of a top-level attribute.
    pub fn sub(name: impl Into<String>, sub: impl Into<String>) -> Self {
        AttrPath {
            urn: None,
            attr: name.into(),
            sub: Some(sub.into()),
        }
    }

    /// Parse `[URN:]attr[.sub]`. `offset` is added to error positions (the path's place in a
    /// larger input such as a filter).
    pub fn parse_at(s: &str, offset: usize) -> Result<AttrPath, PathError> {
        let (urn, rest, rest_at) = if looks_like_urn(s) {
            match s.rfind(':') {
                Some(i) if i + 1 < s.len() => (Some(s[..i].to_string()), &s[i + 1..], i + 1),
                _ => {
                    return Err(PathError {
                        pos: offset + s.len(),
                        msg: "a schema URN must be followed by ':' and an attribute name".into(),
                    });
                }
            }
        } else {
            (None, s, 0)
        };
        let (attr, sub) = match rest.find('.') {
            Some(i) => (&rest[..i], Some((&rest[i + 1..], rest_at + i + 1))),
            None => (rest, None),
        };
        if !is_attr_name(attr) {
            return Err(PathError {
                pos: offset + rest_at,
                msg: format!("{attr:?} is not an attribute name"),
            });
        }
        let sub = match sub {
            Some((sub, at)) => {
                if !is_attr_name(sub) {
                    return Err(PathError {
                        pos: offset + at,
                        msg: format!("{sub:?} is not a sub-attribute name"),
                    });
                }
                Some(sub.to_string())
            }
            None => None,
        };
        Ok(AttrPath {
            urn,
            attr: attr.to_string(),
            sub,
        })
    }

    /// Parse a path that starts at byte 0.
    pub fn parse(s: &str) -> Result<AttrPath, PathError> {
        Self::parse_at(s, 0)
    }

    /// Case-insensitive equality of the attribute (and sub-attribute) names; a URN on either
    /// side must match the other's URN, when both have one.
    pub fn same_attr(&self, other: &AttrPath) -> bool {
        let urn_ok = match (&self.urn, &other.urn) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        let sub_ok = match (&self.sub, &other.sub) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        urn_ok && sub_ok && self.attr.eq_ignore_ascii_case(&other.attr)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    #[test]
    fn parses_plain_sub_and_urn_paths() {
        assert_eq!(AttrPath::parse("userName"), Ok(AttrPath::attr("userName")));
        assert_eq!(
            AttrPath::parse("name.givenName"),
            Ok(AttrPath::sub("name", "givenName"))
        );
        let p = AttrPath::parse(&format!("{ENT}:manager.value")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.urn.as_deref(), Some(ENT));
        assert_eq!(p.attr, "manager");
        assert_eq!(p.sub.as_deref(), Some("value"));
        assert_eq!(p.to_string(), format!("{ENT}:manager.value"));
    }

    #[test]
    fn urn_version_dot_is_not_a_sub_attribute() {
        let p = AttrPath::parse(&format!("{ENT}:employeeNumber")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.attr, "employeeNumber");
        assert_eq!(p.sub, None);
    }

    #[test]
    fn rejects_bad_names_with_position() {
        assert_eq!(AttrPath::parse("1abc").map_err(|e| e.pos), Err(0));
        assert_eq!(AttrPath::parse("name.").map_err(|e| e.pos), Err(5));
        assert_eq!(AttrPath::parse_at("na me", 10).map_err(|e| e.pos), Err(10));
        assert!(AttrPath::parse("urn:foo:").is_err());
    }

    /// Found by the `patch_path` fuzz target: a multi-byte character across byte 4 made
    /// `looks_like_urn` slice inside it and panic, reachable from a PATCH path, a path-less PATCH
    /// value key and `attributes=`.
    #[test]
    fn regression_multibyte_char_across_byte_4_is_no_urn_and_no_panic() {
        let input = "een\u{331e}men\u{3336}d";
        assert!(!looks_like_urn(input));
        assert!(AttrPath::parse(input).is_err());
        assert!(!looks_like_urn("urn\u{e9}:x"));
        assert!(!looks_like_urn("ur"));
        assert!(looks_like_urn("URN:x"));
    }

    proptest! {
        /// Any string, and in particular a short ASCII prefix followed by a multi-byte character
        /// (the class of the fuzz finding above): parsing never panics, an error points at a
        /// character boundary, and what parses prints back to itself.
        #[test]
        fn parse_never_panics_and_round_trips(
            s in prop_oneof![
                any::<String>(),
                ("(?i)(u|ur|urn|urn:)?", "[a-z.:]{0,3}", "[\u{80}-\u{10ffff}]", "[a-zA-Z.:\u{80}-\u{ffff}]{0,8}")
                    .prop_map(|(a, b, c, d)| format!("{a}{b}{c}{d}")),
            ]
        ) {
            let _ = looks_like_urn(&s);
            match AttrPath::parse(&s) {
                Ok(p) => prop_assert_eq!(AttrPath::parse(&p.to_string()), Ok(p)),
                Err(e) => prop_assert!(e.pos <= s.len() && s.is_char_boundary(e.pos), "{e:?}"),
            }
        }
    }

    #[test]
    fn same_attr_is_case_insensitive() {
        let a = AttrPath::parse("NAME.GivenName").unwrap_or_else(|e| panic!("{e}"));
        assert!(a.same_attr(&AttrPath::sub("name", "givenname")));
        assert!(!a.same_attr(&AttrPath::attr("name")));
    }
}
