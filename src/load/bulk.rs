//! `POST /Bulk` for the load operations (RFC 7644 §3.7): the limits a target declares in its
//! `/ServiceProviderConfig` (`bulk.supported`, `maxOperations`, `maxPayloadSize`), splitting a
//! batch so every request stays within both, the BulkRequest bytes, and reading the
//! BulkResponse's per-operation statuses. Judges nothing: a status inside a response is counted
//! by the caller.

use crate::client::Client;
use serde_json::Value;
use std::ops::Range;

/// What a target declares about `/Bulk` (RFC 7643 §5, `bulk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkLimits {
    /// `bulk.supported`.
    pub supported: bool,
    /// `bulk.maxOperations`: operations per request (`None` when not declared or 0).
    pub max_operations: Option<usize>,
    /// `bulk.maxPayloadSize`: bytes per request (`None` when not declared or 0).
    pub max_payload_bytes: Option<usize>,
}

impl BulkLimits {
    /// No limit known (a plan that never asked the target): batches as the scenario sets them.
    pub const UNBOUNDED: BulkLimits = BulkLimits {
        supported: true,
        max_operations: None,
        max_payload_bytes: None,
    };

    /// The limits a `/ServiceProviderConfig` document declares; no `bulk` object (which
    /// RFC 7643 §5 requires) reads as unsupported.
    pub fn from_spc(spc: &Value) -> BulkLimits {
        let bulk = spc.get("bulk");
        let positive = |k: &str| {
            bulk.and_then(|b| b.get(k))
                .and_then(Value::as_u64)
                .filter(|n| *n > 0)
                .and_then(|n| usize::try_from(n).ok())
        };
        BulkLimits {
            supported: bulk
                .and_then(|b| b.get("supported"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            max_operations: positive("maxOperations"),
            max_payload_bytes: positive("maxPayloadSize"),
        }
    }

    /// Operations per request for a wanted batch: the batch, lowered to `maxOperations`.
    pub fn batch(&self, wanted: usize) -> usize {
        self.max_operations.map_or(wanted, |m| wanted.min(m)).max(1)
    }

    /// One line for the run's banner and the report.
    pub fn describe(&self) -> String {
        let opt = |v: Option<usize>| v.map_or("not declared".to_string(), |n| n.to_string());
        format!(
            "bulk.supported = {}, maxOperations {}, maxPayloadSize {}",
            self.supported,
            opt(self.max_operations),
            opt(self.max_payload_bytes)
        )
    }
}

/// The target's `/Bulk` limits, read from its `/ServiceProviderConfig`.
pub async fn discover(client: &Client) -> Result<BulkLimits, String> {
    let r = client
        .send("GET", "/ServiceProviderConfig", None, &[])
        .await;
    match r.status {
        Some(200) => Ok(BulkLimits::from_spc(r.body())),
        s => Err(format!(
            "GET /ServiceProviderConfig answered {}",
            s.map_or("nothing".into(), |s| s.to_string())
        )),
    }
}

const HEAD: &[u8] =
    br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":["#;
const TAIL: &[u8] = b"]}";

/// The size of the BulkRequest carrying `ops` (serialised operation objects).
pub fn request_len(ops: &[Vec<u8>]) -> usize {
    HEAD.len() + TAIL.len() + ops.iter().map(Vec::len).sum::<usize>() + ops.len().saturating_sub(1)
}

/// The BulkRequest carrying `ops`, without `failOnErrors` (every operation is tried).
pub fn request(ops: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(request_len(ops));
    out.extend_from_slice(HEAD);
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(op);
    }
    out.extend_from_slice(TAIL);
    out
}

/// Split `ops` into consecutive requests of at most `max_ops` operations and, when declared,
/// at most `max_payload` bytes each. An operation too large for any request goes alone (the
/// target answers it, 413 most likely, and that is counted).
pub fn split(ops: &[Vec<u8>], max_ops: usize, max_payload: Option<usize>) -> Vec<Range<usize>> {
    let max_ops = max_ops.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut len = HEAD.len() + TAIL.len();
    for (i, op) in ops.iter().enumerate() {
        let n = i - start;
        let grown = len + op.len() + usize::from(n > 0);
        let too_big = max_payload.is_some_and(|m| grown > m);
        if n > 0 && (n >= max_ops || too_big) {
            out.push(start..i);
            start = i;
            len = HEAD.len() + TAIL.len() + op.len();
        } else {
            len = grown;
        }
    }
    if start < ops.len() {
        out.push(start..ops.len());
    }
    out
}

/// One operation of a BulkResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpResult {
    /// `bulkId`, when the response carries it.
    pub bulk_id: Option<String>,
    /// The operation's HTTP status (`"201"` or `201`; `0` when unreadable).
    pub status: u16,
    /// The id at the end of `location`, when there is one.
    pub id: Option<String>,
}

/// The operations of a BulkResponse, in its order; `None` when the body is not one.
pub fn response(body: &[u8]) -> Option<Vec<OpResult>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let ops = v
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))?
        .1
        .as_array()?;
    Some(
        ops.iter()
            .map(|o| {
                let status = match o.get("status") {
                    Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
                    Some(Value::Number(n)) => {
                        n.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0)
                    }
                    _ => 0,
                };
                let id = o
                    .get("location")
                    .and_then(Value::as_str)
                    .map(|l| l.trim_end_matches('/'))
                    .and_then(|l| l.rsplit('/').next())
                    .filter(|s| !s.is_empty())
                    .map(decode);
                OpResult {
                    bulk_id: o.get("bulkId").and_then(Value::as_str).map(str::to_string),
                    status,
                    id,
                }
            })
            .collect(),
    )
}

/// A path segment with its `%XX` escapes decoded (an id in a `location`).
fn decode(seg: &str) -> String {
    let b = seg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%')
            .then(|| seg.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(sizes: &[usize]) -> Vec<Vec<u8>> {
        sizes.iter().map(|n| vec![b'x'; *n]).collect()
    }

    #[test]
    fn limits_come_from_the_spc_and_missing_bulk_is_unsupported() {
        let l = BulkLimits::from_spc(
            &json!({"bulk": {"supported": true, "maxOperations": 50, "maxPayloadSize": 1048576}}),
        );
        assert_eq!(
            l,
            BulkLimits {
                supported: true,
                max_operations: Some(50),
                max_payload_bytes: Some(1_048_576)
            }
        );
        assert_eq!(l.batch(100), 50);
        assert_eq!(l.batch(10), 10);
        let none = BulkLimits::from_spc(&json!({"patch": {"supported": true}}));
        assert!(!none.supported);
        assert_eq!(none.batch(100), 100);
        let zero = BulkLimits::from_spc(
            &json!({"bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0}}),
        );
        assert_eq!((zero.max_operations, zero.max_payload_bytes), (None, None));
    }

    #[test]
    fn batches_split_at_max_operations() {
        let o = ops(&[10; 7]);
        assert_eq!(split(&o, 3, None), vec![0..3, 3..6, 6..7]);
        assert_eq!(split(&o, 7, None), vec![0..7]);
        assert_eq!(split(&o, 100, None), vec![0..7]);
        assert_eq!(split(&[], 3, None), Vec::<Range<usize>>::new());
    }

    #[test]
    fn batches_split_under_max_payload_size_and_every_request_fits() {
        let o = ops(&[100, 100, 100, 100, 100]);
        let env = HEAD.len() + TAIL.len();
        // Room for exactly two operations and their comma.
        let limit = env + 201;
        let parts = split(&o, 100, Some(limit));
        assert_eq!(parts, vec![0..2, 2..4, 4..5]);
        for p in &parts {
            let body = request(&o[p.clone()]);
            assert_eq!(body.len(), request_len(&o[p.clone()]));
            assert!(body.len() <= limit, "{} > {limit}", body.len());
        }
        // One byte less and only one fits per request.
        assert_eq!(split(&o, 100, Some(limit - 1)).len(), 5);
        // Both limits at once: the tighter one wins.
        assert_eq!(split(&o, 1, Some(limit)).len(), 5);
    }

    #[test]
    fn an_operation_larger_than_the_payload_limit_goes_alone() {
        let o = ops(&[10, 5000, 10]);
        assert_eq!(split(&o, 100, Some(1000)), vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn the_request_is_a_bulk_request() {
        let o = vec![
            br#"{"method":"POST","path":"/Users","bulkId":"a","data":{}}"#.to_vec(),
            br#"{"method":"DELETE","path":"/Users/1"}"#.to_vec(),
        ];
        let v: Value = serde_json::from_slice(&request(&o)).expect("JSON");
        assert_eq!(
            v["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
        );
        assert_eq!(v["Operations"].as_array().map(Vec::len), Some(2));
        assert!(v.get("failOnErrors").is_none());
    }

    #[test]
    fn responses_give_statuses_ids_and_bulk_ids() {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
            "Operations": [
                {"method": "POST", "bulkId": "a", "status": "201", "location": "https://x/v2/Users/abc%20d"},
                {"method": "POST", "bulkId": "b", "status": 409, "response": {"status": "409"}},
                {"method": "DELETE", "status": "204", "location": "https://x/v2/Users/zz/"}
            ]
        });
        let r = response(body.to_string().as_bytes()).expect("a BulkResponse");
        assert_eq!(
            r[0],
            OpResult {
                bulk_id: Some("a".into()),
                status: 201,
                id: Some("abc d".into())
            }
        );
        assert_eq!((r[1].status, r[1].id.as_deref()), (409, None));
        assert_eq!((r[2].status, r[2].id.as_deref()), (204, Some("zz")));
        assert_eq!(response(b"not json"), None);
        assert_eq!(response(br#"{"detail":"x"}"#), None);
    }
}
