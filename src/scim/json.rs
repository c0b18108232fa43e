//! JSON look-ups the protocol code shares: members of a resource found by a name compared
//! case-insensitively (RFC 7643 §2.1), and the exact order of two integer JSON numbers. Pure.

use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// `map[name]`, exact spelling first, then the first key equal to `name` ignoring ASCII case.
pub(super) fn map_get_ci<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Member `name` of `value` when it is an object, as [`map_get_ci`] finds it.
pub(super) fn get_ci<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    map_get_ci(value.as_object()?, name)
}

/// The order of two JSON numbers when both are integers (`i64` or `u64`), exactly; `None` when
/// either is not, so the caller decides how floats compare.
pub(super) fn integer_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_spelling_wins_then_any_case() {
        let v = json!({"title": null, "TITLE": "x", "Name": 1});
        assert_eq!(get_ci(&v, "title"), Some(&Value::Null));
        assert_eq!(get_ci(&v, "name"), Some(&json!(1)));
        assert_eq!(get_ci(&v, "nosuch"), None);
        assert_eq!(get_ci(&json!([1]), "name"), None);
    }

    #[test]
    fn integers_compare_exactly_and_floats_are_left_to_the_caller() {
        let n = |v: Value| v.as_number().cloned().unwrap_or_else(|| Number::from(0));
        assert_eq!(
            integer_cmp(&n(json!(5)), &n(json!(-3))),
            Some(Ordering::Greater)
        );
        assert_eq!(
            integer_cmp(
                &n(json!(9007199254740993u64)),
                &n(json!(9007199254740992u64))
            ),
            Some(Ordering::Greater)
        );
        assert_eq!(integer_cmp(&n(json!(1.5)), &n(json!(1))), None);
    }
}
