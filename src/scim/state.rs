//! RFC 7643 §2.5 attribute state: which JSON values count as unassigned. One reading, shared by
//! the checks, the replay verdicts and the message-schema validation.

use serde_json::Value;

/// RFC 7643 §2.5: "Unassigned attributes, the null value, or empty array (in the case of a
/// multi-valued attribute) SHALL be considered to be equivalent in \"state\"." True for null,
/// `[]` and `{}` — a complex value whose sub-attributes are all unassigned is unassigned too.
pub fn unassigned(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.values().all(unassigned),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::unassigned;
    use serde_json::json;

    #[test]
    fn null_empty_arrays_and_empty_complex_values_are_unassigned() {
        assert!(unassigned(&json!(null)));
        assert!(unassigned(&json!([])));
        assert!(unassigned(&json!({})));
        assert!(unassigned(&json!({"givenName": null, "emails": []})));
        assert!(!unassigned(&json!("")));
        assert!(!unassigned(&json!(false)));
        assert!(!unassigned(&json!(0)));
        assert!(!unassigned(&json!([null])));
        assert!(!unassigned(&json!({"givenName": "A"})));
    }
}
