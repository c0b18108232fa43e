//! Paging list results (`startIndex` / `count`, RFC 7644 §3.4.2.4) and the `ListResponse`
//! message (§3.4.2).
//!
//! - **`ListResponse`** always carries `startIndex`, `itemsPerPage` and `Resources` (an empty
//!   array when the page is empty or `count=0`), which satisfies every "REQUIRED when" of
//!   §3.4.2 and keeps clients that index `Resources` from failing.

use crate::scim::schema::LIST_RESPONSE;
use serde_json::{Map, Value};
use std::ops::Range;

/// The page's index range into the (already filtered and sorted) results, per RFC 7644
/// §3.4.2.4: a `start_index` below 1 counts as 1; `count` 0 gives an empty page; a `count`
/// above `max_results` (RFC 7643 §5 `filter.maxResults`), or none at all, is `max_results`.
/// A start beyond the results gives an empty range at `total`.
pub fn page_range(
    total: usize,
    start_index: usize,
    count: Option<usize>,
    max_results: usize,
) -> Range<usize> {
    let begin = start_index.max(1).saturating_sub(1).min(total);
    let per_page = count.map_or(max_results, |c| c.min(max_results));
    let end = begin.saturating_add(per_page).min(total);
    begin..end
}

/// The `ListResponse` message (RFC 7644 §3.4.2): `schemas`, `totalResults`, `startIndex`
/// (at least 1), `itemsPerPage` (= the number of resources on this page) and `Resources`
/// (always present, empty when the page is).
pub fn list_response(total_results: usize, start_index: usize, resources: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert(
        "schemas".into(),
        Value::Array(vec![Value::String(LIST_RESPONSE.into())]),
    );
    m.insert("totalResults".into(), Value::from(total_results));
    m.insert("startIndex".into(), Value::from(start_index.max(1)));
    m.insert("itemsPerPage".into(), Value::from(resources.len()));
    m.insert("Resources".into(), Value::Array(resources));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    // ----- paging -----------------------------------------------------------------------------

    #[test]
    fn page_range_basic() {
        assert_eq!(page_range(10, 1, Some(3), 100), 0..3);
        assert_eq!(page_range(10, 2, Some(2), 100), 1..3);
        assert_eq!(page_range(10, 9, Some(5), 100), 8..10);
    }

    #[test]
    fn page_range_start_below_one_is_one() {
        assert_eq!(page_range(10, 0, Some(2), 100), 0..2);
    }

    #[test]
    fn page_range_start_beyond_total_is_empty() {
        assert_eq!(page_range(10, 11, Some(5), 100), 10..10);
        assert_eq!(page_range(10, usize::MAX, Some(5), 100), 10..10);
        assert_eq!(page_range(0, 1, None, 100), 0..0);
    }

    #[test]
    fn page_range_count_zero_is_empty() {
        assert!(page_range(10, 1, Some(0), 100).is_empty());
    }

    #[test]
    fn page_range_caps_count_and_defaults_to_max() {
        assert_eq!(page_range(500, 1, Some(1000), 50), 0..50);
        assert_eq!(page_range(500, 1, None, 50), 0..50);
        assert_eq!(page_range(500, 1, Some(usize::MAX), 50), 0..50);
    }

    #[test]
    fn list_response_shape() {
        let r = list_response(5, 3, vec![json!({"id": "a"}), json!({"id": "b"})]);
        assert_eq!(r["schemas"], json!([LIST_RESPONSE]));
        assert_eq!(
            (
                r["totalResults"].as_u64(),
                r["startIndex"].as_u64(),
                r["itemsPerPage"].as_u64()
            ),
            (Some(5), Some(3), Some(2))
        );
        assert_eq!(r["Resources"].as_array().map(Vec::len), Some(2));
        let empty = list_response(7, 0, Vec::new());
        assert_eq!(empty["Resources"], json!([]));
        assert_eq!(
            (empty["itemsPerPage"].as_u64(), empty["startIndex"].as_u64()),
            (Some(0), Some(1))
        );
    }

    proptest! {
        #[test]
        fn page_range_is_never_out_of_bounds(
            total in 0usize..1000,
            start in prop_oneof![0usize..1200, Just(usize::MAX)],
            count in proptest::option::of(prop_oneof![0usize..1200, Just(usize::MAX)]),
            max in 0usize..300,
        ) {
            let r = page_range(total, start, count, max);
            prop_assert!(r.start <= r.end && r.end <= total);
            prop_assert!(r.len() <= max);
            if let Some(c) = count { prop_assert!(r.len() <= c); }
            if start > total { prop_assert!(r.is_empty()); }
            if r.is_empty() && total > 0 && count != Some(0) && max > 0 {
                prop_assert!(start > total);
            }
        }
    }
}
