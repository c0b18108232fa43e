//! The filter expression as a typed tree (RFC 7644 §3.4.2.2): operators, literals, the
//! [`Filter`] AST, and its canonical `Display`, which re-parses to the same tree.

use crate::scim::path::AttrPath;
use serde_json::Number;
use std::fmt;

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

impl Filter {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::fixtures::*;
    use serde_json::Number;

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
}
