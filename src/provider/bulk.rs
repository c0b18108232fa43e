//! `POST /Bulk` (RFC 7644 §3.7): operations run through the same service calls as single
//! requests; `bulkId:` references are resolved in `path` and anywhere in `data` (so a group can
//! list members created in the same request), operations whose references are not yet resolved
//! wait for a later pass, and what can never resolve (a cycle, an unknown bulkId) fails with 409.
//! `failOnErrors` stops processing after that many errors; `maxOperations` and `maxPayloadSize`
//! are enforced with 413 and the limit in the detail.

use crate::provider::service::{Projection, Provider, Reply, TenantSlot};
use crate::provider::store::Kind;
use crate::scim::schema::{BULK_REQUEST, BULK_RESPONSE};
use crate::scim::{ScimError, ScimResult};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

struct Op {
    method: String,
    bulk_id: Option<String>,
    version: Option<String>,
    path: String,
    data: Option<Value>,
}

fn parse(body: &Value, max_ops: Option<usize>) -> ScimResult<(Option<usize>, Vec<Op>)> {
    let obj = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a BulkRequest must be a JSON object"))?;
    let schemas = obj.get("schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| {
        s.iter().any(|u| {
            u.as_str()
                .is_some_and(|u| u.eq_ignore_ascii_case(BULK_REQUEST))
        })
    }) {
        return Err(ScimError::invalid_syntax(format!(
            "\"schemas\" must contain {BULK_REQUEST}"
        )));
    }
    let fail_on_errors =
        match obj.get("failOnErrors") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().filter(|n| *n >= 1).ok_or_else(|| {
                ScimError::invalid_value("failOnErrors must be a positive integer")
            })? as usize),
        };
    let ops = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))
        .and_then(|(_, v)| v.as_array())
        .ok_or_else(|| ScimError::invalid_syntax("a BulkRequest needs an \"Operations\" array"))?;
    if let Some(max) = max_ops
        && ops.len() > max
    {
        return Err(ScimError::new(
            413,
            None,
            format!(
                "the request has {} operations; maxOperations is {max}",
                ops.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let get = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_string);
        let method = get("method")
            .ok_or_else(|| ScimError::invalid_syntax(format!("operation {i} has no method")))?;
        let path = get("path")
            .ok_or_else(|| ScimError::invalid_syntax(format!("operation {i} has no path")))?;
        out.push(Op {
            method: method.to_uppercase(),
            bulk_id: get("bulkId"),
            version: get("version"),
            path,
            data: op.get("data").cloned(),
        });
    }
    Ok((fail_on_errors, out))
}

/// The `bulkId:` references in a value, in order.
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Some(r) = s.strip_prefix("bulkId:") {
                out.push(r.to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        Value::Object(o) => o.values().for_each(|x| references(x, out)),
        _ => {}
    }
}

fn substitute(v: &mut Value, ids: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix("bulkId:").and_then(|r| ids.get(r)) {
                *s = id.clone();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, ids)),
        Value::Object(o) => o.values_mut().for_each(|x| substitute(x, ids)),
        _ => {}
    }
}

fn op_result(op: &Op, r: Result<Reply, ScimError>, provider: &Provider) -> Value {
    let mut m = Map::new();
    m.insert("method".into(), Value::String(op.method.clone()));
    if let Some(b) = &op.bulk_id {
        m.insert("bulkId".into(), Value::String(b.clone()));
    }
    match r {
        Ok(reply) => {
            if let Some(v) = reply.etag {
                m.insert("version".into(), Value::String(v));
            }
            let loc = reply.location.or_else(|| {
                reply
                    .body
                    .as_ref()
                    .and_then(|b| serde_json::from_slice::<Value>(b).ok())
                    .and_then(|v| {
                        v.pointer("/meta/location")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
            });
            // RFC 7644 §3.7: every result but a failed POST has a location; a DELETE has no
            // body to take it from.
            let loc = loc.or_else(|| (op.method != "POST").then(|| target_url(provider, &op.path)));
            if let Some(l) = loc {
                m.insert("location".into(), Value::String(l));
            }
            m.insert("status".into(), Value::String(reply.status.to_string()));
        }
        Err(e) => {
            if op.method != "POST" {
                m.insert(
                    "location".into(),
                    Value::String(target_url(provider, &op.path)),
                );
            }
            m.insert("status".into(), Value::String(e.status.to_string()));
            m.insert(
                "response".into(),
                crate::provider::http::error_json(&e, provider),
            );
        }
    }
    Value::Object(m)
}

/// The absolute URL of a bulk operation's path.
fn target_url(provider: &Provider, path: &str) -> String {
    format!("{}/{}", provider.base_url, path.trim_start_matches('/'))
}

/// Split `/Users/abc` into a kind and an optional id; a kind the provider does not serve is
/// 404, like its endpoint.
fn route(path: &str, serves: impl Fn(Kind) -> bool) -> ScimResult<(Kind, Option<String>)> {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let kind = parts.next().and_then(Kind::from_endpoint).ok_or_else(|| {
        ScimError::invalid_value(format!("bulk path {path:?} names no resource endpoint"))
    })?;
    if !serves(kind) {
        return Err(ScimError::not_found(format!(
            "/{} is not an endpoint of this service",
            kind.endpoint()
        )));
    }
    Ok((
        kind,
        parts.next().filter(|s| !s.is_empty()).map(str::to_string),
    ))
}

fn run_one(
    provider: &Provider,
    slot: &TenantSlot,
    op: &Op,
    data: Option<&Value>,
) -> ScimResult<Reply> {
    let (kind, id) = route(&op.path, |k| provider.serves(k))?;
    let proj = Projection::default();
    let need_data = || {
        data.ok_or_else(|| {
            ScimError::invalid_syntax(format!("{} {} needs \"data\"", op.method, op.path))
        })
    };
    match (op.method.as_str(), id) {
        ("POST", None) => {
            if op.bulk_id.is_none() && provider.rules.bulk_post_needs_bulk_id {
                return Err(ScimError::invalid_syntax(
                    "a POST operation requires a bulkId",
                ));
            }
            provider.create(slot, kind, need_data()?, &proj)
        }
        ("PUT", Some(id)) => {
            provider.replace(slot, kind, &id, need_data()?, op.version.as_deref(), &proj)
        }
        ("PATCH", Some(id)) => {
            provider.patch(slot, kind, &id, need_data()?, op.version.as_deref(), &proj)
        }
        ("DELETE", Some(id)) => provider.delete(slot, kind, &id, op.version.as_deref()),
        (m, _) => Err(ScimError::invalid_value(format!(
            "method {m} is not valid for bulk path {:?}",
            op.path
        ))),
    }
}

/// Run a BulkRequest.
pub fn run(provider: &Provider, slot: &TenantSlot, body: &Value) -> ScimResult<Value> {
    let rules = &provider.rules;
    let max_ops = rules
        .bulk_max_operations_enforced
        .then_some(provider.limits.bulk_max_operations);
    let (fail_on_errors, ops) = parse(body, max_ops)?;
    let fail_on_errors = fail_on_errors
        .filter(|_| rules.bulk_honours_fail_on_errors)
        .or(rules.bulk_stops_at_first_error.then_some(1));
    let resolve = rules.bulk_resolves_ids;
    let declared: std::collections::HashSet<String> =
        ops.iter().filter_map(|o| o.bulk_id.clone()).collect();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut results: Vec<Option<Value>> = vec![None; ops.len()];
    let mut errors = 0usize;
    let mut pending: Vec<usize> = (0..ops.len()).collect();
    'passes: loop {
        let mut progressed = false;
        let mut still = Vec::new();
        for &i in &pending {
            let op = &ops[i];
            let mut refs = Vec::new();
            if resolve {
                if let Some(d) = &op.data {
                    references(d, &mut refs);
                }
                if let Some(r) = op.path.split('/').find_map(|s| s.strip_prefix("bulkId:")) {
                    refs.push(r.to_string());
                }
            }
            let unknown = refs.iter().find(|r| !declared.contains(*r));
            let r = if let Some(u) = unknown {
                Err(ScimError::new(
                    409,
                    Some(crate::scim::ScimType::InvalidValue),
                    format!("bulkId:{u} is not declared by any operation of this request"),
                ))
            } else if refs.iter().any(|r| !ids.contains_key(r)) {
                still.push(i);
                continue;
            } else {
                let mut data = op.data.clone();
                let mut op_path = op.path.clone();
                if resolve {
                    if let Some(d) = &mut data {
                        substitute(d, &ids);
                    }
                    for (b, id) in &ids {
                        op_path = op_path.replace(&format!("bulkId:{b}"), id);
                    }
                }
                let real = Op {
                    method: op.method.clone(),
                    bulk_id: op.bulk_id.clone(),
                    version: op.version.clone(),
                    path: op_path,
                    data: None,
                };
                run_one(provider, slot, &real, data.as_ref())
            };
            progressed = true;
            if let (Ok(reply), Some(b)) = (&r, &op.bulk_id)
                && let Some(loc) = &reply.location
                && let Some(id) = loc.rsplit('/').next()
            {
                ids.insert(b.clone(), id.to_string());
            }
            if r.is_err() {
                errors += 1;
            }
            results[i] = Some(op_result(op, r, provider));
            if fail_on_errors.is_some_and(|n| errors >= n) {
                break 'passes;
            }
        }
        pending = still;
        if pending.is_empty() || !progressed {
            break;
        }
    }
    if fail_on_errors.is_none_or(|n| errors < n) {
        for i in pending {
            let op = &ops[i];
            let e = ScimError::new(
                409,
                None,
                "bulkId references could not be resolved (a cycle, or a referenced operation failed)",
            );
            results[i] = Some(op_result(op, Err(e), provider));
        }
    }
    let list: Vec<Value> = results.into_iter().flatten().collect();
    Ok(json!({ "schemas": [BULK_RESPONSE], "Operations": list }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_anywhere_in_data() {
        let mut out = Vec::new();
        references(
            &json!({"members": [{"value": "bulkId:u1"}, {"value": "x"}], "m": {"value": "bulkId:u2"}}),
            &mut out,
        );
        assert_eq!(out, vec!["u1", "u2"]);
    }

    #[test]
    fn substitution_replaces_known_ids_only() {
        let mut v = json!({"members": [{"value": "bulkId:u1"}, {"value": "bulkId:zz"}]});
        substitute(
            &mut v,
            &HashMap::from([("u1".to_string(), "abc".to_string())]),
        );
        assert_eq!(
            v,
            json!({"members": [{"value": "abc"}, {"value": "bulkId:zz"}]})
        );
    }

    #[test]
    fn too_many_operations_is_413_with_the_limit() {
        let body = json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "DELETE", "path": "/Users/a"}, {"method": "DELETE", "path": "/Users/b"}]});
        let e = parse(&body, Some(1))
            .err()
            .map(|e| (e.status, e.detail.contains("maxOperations is 1")));
        assert_eq!(e, Some((413, true)));
    }

    #[test]
    fn routes_split_kind_and_id() {
        let all = |_| true;
        assert_eq!(
            route("/Users/abc", all).ok(),
            Some((Kind::User, Some("abc".to_string())))
        );
        assert_eq!(route("/Groups", all).ok(), Some((Kind::Group, None)));
        assert_eq!(route("/Nope", all).err().map(|e| e.status), Some(400));
        let users_only = |k| k == Kind::User;
        assert_eq!(
            route("/Groups/abc", users_only).err().map(|e| e.status),
            Some(404)
        );
    }
}
