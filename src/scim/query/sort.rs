//! Sorting list results by `sortBy` / `sortOrder` (RFC 7644 §3.4.2.3), and the check a service
//! runs on `sortBy` before it sorts.
//!
//! - **Sorting** follows §3.4.2.3: resources without a value sort last ascending and first
//!   descending (descending is the exact reverse of ascending; ties keep their input order).

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::json::{get_ci, integer_cmp};
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, AttrType, Attribute};
use serde_json::{Number, Value};
use std::cmp::Ordering;

/// The `sortOrder` of RFC 7644 §3.4.2.3; ascending unless the client says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// Smallest first; resources without a value last.
    #[default]
    Ascending,
    /// Largest first; resources without a value first.
    Descending,
}

impl SortOrder {
    /// Parse `ascending` / `descending`, case-insensitively; anything else is 400 `invalidValue`.
    pub fn parse(s: &str) -> ScimResult<SortOrder> {
        if s.eq_ignore_ascii_case("ascending") {
            Ok(SortOrder::Ascending)
        } else if s.eq_ignore_ascii_case("descending") {
            Ok(SortOrder::Descending)
        } else {
            Err(ScimError::invalid_value(format!(
                "sortOrder must be \"ascending\" or \"descending\", not {s:?}"
            )))
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }
}

/// A comparable sort key. Across kinds (only possible with inconsistent data) the order is
/// boolean < number < dateTime < string.
#[derive(Debug)]
enum Key {
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(Number),
    /// A parsed dateTime.
    Time(chrono::DateTime<chrono::FixedOffset>),
    /// A string, already lowercased when the attribute is not caseExact.
    Str(String),
}

impl Key {
    /// Position of the key's kind in the cross-kind order.
    fn rank(&self) -> u8 {
        match self {
            Key::Bool(_) => 0,
            Key::Num(_) => 1,
            Key::Time(_) => 2,
            Key::Str(_) => 3,
        }
    }

    /// Total order of two keys.
    fn compare(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Num(a), Key::Num(b)) => cmp_num(a, b),
            (Key::Time(a), Key::Time(b)) => a.cmp(b),
            (Key::Str(a), Key::Str(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// Numeric order of two JSON numbers, exact for integers.
fn cmp_num(a: &Number, b: &Number) -> Ordering {
    integer_cmp(a, b).unwrap_or_else(|| {
        let x = a.as_f64().unwrap_or(f64::NAN);
        let y = b.as_f64().unwrap_or(f64::NAN);
        x.total_cmp(&y)
    })
}

/// The value a resource sorts by (§3.4.2.3): for a multi-valued attribute the `primary` value,
/// else the first; for a multi-valued complex attribute without a named sub-attribute, that
/// value's `value`. `None` when the resource has no (scalar) value.
fn sort_value<'v>(
    res: &'v Value,
    ext: Option<&str>,
    attr: &str,
    sub: Option<&str>,
) -> Option<&'v Value> {
    let container = match ext {
        Some(u) => get_ci(res, u)?,
        None => res,
    };
    let v = get_ci(container, attr)?;
    let v = match v {
        Value::Array(items) => {
            let pick = items
                .iter()
                .find(|e| get_ci(e, "primary") == Some(&Value::Bool(true)))
                .or_else(|| items.iter().find(|e| !e.is_null()))?;
            match sub {
                Some(s) => get_ci(pick, s)?,
                None if pick.is_object() => get_ci(pick, "value")?,
                None => pick,
            }
        }
        other => match sub {
            Some(s) => get_ci(other, s)?,
            None => other,
        },
    };
    match v {
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        scalar => Some(scalar),
    }
}

/// The sort key of a scalar, by the attribute's type and `caseExact`; without a definition
/// strings are case-insensitive and RFC 3339 strings compare as instants.
fn sort_key(v: &Value, def: Option<&Attribute>) -> Option<Key> {
    let ty = def.map(|d| d.attr_type);
    let case_exact = def.is_some_and(|d| d.case_exact);
    match v {
        Value::String(s) => {
            if matches!(ty, None | Some(AttrType::DateTime))
                && let Ok(t) = chrono::DateTime::parse_from_rfc3339(s)
            {
                return Some(Key::Time(t));
            }
            Some(Key::Str(if case_exact {
                s.clone()
            } else {
                s.to_lowercase()
            }))
        }
        Value::Number(n) => Some(Key::Num(n.clone())),
        Value::Bool(b) => Some(Key::Bool(*b)),
        _ => None,
    }
}

/// Check a `sortBy` against the resource's schema before sorting (a service's check; [`sort`]
/// itself sorts any path by whatever data is there): the path must name a defined attribute,
/// and a singular complex attribute must be narrowed to a sub-attribute (RFC 7644 §3.4.2.3:
/// "the attribute name must be a path to a sub-attribute"). Otherwise 400 `invalidValue`:
/// ordering by nothing would silently return an unsorted page.
pub fn check_sort_by(sort_by: &AttrPath, schema: &dyn AttrLookup) -> ScimResult<()> {
    let Some(r) = schema.resolve(sort_by) else {
        return Err(ScimError::invalid_value(format!(
            "sortBy {sort_by}: no such attribute"
        )));
    };
    if r.sub.is_none() && r.top.attr_type == AttrType::Complex && !r.top.multi_valued {
        return Err(ScimError::invalid_value(format!(
            "sortBy {sort_by}: a complex attribute needs a sub-attribute, e.g. {}.{}",
            r.top.name,
            r.top
                .sub_attributes
                .first()
                .map_or("value", |a| a.name.as_str())
        )));
    }
    Ok(())
}

/// Sort in place by `sort_by` (stable) per RFC 7644 §3.4.2.3: strings compare
/// case-insensitively unless the attribute is `caseExact`, dateTimes chronologically, numbers
/// numerically; a multi-valued attribute sorts by its primary value, else its first; resources
/// with no value sort last ascending and first descending.
pub fn sort(
    resources: &mut [Value],
    sort_by: &AttrPath,
    order: SortOrder,
    schema: &dyn AttrLookup,
) {
    let urns = schema.schema_urns();
    let resolved = schema.resolve(sort_by);
    let (ext, attr, sub) = match &resolved {
        Some(r) => (
            r.extension.map(str::to_string),
            r.top.name.clone(),
            r.sub
                .map(|s| s.name.clone())
                .or_else(|| sort_by.sub.clone()),
        ),
        None => {
            let is_core = |u: &str| urns.first().is_some_and(|c| c.eq_ignore_ascii_case(u));
            (
                sort_by.urn.clone().filter(|u| !is_core(u)),
                sort_by.attr.clone(),
                sort_by.sub.clone(),
            )
        }
    };
    let def = resolved.map(|r| match r.sub {
        Some(s) => s,
        None if r.top.multi_valued && r.top.attr_type == AttrType::Complex => {
            r.top.sub_attribute("value").unwrap_or(r.top)
        }
        None => r.top,
    });
    let mut keyed: Vec<(Option<Key>, Value)> = resources
        .iter_mut()
        .map(|r| {
            let key =
                sort_value(r, ext.as_deref(), &attr, sub.as_deref()).and_then(|v| sort_key(v, def));
            (key, std::mem::take(r))
        })
        .collect();
    let ascending = |a: &Option<Key>, b: &Option<Key>| match (a, b) {
        (Some(x), Some(y)) => x.compare(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    match order {
        SortOrder::Ascending => keyed.sort_by(|a, b| ascending(&a.0, &b.0)),
        SortOrder::Descending => keyed.sort_by(|a, b| ascending(&b.0, &a.0)),
    }
    for (slot, (_, v)) in resources.iter_mut().zip(keyed) {
        *slot = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::query::fixtures::*;
    use serde_json::json;

    // ----- sorting ----------------------------------------------------------------------------

    fn sorted_by(mut rs: Vec<Value>, by: &str, order: SortOrder, field: &str) -> Vec<Value> {
        let path = AttrPath::parse(by).unwrap_or_else(|e| panic!("{e}"));
        sort(&mut rs, &path, order, &fake());
        rs.iter().map(|r| r[field].clone()).collect()
    }

    #[test]
    fn sort_strings_case_insensitive_by_default() {
        let rs = vec![
            json!({"id": "1", "userName": "bob"}),
            json!({"id": "2", "userName": "Alice"}),
            json!({"id": "3", "userName": "carol"}),
        ];
        assert_eq!(
            sorted_by(rs, "userName", SortOrder::Ascending, "id"),
            vec!["2", "1", "3"]
        );
    }

    #[test]
    fn sort_case_exact_uses_code_points() {
        let rs = vec![json!({"id": "b"}), json!({"id": "B"}), json!({"id": "a"})];
        assert_eq!(
            sorted_by(rs, "id", SortOrder::Ascending, "id"),
            vec!["B", "a", "b"]
        );
    }

    #[test]
    fn sort_missing_values_last_ascending_first_descending() {
        let rs = vec![
            json!({"id": "1", "displayName": "m"}),
            json!({"id": "2"}),
            json!({"id": "3", "displayName": "a"}),
            json!({"id": "4", "displayName": null}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "displayName", SortOrder::Ascending, "id"),
            vec!["3", "1", "2", "4"]
        );
        assert_eq!(
            sorted_by(rs, "displayName", SortOrder::Descending, "id"),
            vec!["2", "4", "1", "3"]
        );
    }

    #[test]
    fn sort_date_time_chronologically() {
        let rs = vec![
            json!({"id": "late", "meta": {"lastModified": "2020-01-01T09:30:00Z"}}),
            // 08:00Z: earlier, although it sorts later as a string
            json!({"id": "early", "meta": {"lastModified": "2020-01-01T10:00:00+02:00"}}),
            json!({"id": "earliest", "meta": {"lastModified": "2019-12-31T23:59:59.5Z"}}),
        ];
        assert_eq!(
            sorted_by(rs, "meta.lastModified", SortOrder::Ascending, "id"),
            vec!["earliest", "early", "late"]
        );
    }

    #[test]
    fn sort_numbers_numerically() {
        let rs = vec![
            json!({"id": "a", "rank": 10}),
            json!({"id": "b", "rank": 9}),
            json!({"id": "c", "rank": 100}),
            json!({"id": "d", "rank": -1.5}),
        ];
        assert_eq!(
            sorted_by(rs, "rank", SortOrder::Ascending, "id"),
            vec!["d", "b", "a", "c"]
        );
    }

    #[test]
    fn sort_multi_valued_by_primary_else_first() {
        let rs = vec![
            // primary is "z…", although its first value is "a…"
            json!({"id": "1", "emails": [{"value": "a@x"}, {"value": "z@x", "primary": true}]}),
            json!({"id": "2", "emails": [{"value": "m@x"}, {"value": "b@x"}]}),
            json!({"id": "3", "emails": []}),
            json!({"id": "4", "emails": [{"value": "C@x", "primary": false}]}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "emails", SortOrder::Ascending, "id"),
            vec!["4", "2", "1", "3"]
        );
        assert_eq!(
            sorted_by(rs, "emails.value", SortOrder::Ascending, "id"),
            vec!["4", "2", "1", "3"]
        );
    }

    #[test]
    fn sort_by_extension_attribute() {
        let rs = vec![
            json!({"id": "1", ENT: {"employeeNumber": "b"}}),
            json!({"id": "2"}),
            json!({"id": "3", ENT: {"employeeNumber": "A"}}),
        ];
        let by = format!("{ENT}:employeeNumber");
        assert_eq!(
            sorted_by(rs.clone(), &by, SortOrder::Ascending, "id"),
            vec!["3", "1", "2"]
        );
        assert_eq!(
            sorted_by(rs, "employeeNumber", SortOrder::Descending, "id"),
            vec!["2", "1", "3"]
        );
    }

    #[test]
    fn sort_is_stable_for_equal_keys_both_ways() {
        let rs = vec![
            json!({"id": "1", "userName": "x"}),
            json!({"id": "2", "userName": "X"}),
            json!({"id": "3", "userName": "a"}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "userName", SortOrder::Ascending, "id"),
            vec!["3", "1", "2"]
        );
        assert_eq!(
            sorted_by(rs, "userName", SortOrder::Descending, "id"),
            vec!["1", "2", "3"]
        );
    }

    #[test]
    fn check_sort_by_rejects_unknown_and_bare_singular_complex() {
        let f = fake();
        let ok = |s: &str| check_sort_by(&AttrPath::parse(s).unwrap_or_else(|e| panic!("{e}")), &f);
        assert!(ok("userName").is_ok());
        assert!(ok("USERNAME").is_ok());
        assert!(ok("name.givenName").is_ok());
        assert!(ok("emails").is_ok());
        assert!(ok("meta.lastModified").is_ok());
        assert!(ok(&format!("{ENT}:employeeNumber")).is_ok());
        for bad in ["nope", "name", "name.nope", "urn:x:y:nope"] {
            let e = ok(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(
                (e.status, e.scim_type),
                (400, Some(ScimType::InvalidValue)),
                "{bad}"
            );
        }
    }

    #[test]
    fn sort_by_unknown_attribute_uses_data_and_keeps_order_when_absent() {
        let rs = vec![
            json!({"id": "1", "nick": "b"}),
            json!({"id": "2", "nick": "A"}),
            json!({"id": "3"}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "nick", SortOrder::Ascending, "id"),
            vec!["2", "1", "3"]
        );
        assert_eq!(
            sorted_by(rs, "nothing", SortOrder::Ascending, "id"),
            vec!["1", "2", "3"]
        );
    }
}
