//! The query parameters of a list request and the `SearchRequest` body, read into a
//! [`ListQuery`].
//!
//! Decisions where the RFCs leave room:
//! - **Errors.** A bad parameter value (non-integer `startIndex`/`count`, unknown `sortOrder`,
//!   malformed attribute path, malformed percent-encoding, a recognised parameter given twice)
//!   is 400 `invalidValue`. A `SearchRequest` whose structure is wrong (not an object, no
//!   `schemas` listing the SearchRequest URN, a member given twice under different cases) is
//!   400 `invalidSyntax`; a wrong member value in it is 400 `invalidValue`, as for GET.
//! - **Integers.** `startIndex < 1` is 1 and `count < 0` is 0 (§3.4.2.4 "SHALL be interpreted
//!   as"); values beyond the machine range saturate instead of failing.
//! - **`cursor`** (RFC 9865 §2) is kept as sent: present and empty asks for the first page of a
//!   cursor-paged query, absent means index paging. Whether a non-empty value is a cursor this
//!   server issued is for the caller to decide (`cursor::decode`), not the parser.

use super::sort::SortOrder;
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::path::AttrPath;
use crate::scim::schema::SEARCH_REQUEST;
use serde_json::Value;

/// A list or search request after parsing: what to match, how to order, which page, and which
/// attributes to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// The raw filter expression; the caller parses it with the filter module.
    pub filter: Option<String>,
    /// The attribute to sort by.
    pub sort_by: Option<AttrPath>,
    /// The sort direction (ascending when not given).
    pub sort_order: SortOrder,
    /// 1-based index of the first result, after §3.4.2.4 clamping (never below 1).
    pub start_index: usize,
    /// Requested page size after clamping (negative → 0); `None` means the server default.
    pub count: Option<usize>,
    /// `attributes`: when non-empty, only these (plus `returned: always`) are returned.
    pub attributes: Vec<AttrPath>,
    /// `excludedAttributes`: removed from the returned set unless `returned: always`.
    pub excluded_attributes: Vec<AttrPath>,
    /// RFC 9865 `cursor`: `Some("")` starts a cursor-paged query, `Some(token)` continues one,
    /// `None` is index paging.
    pub cursor: Option<String>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            filter: None,
            sort_by: None,
            sort_order: SortOrder::Ascending,
            start_index: 1,
            count: None,
            attributes: Vec::new(),
            excluded_attributes: Vec::new(),
            cursor: None,
        }
    }
}

/// The list/search parameters RFC 7644 §3.4.2 defines, and RFC 9865 §2's `cursor`, in their
/// canonical spelling.
pub const PARAMS: [&str; 8] = [
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "attributes",
    "excludedAttributes",
    "cursor",
];

impl ListQuery {
    /// From URL query parameters (names matched case-insensitively; values already
    /// percent-decoded, see [`decode_query`]). Unknown parameters are ignored; a recognised one
    /// given twice is 400 `invalidValue`.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ScimResult<ListQuery> {
        let mut q = ListQuery::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (name, value) in params {
            let Some(key) = PARAMS
                .iter()
                .copied()
                .find(|k| k.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if seen.contains(&key) {
                return Err(ScimError::invalid_value(format!(
                    "query parameter {key} is given more than once"
                )));
            }
            seen.push(key);
            match key {
                "filter" => q.filter = Some(value.to_string()),
                "sortBy" => q.sort_by = Some(parse_sort_by(value)?),
                "sortOrder" => q.sort_order = SortOrder::parse(value.trim())?,
                "startIndex" => q.start_index = clamp_start(parse_int(value, key)?),
                "count" => q.count = Some(clamp_count(parse_int(value, key)?)),
                "attributes" => q.attributes = parse_attr_list(value)?,
                "cursor" => q.cursor = Some(value.to_string()),
                _ => q.excluded_attributes = parse_attr_list(value)?,
            }
        }
        Ok(q)
    }

    /// From a `POST .search` body (RFC 7644 §3.4.3): `schemas` must list the SearchRequest URN;
    /// `attributes` / `excludedAttributes` are arrays of paths; `sortBy`, `sortOrder` and
    /// `filter` and `cursor` (RFC 9865 §3) are strings; `startIndex` and `count` integers. Member names match
    /// case-insensitively, `null` members count as absent and unknown members are ignored.
    pub fn from_search_request(body: &Value) -> ScimResult<ListQuery> {
        let Some(obj) = body.as_object() else {
            return Err(ScimError::invalid_syntax(
                "a SearchRequest body must be a JSON object",
            ));
        };
        let mut found: Vec<(&'static str, &Value)> = Vec::new();
        let mut schemas = None;
        for (name, value) in obj {
            let key = if name.eq_ignore_ascii_case("schemas") {
                "schemas"
            } else if let Some(k) = PARAMS
                .iter()
                .copied()
                .find(|k| k.eq_ignore_ascii_case(name))
            {
                k
            } else {
                continue;
            };
            if (key == "schemas" && schemas.is_some()) || found.iter().any(|(k, _)| *k == key) {
                return Err(ScimError::invalid_syntax(format!(
                    "SearchRequest member {key} is given more than once"
                )));
            }
            if key == "schemas" {
                schemas = Some(value);
            } else if !value.is_null() {
                found.push((key, value));
            }
        }
        let lists_search_request = schemas.and_then(Value::as_array).is_some_and(|a| {
            a.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST))
            })
        });
        if !lists_search_request {
            return Err(ScimError::invalid_syntax(format!(
                "a SearchRequest must have \"schemas\": [\"{SEARCH_REQUEST}\"]"
            )));
        }
        let mut q = ListQuery::default();
        for (key, value) in found {
            match key {
                "filter" => q.filter = Some(body_str(value, key)?.to_string()),
                "sortBy" => q.sort_by = Some(parse_sort_by(body_str(value, key)?)?),
                "sortOrder" => q.sort_order = SortOrder::parse(body_str(value, key)?)?,
                "startIndex" => q.start_index = clamp_start(body_int(value, key)?),
                "count" => q.count = Some(clamp_count(body_int(value, key)?)),
                "attributes" => q.attributes = body_paths(value, key)?,
                "cursor" => q.cursor = Some(body_str(value, key)?.to_string()),
                _ => q.excluded_attributes = body_paths(value, key)?,
            }
        }
        Ok(q)
    }
}

/// A string member of a SearchRequest.
fn body_str<'v>(value: &'v Value, key: &str) -> ScimResult<&'v str> {
    value
        .as_str()
        .ok_or_else(|| ScimError::invalid_value(format!("SearchRequest {key} must be a string")))
}

/// An integer member of a SearchRequest (saturating beyond `i64`).
fn body_int(value: &Value, key: &str) -> ScimResult<i64> {
    let not_int = || ScimError::invalid_value(format!("SearchRequest {key} must be an integer"));
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Ok(i),
            (None, Some(_)) => Ok(i64::MAX),
            (None, None) => Err(not_int()),
        },
        _ => Err(not_int()),
    }
}

/// An array-of-paths member of a SearchRequest.
fn body_paths(value: &Value, key: &str) -> ScimResult<Vec<AttrPath>> {
    let not_list =
        || ScimError::invalid_value(format!("SearchRequest {key} must be an array of strings"));
    let items = value.as_array().ok_or_else(not_list)?;
    let mut out = Vec::new();
    for item in items {
        out.extend(parse_attr_list(item.as_str().ok_or_else(not_list)?)?);
    }
    Ok(out)
}

/// Parse an integer parameter: optional sign and ASCII digits, surrounding spaces allowed,
/// saturating at the `i64` range.
fn parse_int(s: &str, key: &str) -> ScimResult<i64> {
    let bad = || ScimError::invalid_value(format!("{key} must be an integer, not {s:?}"));
    let t = s.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut n: i64 = 0;
    for b in digits.bytes() {
        let d = i64::from(b - b'0');
        n = if negative {
            n.saturating_mul(10).saturating_sub(d)
        } else {
            n.saturating_mul(10).saturating_add(d)
        };
    }
    Ok(n)
}

/// §3.4.2.4: a `startIndex` below 1 is 1.
fn clamp_start(n: i64) -> usize {
    if n < 1 {
        1
    } else {
        usize::try_from(n).unwrap_or(usize::MAX)
    }
}

/// §3.4.2.4: a negative `count` is 0.
fn clamp_count(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

/// Parse a `sortBy` value (one attribute path).
fn parse_sort_by(s: &str) -> ScimResult<AttrPath> {
    let t = s.trim();
    AttrPath::parse(t).map_err(|e| ScimError::invalid_value(format!("sortBy {t:?}: {e}")))
}

/// Parse `attributes=` / `excludedAttributes=` comma lists: items are trimmed, may be
/// URN-qualified (`urn:…:User:employeeNumber`), a sub-attribute (`name.givenName`) or a schema
/// URN alone. An empty or all-blank string is an empty list; an empty item among others, or an
/// item that is not an attribute path, is 400 `invalidValue`.
pub fn parse_attr_list(s: &str) -> ScimResult<Vec<AttrPath>> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|item| {
            let t = item.trim();
            if t.is_empty() {
                return Err(ScimError::invalid_value(format!(
                    "empty attribute name in list {s:?}"
                )));
            }
            AttrPath::parse(t).map_err(|e| ScimError::invalid_value(format!("{t:?}: {e}")))
        })
        .collect()
}

/// Raw (not yet percent-decoded) query string → decoded `(name, value)` pairs, in order. A
/// leading `?` is skipped, empty segments are ignored, a segment without `=` has an empty value,
/// `+` is a space (form encoding) and `%XX` a byte. A malformed escape or bytes that are not
/// UTF-8 are 400 `invalidValue`.
pub fn decode_query(raw: &str) -> ScimResult<Vec<(String, String)>> {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    let mut out = Vec::new();
    for seg in raw.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
        out.push((decode_component(k)?, decode_component(v)?));
    }
    Ok(out)
}

/// Decode one form-encoded component.
fn decode_component(s: &str) -> ScimResult<String> {
    let mut buf = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => buf.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(hex_val);
                let lo = bytes.next().and_then(hex_val);
                match (hi, lo) {
                    (Some(h), Some(l)) => buf.push((h << 4) | l),
                    _ => {
                        return Err(ScimError::invalid_value(format!(
                            "malformed percent-escape in query component {s:?}"
                        )));
                    }
                }
            }
            other => buf.push(other),
        }
    }
    String::from_utf8(buf).map_err(|_| {
        ScimError::invalid_value(format!("query component {s:?} does not decode to UTF-8"))
    })
}

/// The value of one hexadecimal digit.
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::query::fixtures::*;
    use serde_json::json;

    // ----- query parameters -------------------------------------------------------------------

    #[test]
    fn no_params_give_defaults() {
        let lq = ok(q(&[]));
        assert_eq!(lq, ListQuery::default());
        assert_eq!(lq.start_index, 1);
        assert_eq!(lq.count, None);
        assert_eq!(lq.sort_order, SortOrder::Ascending);
    }

    #[test]
    fn param_names_match_case_insensitively() {
        let lq = ok(q(&[
            ("STARTINDEX", "3"),
            ("Count", "7"),
            ("sortby", "name.givenName"),
            ("SortOrder", "DESCENDING"),
            ("FILTER", "userName eq \"x\""),
            ("ATTRIBUTES", "userName"),
            ("excludedattributes", "emails"),
        ]));
        assert_eq!(lq.start_index, 3);
        assert_eq!(lq.count, Some(7));
        assert_eq!(lq.sort_by, Some(AttrPath::sub("name", "givenName")));
        assert_eq!(lq.sort_order, SortOrder::Descending);
        assert_eq!(lq.filter.as_deref(), Some("userName eq \"x\""));
        assert_eq!(lq.attributes, vec![AttrPath::attr("userName")]);
        assert_eq!(lq.excluded_attributes, vec![AttrPath::attr("emails")]);
    }

    #[test]
    fn non_integer_paging_values_are_invalid_value() {
        for bad in ["abc", "1.5", "", "1e3", "--1", "0x10", "+"] {
            assert_eq!(
                kind(q(&[("startIndex", bad)])),
                Some(ScimType::InvalidValue),
                "{bad:?}"
            );
            assert_eq!(
                kind(q(&[("count", bad)])),
                Some(ScimType::InvalidValue),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn negative_count_is_zero_and_small_start_index_is_one() {
        assert_eq!(ok(q(&[("count", "-1")])).count, Some(0));
        assert_eq!(
            ok(q(&[("count", "-99999999999999999999999")])).count,
            Some(0)
        );
        assert_eq!(ok(q(&[("count", "0")])).count, Some(0));
        assert_eq!(ok(q(&[("startIndex", "0")])).start_index, 1);
        assert_eq!(ok(q(&[("startIndex", "-5")])).start_index, 1);
        assert_eq!(ok(q(&[("startIndex", " +4 ")])).start_index, 4);
    }

    #[test]
    fn huge_integers_saturate() {
        let lq = ok(q(&[
            ("startIndex", "99999999999999999999999"),
            ("count", "99999999999999999999"),
        ]));
        let big = usize::try_from(i64::MAX).unwrap_or(usize::MAX);
        assert_eq!(lq.start_index, big);
        assert_eq!(lq.count, Some(big));
    }

    #[test]
    fn sort_order_values() {
        assert_eq!(
            ok(q(&[("sortOrder", "ascending")])).sort_order,
            SortOrder::Ascending
        );
        assert_eq!(
            ok(q(&[("sortOrder", "Descending")])).sort_order,
            SortOrder::Descending
        );
        for bad in ["sideways", "asc", "desc", ""] {
            assert_eq!(
                kind(q(&[("sortOrder", bad)])),
                Some(ScimType::InvalidValue),
                "{bad:?}"
            );
        }
        assert_eq!(SortOrder::Descending.as_str(), "descending");
    }

    #[test]
    fn unknown_params_are_ignored() {
        let lq = ok(q(&[("foo", "bar"), ("count", "2"), ("startIndexx", "zzz")]));
        assert_eq!(lq.count, Some(2));
        assert_eq!(lq.start_index, 1);
    }

    #[test]
    fn repeated_param_is_invalid_value() {
        assert_eq!(
            kind(q(&[("count", "1"), ("COUNT", "2")])),
            Some(ScimType::InvalidValue)
        );
    }

    #[test]
    fn bad_sort_by_and_attribute_paths_are_invalid_value() {
        assert_eq!(kind(q(&[("sortBy", "1abc")])), Some(ScimType::InvalidValue));
        assert_eq!(
            kind(q(&[("attributes", "emails[type eq \"work\"]")])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(q(&[("excludedAttributes", "userName,,emails")])),
            Some(ScimType::InvalidValue)
        );
    }

    #[test]
    fn attributes_and_excluded_attributes_may_both_be_given() {
        let lq = ok(q(&[
            ("attributes", "name"),
            ("excludedAttributes", "name.givenName"),
        ]));
        assert_eq!(lq.attributes, vec![AttrPath::attr("name")]);
        assert_eq!(
            lq.excluded_attributes,
            vec![AttrPath::sub("name", "givenName")]
        );
    }

    #[test]
    fn attr_list_trims_and_accepts_urns_and_sub_attributes() {
        let list = paths(&format!(
            " userName , name.givenName,{ENT}:manager.value , {ENT}"
        ));
        assert_eq!(list.len(), 4);
        assert_eq!(list[0], AttrPath::attr("userName"));
        assert_eq!(list[1], AttrPath::sub("name", "givenName"));
        assert_eq!(list[2].urn.as_deref(), Some(ENT));
        assert_eq!(
            (list[2].attr.as_str(), list[2].sub.as_deref()),
            ("manager", Some("value"))
        );
        assert_eq!(list[3].to_string(), ENT);
        assert!(paths("").is_empty());
        assert!(paths("  ").is_empty());
        assert_eq!(
            kind(parse_attr_list("userName,")),
            Some(ScimType::InvalidValue)
        );
    }

    // ----- cursor (RFC 9865) -------------------------------------------------------------------

    #[test]
    fn cursor_is_kept_as_sent_and_empty_starts_a_cursor_query() {
        assert_eq!(ok(q(&[])).cursor, None);
        assert_eq!(ok(q(&[("cursor", "")])).cursor.as_deref(), Some(""));
        assert_eq!(
            ok(q(&[("Cursor", "VZUTiyhEQJ94IR"), ("count", "10")]))
                .cursor
                .as_deref(),
            Some("VZUTiyhEQJ94IR")
        );
        // `?cursor` with no `=` decodes to the empty value (RFC 9865 §2's first-page example).
        let pairs = ok(decode_query("filter=userName%20sw%20J&cursor&count=10"));
        let lq = ok(ListQuery::from_params(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ));
        assert_eq!((lq.cursor.as_deref(), lq.count), (Some(""), Some(10)));
        assert_eq!(
            kind(q(&[("cursor", ""), ("cursor", "x")])),
            Some(ScimType::InvalidValue)
        );
    }

    #[test]
    fn search_request_cursor_is_a_string_member() {
        let body = json!({"schemas": [SEARCH_REQUEST], "cursor": "", "count": 10});
        let lq = ok(ListQuery::from_search_request(&body));
        assert_eq!((lq.cursor.as_deref(), lq.count), (Some(""), Some(10)));
        let get = ok(q(&[("cursor", "abc"), ("count", "2")]));
        let body = json!({"schemas": [SEARCH_REQUEST], "CURSOR": "abc", "count": 2});
        assert_eq!(ok(ListQuery::from_search_request(&body)), get);
        let bad = json!({"schemas": [SEARCH_REQUEST], "cursor": 7});
        assert_eq!(
            kind(ListQuery::from_search_request(&bad)),
            Some(ScimType::InvalidValue)
        );
    }

    // ----- SearchRequest ----------------------------------------------------------------------

    #[test]
    fn search_request_parses_all_members() {
        let body = json!({
            "schemas": [SEARCH_REQUEST],
            "attributes": ["displayName", "userName"],
            "excludedAttributes": ["emails"],
            "filter": "displayName sw \"smith\"",
            "sortBy": "userName",
            "sortOrder": "descending",
            "startIndex": 2,
            "count": 10,
            "unknownMember": true
        });
        let lq = ok(ListQuery::from_search_request(&body));
        assert_eq!(
            lq.attributes,
            vec![AttrPath::attr("displayName"), AttrPath::attr("userName")]
        );
        assert_eq!(lq.excluded_attributes, vec![AttrPath::attr("emails")]);
        assert_eq!(lq.filter.as_deref(), Some("displayName sw \"smith\""));
        assert_eq!(lq.sort_by, Some(AttrPath::attr("userName")));
        assert_eq!(lq.sort_order, SortOrder::Descending);
        assert_eq!((lq.start_index, lq.count), (2, Some(10)));
    }

    #[test]
    fn search_request_equals_get_equivalent() {
        let body = json!({"schemas": [SEARCH_REQUEST], "attributes": ["userName"], "startIndex": 3,
                          "count": 4, "sortBy": "userName", "filter": "userName pr"});
        let get = ok(q(&[
            ("attributes", "userName"),
            ("startIndex", "3"),
            ("count", "4"),
            ("sortBy", "userName"),
            ("filter", "userName pr"),
        ]));
        assert_eq!(ok(ListQuery::from_search_request(&body)), get);
    }

    #[test]
    fn search_request_without_search_schema_is_invalid_syntax() {
        for body in [
            json!({"filter": "userName pr"}),
            json!({"schemas": [], "count": 1}),
            json!({"schemas": [USER_SCHEMA]}),
            json!({"schemas": SEARCH_REQUEST}),
            json!([SEARCH_REQUEST]),
            json!("x"),
        ] {
            assert_eq!(
                kind(ListQuery::from_search_request(&body)),
                Some(ScimType::InvalidSyntax),
                "{body}"
            );
        }
    }

    #[test]
    fn search_request_member_names_are_case_insensitive_and_null_is_absent() {
        let body = json!({"Schemas": [SEARCH_REQUEST.to_uppercase()], "COUNT": -3, "StartIndex": 0,
                          "sortBy": null, "attributes": null});
        let lq = ok(ListQuery::from_search_request(&body));
        assert_eq!((lq.start_index, lq.count), (1, Some(0)));
        assert_eq!(lq.sort_by, None);
        assert!(lq.attributes.is_empty());
    }

    #[test]
    fn search_request_bad_values_are_invalid_value() {
        for (k, v) in [
            ("startIndex", json!("2")),
            ("count", json!(2.5)),
            ("count", json!(true)),
            ("attributes", json!("userName")),
            ("attributes", json!([1])),
            ("sortOrder", json!("up")),
            ("sortBy", json!("1x")),
            ("filter", json!(5)),
        ] {
            let body = json!({"schemas": [SEARCH_REQUEST], k: v});
            assert_eq!(
                kind(ListQuery::from_search_request(&body)),
                Some(ScimType::InvalidValue),
                "{k}: {v}"
            );
        }
    }

    #[test]
    fn search_request_member_twice_is_invalid_syntax() {
        let body = json!({"schemas": [SEARCH_REQUEST], "count": 1, "Count": 2});
        assert_eq!(
            kind(ListQuery::from_search_request(&body)),
            Some(ScimType::InvalidSyntax)
        );
    }

    // ----- decode_query -----------------------------------------------------------------------

    #[test]
    fn decode_query_handles_plus_percent_and_bare_keys() {
        let pairs = ok(decode_query(
            "?filter=userName+eq+%22bjensen%22&&count=2&flag&a%2Bb=c%2bd",
        ));
        assert_eq!(
            pairs,
            vec![
                ("filter".to_string(), "userName eq \"bjensen\"".to_string()),
                ("count".to_string(), "2".to_string()),
                ("flag".to_string(), String::new()),
                ("a+b".to_string(), "c+d".to_string()),
            ]
        );
        assert_eq!(
            ok(decode_query("x=%C3%A9")),
            vec![("x".to_string(), "é".to_string())]
        );
        assert!(ok(decode_query("")).is_empty());
    }

    #[test]
    fn decode_query_rejects_bad_escapes_and_bad_utf8() {
        for bad in ["x=%FF", "x=%4", "x=%", "x=%zz", "%C3=1"] {
            assert_eq!(
                kind(decode_query(bad)),
                Some(ScimType::InvalidValue),
                "{bad}"
            );
        }
    }

    #[test]
    fn decoded_query_feeds_from_params() {
        let pairs = ok(decode_query(
            "filter=userName%20eq%20%22a%22&sortOrder=descending&startIndex=0",
        ));
        let lq = ok(ListQuery::from_params(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ));
        assert_eq!(lq.filter.as_deref(), Some("userName eq \"a\""));
        assert_eq!(lq.sort_order, SortOrder::Descending);
        assert_eq!(lq.start_index, 1);
    }
}
