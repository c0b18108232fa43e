//! The `PatchOp` request model (RFC 7644 §3.5.2): operation kinds, operations and the request
//! body, read leniently (keys and op names in any case) with `invalidSyntax`/`invalidValue`
//! errors that name the operation.

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::json::map_get_ci as get_ci;
use crate::scim::schema::PATCH_OP;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// A PATCH operation kind. Deserialised case-insensitively (`"Replace"`, `"ADD"`), serialised
/// lower-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// `add` (RFC 7644 §3.5.2.1).
    Add,
    /// `remove` (RFC 7644 §3.5.2.2).
    Remove,
    /// `replace` (RFC 7644 §3.5.2.3).
    Replace,
}

impl OpKind {
    /// The wire spelling: `add`, `remove`, `replace`.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Add => "add",
            OpKind::Remove => "remove",
            OpKind::Replace => "replace",
        }
    }

    /// Parse an op name, ignoring ASCII case.
    pub fn parse(s: &str) -> Option<OpKind> {
        [OpKind::Add, OpKind::Remove, OpKind::Replace]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OpKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OpKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        OpKind::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown op {s:?}; expected add, remove or replace"))
        })
    }
}

/// One element of `Operations`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOperation {
    /// `add`, `remove` or `replace`.
    pub op: OpKind,
    /// The raw `path`, parsed by `apply` (absent: the resource itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The `value`; `Some(Value::Null)` when the body said `"value": null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// A `PatchOp` request body (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchRequest {
    /// Must contain `urn:ietf:params:scim:api:messages:2.0:PatchOp`.
    pub schemas: Vec<String>,
    /// The operations, applied in order.
    #[serde(rename = "Operations")]
    pub operations: Vec<PatchOperation>,
}

impl PatchRequest {
    /// Read a PATCH body. `schemas`, when present, must contain the PatchOp URN; a body
    /// without `schemas` is read as a PatchOp (RFC 7644 §3.5.2 puts its MUST on the client, and
    /// authentik's group PATCH leaves it out). `Operations` (key matched case-insensitively, as
    /// are `op`/`path`/`value`) must be a non-empty array; otherwise `400 invalidSyntax`. An
    /// `add`/`replace` without `value` is `400 invalidValue`.
    pub fn from_json(body: &Value) -> ScimResult<PatchRequest> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("a PATCH body must be a JSON object"))?;
        let schemas = match get_ci(obj, "schemas") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|s| {
                    s.as_str().map(str::to_string).ok_or_else(|| {
                        ScimError::invalid_syntax("\"schemas\" must be an array of strings")
                    })
                })
                .collect::<ScimResult<Vec<String>>>()?,
            Some(_) => {
                return Err(ScimError::invalid_syntax(
                    "\"schemas\" must be an array of strings",
                ));
            }
            None => vec![PATCH_OP.to_string()],
        };
        if !schemas.iter().any(|s| s.eq_ignore_ascii_case(PATCH_OP)) {
            return Err(ScimError::invalid_syntax(format!(
                "\"schemas\" must contain \"{PATCH_OP}\""
            )));
        }
        let ops = match get_ci(obj, "Operations") {
            Some(Value::Array(a)) if !a.is_empty() => a,
            Some(Value::Array(_)) => {
                return Err(ScimError::invalid_syntax(
                    "\"Operations\" must not be empty",
                ));
            }
            Some(_) => return Err(ScimError::invalid_syntax("\"Operations\" must be an array")),
            None => {
                return Err(ScimError::invalid_syntax(
                    "a PATCH body must have \"Operations\"",
                ));
            }
        };
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, o)| parse_operation(i, o))
            .collect::<ScimResult<Vec<_>>>()?;
        Ok(PatchRequest {
            schemas,
            operations,
        })
    }
}

fn parse_operation(i: usize, o: &Value) -> ScimResult<PatchOperation> {
    let o = o
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax(format!("Operations[{i}] must be an object")))?;
    let op = match get_ci(o, "op") {
        Some(Value::String(s)) => OpKind::parse(s).ok_or_else(|| {
            ScimError::invalid_syntax(format!(
                "Operations[{i}]: unknown op {s:?}; expected add, remove or replace"
            ))
        })?,
        Some(_) => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}]: \"op\" must be a string"
            )));
        }
        None => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}] has no \"op\""
            )));
        }
    };
    let path = match get_ci(o, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}]: \"path\" must be a string"
            )));
        }
    };
    let value = get_ci(o, "value").cloned();
    if value.is_none() && op != OpKind::Remove {
        return Err(ScimError::invalid_value(format!(
            "Operations[{i}]: {op} requires a \"value\""
        )));
    }
    Ok(PatchOperation { op, path, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::patch::fixtures::*;
    use serde_json::json;

    // ----- request model ------------------------------------------------------------------

    #[test]
    fn op_names_are_case_insensitive() {
        for (s, k) in [
            ("add", OpKind::Add),
            ("Add", OpKind::Add),
            ("ADD", OpKind::Add),
            ("Replace", OpKind::Replace),
            ("rEmOvE", OpKind::Remove),
        ] {
            assert_eq!(OpKind::parse(s), Some(k));
            let d: OpKind = serde_json::from_value(json!(s)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(d, k);
        }
        assert!(serde_json::from_value::<OpKind>(json!("move")).is_err());
        assert_eq!(
            serde_json::to_value(OpKind::Replace).ok(),
            Some(json!("replace"))
        );
    }

    #[test]
    fn from_json_reads_entra_capitalised_ops_and_key_order() {
        // Entra's tutorial puts Operations before schemas; key order must not matter.
        let b: Value = serde_json::from_str(&format!(
            r#"{{"Operations":[{{"op":"Replace","path":"active","value":"False"}}],"schemas":["{PATCH_OP}"]}}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let r = PatchRequest::from_json(&b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.operations,
            vec![PatchOperation {
                op: OpKind::Replace,
                path: Some("active".into()),
                value: Some(json!("False"))
            }]
        );
    }

    #[test]
    fn from_json_accepts_operations_key_in_any_case() {
        let r = PatchRequest::from_json(
            &json!({"schemas": [PATCH_OP], "operations": [{"OP": "remove", "Path": "title"}]}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.operations.len(), 1);
        assert_eq!(r.operations.first().map(|o| o.op), Some(OpKind::Remove));
    }

    #[test]
    fn from_json_rejects_malformed_bodies() {
        let syntax = |b: Value| {
            let e = PatchRequest::from_json(&b)
                .err()
                .unwrap_or_else(|| panic!("accepted {b}"));
            assert_eq!(
                (e.status, e.scim_type),
                (400, Some(ScimType::InvalidSyntax)),
                "{b}: {e}"
            );
        };
        syntax(json!([]));
        syntax(json!({"Operations": []}));
        syntax(
            json!({"schemas": [USER_SCHEMA], "Operations": [{"op": "add", "path": "title", "value": "x"}]}),
        );
        syntax(
            json!({"schemas": PATCH_OP, "Operations": [{"op": "add", "path": "title", "value": "x"}]}),
        );
        syntax(json!({"schemas": [PATCH_OP]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": []}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": {"op": "add"}}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": ["add"]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"path": "title"}]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"op": "move", "path": "title"}]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"op": 1, "path": "title"}]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": 7}]}));
        // OneLogin's SCIM 1.1 group PATCH is not a SCIM 2.0 PatchOp.
        syntax(json!({"schemas": ["urn:scim:schemas:core:1.0"],
                      "members": [{"value": "BJefgbP9G"}, {"value": "SJofhyDqG", "operation": "delete"}]}));
        let e = PatchRequest::from_json(&body(json!([{"op": "add", "path": "title"}]))).err();
        assert_eq!(e.map(|e| e.scim_type), Some(Some(ScimType::InvalidValue)));
    }

    /// RFC 7644 §3.5.2's MUST on `schemas` binds the client; a body without it is read as the
    /// PatchOp it is (authentik's group PATCH omits it), one with other schemas is not.
    #[test]
    fn a_body_without_schemas_is_read_as_a_patch_op() {
        let r = PatchRequest::from_json(
            &json!({"Operations": [{"op": "replace", "value": {"displayName": "x"}}]}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.schemas, vec![PATCH_OP.to_string()]);
        assert_eq!(r.operations.len(), 1);
    }

    #[test]
    fn request_serialises_back_to_an_equal_request() {
        let b = body(
            json!([{"op": "Add", "path": "members", "value": [{"value": "u9"}]}, {"op": "remove", "path": "title"}, {"op": "replace", "value": null}]),
        );
        let r = PatchRequest::from_json(&b).unwrap_or_else(|e| panic!("{e}"));
        let again = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(again["Operations"][0]["op"], "add");
        assert_eq!(PatchRequest::from_json(&again).ok(), Some(r));
    }
}
