//! Cursor-based pagination (RFC 9865): the opaque cursor token and the page a cursor selects.
//!
//! Decisions where the RFC leaves room:
//! - **What a cursor holds.** The position after the last resource served, not an offset: for
//!   an unsorted query the `(resource type, insertion sequence)` of that resource, so resources
//!   created or deleted between two page requests never shift the pages of what was already
//!   there; for a sorted query the last resource's id (the next page starts after it) with its
//!   offset as the fallback when that resource has meanwhile gone.
//! - **Bound to its query.** A cursor carries a fingerprint of the query that produced it
//!   (filter, sort, resource types); used with another query it is 400 `invalidCursor`
//!   (RFC 9865 §2: the follow-up request keeps every parameter but `cursor` identical).
//! - **Opaque and tamper-evident** (§2, §5.2): base64url without padding (only RFC 3986
//!   unreserved characters), with a keyed SHA-256 tag; a forged or altered cursor is 400
//!   `invalidCursor`. Cursors never expire here, so no `cursorTimeout` is advertised.
//! - **`count`.** Negative is 0 (as for index paging); 0 returns `totalResults` only and no
//!   `nextCursor` (nothing was paged, so there is no position to continue from); above the
//!   maximum page size it is capped, which §2 allows ("MAY return fewer").

use crate::scim::error::{ScimError, ScimResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Where a cursor-paged query continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// Unsorted: after the resource of this type (its index in the query's list of types) and
    /// insertion sequence.
    After {
        /// Index of the resource type in the query's list of types.
        kind: u8,
        /// The resource's insertion sequence.
        seq: u64,
    },
    /// Sorted: after the resource with this id; at `offset` when it is gone.
    AfterId {
        /// Offset of the first resource of the next page when the cursor was issued.
        offset: usize,
        /// The id of the last resource served.
        id: String,
    },
}

/// A decoded cursor: the query it belongs to and where it continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// [`fingerprint`] of the query that issued it.
    pub query: u64,
    /// Where the next page starts.
    pub position: Position,
}

/// FNV-1a (64-bit) over the parts of a query that decide its result order: a cursor from one
/// query is refused by another.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn tag(key: &[u8], payload: &str) -> String {
    let mut d = Sha256::new();
    d.update(key);
    d.update([0u8]);
    d.update(payload.as_bytes());
    d.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Cursor {
    /// The opaque token: unreserved characters only (RFC 9865 §2).
    pub fn encode(&self, key: &[u8]) -> String {
        let payload = match &self.position {
            Position::After { kind, seq } => format!("{:x}.s.{kind}.{seq}", self.query),
            Position::AfterId { offset, id } => format!("{:x}.i.{offset}.{id}", self.query),
        };
        let t = tag(key, &payload);
        URL_SAFE_NO_PAD.encode(format!("{t}.{payload}"))
    }

    /// Read a token this server issued with `key`; anything else is 400 `invalidCursor`.
    pub fn decode(token: &str, key: &[u8]) -> ScimResult<Cursor> {
        let bad = || {
            ScimError::invalid_cursor(
                "the cursor is not one this server issued: send an empty cursor for the first page, then the nextCursor of the previous page",
            )
        };
        let raw = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (t, payload) = text.split_once('.').ok_or_else(bad)?;
        if tag(key, payload) != t {
            return Err(bad());
        }
        let mut parts = payload.splitn(4, '.');
        let (Some(q), Some(mode), Some(a), Some(b)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let query = u64::from_str_radix(q, 16).map_err(|_| bad())?;
        let position = match mode {
            "s" => Position::After {
                kind: a.parse().map_err(|_| bad())?,
                seq: b.parse().map_err(|_| bad())?,
            },
            "i" => Position::AfterId {
                offset: a.parse().map_err(|_| bad())?,
                id: b.to_string(),
            },
            _ => return Err(bad()),
        };
        Ok(Cursor { query, position })
    }
}

/// The index range of the page a cursor-paged query serves from `total` ordered results:
/// starting at `start` (from [`Cursor`] resolution, 0 for the first page), `count` (default
/// `default_count`) capped at `max_page`.
pub fn cursor_page(
    total: usize,
    start: usize,
    count: Option<usize>,
    default_count: usize,
    max_page: usize,
) -> std::ops::Range<usize> {
    let begin = start.min(total);
    let per_page = count.unwrap_or(default_count).min(max_page);
    begin..begin.saturating_add(per_page).min(total)
}

/// The `ListResponse` of a cursor-paged query: RFC 7644 §3.4.2's message without `startIndex`
/// (which means nothing here), plus `nextCursor` unless this is the last page (RFC 9865 §2).
pub fn cursor_list_response(
    total_results: usize,
    resources: Vec<serde_json::Value>,
    next_cursor: Option<String>,
) -> serde_json::Value {
    let mut body = super::list_response(total_results, 1, resources);
    if let Some(m) = body.as_object_mut() {
        m.shift_remove("startIndex");
        if let Some(next) = next_cursor {
            m.insert("nextCursor".into(), serde_json::Value::String(next));
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use proptest::prelude::*;

    const KEY: &[u8] = b"test-key";

    #[test]
    fn tokens_round_trip_and_use_unreserved_characters_only() {
        for position in [
            Position::After { kind: 1, seq: 42 },
            Position::AfterId {
                offset: 7,
                id: "a.b-c".into(),
            },
        ] {
            let c = Cursor {
                query: fingerprint(["userName sw \"x\"", ""]),
                position,
            };
            let token = c.encode(KEY);
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)),
                "{token}"
            );
            assert_eq!(Cursor::decode(&token, KEY), Ok(c));
        }
    }

    #[test]
    fn forged_altered_or_foreign_tokens_are_invalid_cursor() {
        let token = Cursor {
            query: 1,
            position: Position::After { kind: 0, seq: 3 },
        }
        .encode(KEY);
        let forged = URL_SAFE_NO_PAD.encode("0000000000000000.1.s.0.3");
        let mut altered = token.clone();
        altered.pop();
        for bad in ["", "not-a-cursor", "%%%", forged.as_str(), altered.as_str()] {
            let e = Cursor::decode(bad, KEY).err();
            assert_eq!(
                e.as_ref().map(|e| (e.status, e.scim_type)),
                Some((400, Some(ScimType::InvalidCursor))),
                "{bad:?}"
            );
        }
        assert!(Cursor::decode(&token, b"another key").is_err());
    }

    #[test]
    fn fingerprints_tell_queries_apart() {
        assert_ne!(fingerprint(["a", "b"]), fingerprint(["ab", ""]));
        assert_eq!(fingerprint(["x"]), fingerprint(["x"]));
    }

    #[test]
    fn cursor_page_counts_from_the_start_and_caps() {
        assert_eq!(cursor_page(5, 0, Some(2), 100, 1000), 0..2);
        assert_eq!(cursor_page(5, 4, Some(2), 100, 1000), 4..5);
        assert_eq!(cursor_page(5, 9, Some(2), 100, 1000), 5..5);
        assert_eq!(cursor_page(500, 0, None, 100, 1000), 0..100);
        assert_eq!(cursor_page(500, 0, Some(300), 100, 250), 0..250);
        assert!(cursor_page(5, 0, Some(0), 100, 1000).is_empty());
    }

    #[test]
    fn the_cursor_list_response_has_next_cursor_and_no_start_index() {
        let r = cursor_list_response(3, vec![serde_json::json!({"id": "a"})], Some("abc".into()));
        assert_eq!(r["nextCursor"], "abc");
        assert!(r.get("startIndex").is_none());
        assert_eq!(
            (r["totalResults"].as_u64(), r["itemsPerPage"].as_u64()),
            (Some(3), Some(1))
        );
        let last = cursor_list_response(3, Vec::new(), None);
        assert!(last.get("nextCursor").is_none());
        assert_eq!(last["Resources"], serde_json::json!([]));
    }

    proptest! {
        #[test]
        fn any_id_round_trips(id in "[ -~]{0,40}", offset in 0usize..10_000, q in any::<u64>()) {
            let c = Cursor { query: q, position: Position::AfterId { offset, id } };
            prop_assert_eq!(Cursor::decode(&c.encode(KEY), KEY), Ok(c));
        }
    }
}
