//! SCIM errors (RFC 7644 §3.12): the `scimType` vocabulary as an enum and the error value every
//! layer above turns into an HTTP response or a check verdict. Pure: no I/O, no HTTP types.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The URN of the SCIM error message schema.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// `scimType` values of RFC 7644 §3.12, Table 9, and those RFC 9865 §2.1 adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    /// The filter syntax is invalid or the filter names an unknown attribute or operator.
    InvalidFilter,
    /// The filter yields more results than the server is willing to return.
    TooMany,
    /// One or more attribute values are already in use or reserved.
    Uniqueness,
    /// The modification is incompatible with the attribute's mutability.
    Mutability,
    /// The request body structure is invalid or does not conform to the schema.
    InvalidSyntax,
    /// The path attribute is invalid or malformed.
    InvalidPath,
    /// The path did not yield an attribute or value that could be operated on.
    NoTarget,
    /// A required value was missing or a value was not compatible.
    InvalidValue,
    /// The specified SCIM protocol version is not supported.
    InvalidVers,
    /// The request cannot be completed because it contains sensitive information (e.g. in a URL).
    Sensitive,
    /// RFC 9865 §2.1: the cursor value is invalid (not one the server issued for this query).
    InvalidCursor,
    /// RFC 9865 §2.1: the cursor has expired.
    ExpiredCursor,
    /// RFC 9865 §2.1: the count value is invalid (for a cursor-paged query).
    InvalidCount,
}

impl ScimType {
    /// The wire spelling, e.g. `invalidFilter`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::InvalidCursor => "invalidCursor",
            ScimType::ExpiredCursor => "expiredCursor",
            ScimType::InvalidCount => "invalidCount",
        }
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SCIM protocol error: an HTTP status, an optional `scimType` and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {}: {detail}", scim_type.map(|t| t.as_str()).unwrap_or("error"))]
pub struct ScimError {
    /// HTTP status code (400, 401, 404, 409, 412, 413, 500, 501, ...).
    pub status: u16,
    /// The `scimType` keyword, where RFC 7644 §3.12 defines one for the condition.
    pub scim_type: Option<ScimType>,
    /// What went wrong, for a person.
    pub detail: String,
}

impl ScimError {
    /// An error with a status, a `scimType` and a detail.
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }
    /// 400 `invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidFilter), detail)
    }
    /// 400 `invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidSyntax), detail)
    }
    /// 400 `invalidPath`.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidPath), detail)
    }
    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidValue), detail)
    }
    /// 400 `noTarget`.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::NoTarget), detail)
    }
    /// 400 `mutability`.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::Mutability), detail)
    }
    /// 409 `uniqueness`.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some(ScimType::Uniqueness), detail)
    }
    /// 400 `tooMany`.
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::TooMany), detail)
    }
    /// 400 `invalidCursor` (RFC 9865 §2.1).
    pub fn invalid_cursor(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidCursor), detail)
    }
    /// 404 without a `scimType`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }

    /// The RFC 7644 §3.12 JSON body: `schemas`, `status` as a string, `scimType`, `detail`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("schemas".into(), serde_json::json!([ERROR_SCHEMA]));
        m.insert(
            "status".into(),
            serde_json::Value::String(self.status.to_string()),
        );
        if let Some(t) = self.scim_type {
            m.insert(
                "scimType".into(),
                serde_json::Value::String(t.as_str().into()),
            );
        }
        m.insert(
            "detail".into(),
            serde_json::Value::String(self.detail.clone()),
        );
        serde_json::Value::Object(m)
    }
}

/// Result alias for the protocol core.
pub type ScimResult<T> = Result<T, ScimError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_string_status_and_scim_type() {
        let e = ScimError::invalid_filter("unexpected token at byte 4");
        let j = e.to_json();
        assert_eq!(j["status"], "400");
        assert_eq!(j["scimType"], "invalidFilter");
        assert_eq!(j["schemas"][0], ERROR_SCHEMA);
        assert_eq!(j["detail"], "unexpected token at byte 4");
    }

    #[test]
    fn not_found_has_no_scim_type() {
        let j = ScimError::not_found("no such user").to_json();
        assert!(j.get("scimType").is_none());
        assert_eq!(j["status"], "404");
    }

    #[test]
    fn scim_type_serde_matches_wire_spelling() {
        for t in [
            ScimType::InvalidFilter,
            ScimType::NoTarget,
            ScimType::InvalidVers,
            ScimType::InvalidCursor,
            ScimType::ExpiredCursor,
            ScimType::InvalidCount,
        ] {
            let s = serde_json::to_value(t).unwrap_or_default();
            assert_eq!(s, serde_json::Value::String(t.as_str().into()));
        }
    }
}
