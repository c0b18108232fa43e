//! The equality hint a provider uses to narrow candidates through an index before it runs the
//! full filter.

use super::ast::{CompValue, CompareOp, Filter};
use crate::scim::path::AttrPath;

impl Filter {
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
    use crate::scim::filter::fixtures::*;
    use crate::scim::schema::ENTERPRISE_USER_SCHEMA as ENT;

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
}
