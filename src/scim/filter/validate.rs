//! Schema validation of a parsed filter: the filters a server must refuse as 400
//! `invalidFilter` (unknown attributes, operators the attribute type does not support, literals
//! of the wrong type, misplaced value paths).

use super::ast::{CompValue, CompareOp, Filter};
use crate::scim::error::ScimError;
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, AttrType, Resolved};

impl Filter {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::fixtures::*;
    use crate::scim::schema::ENTERPRISE_USER_SCHEMA as ENT;

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
}
