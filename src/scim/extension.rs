//! Custom User schema extensions (RFC 7643 §3.3, §7): reading a schema document a server is
//! told to declare (`scimtest serve --extension FILE`) into the schema model with the §2.2
//! defaults for what it leaves out, refusing one that could not be served, and building such a
//! document from a provisioning configuration's mapped attributes ([`extension_schema`]).
//! Pure: no I/O.
//!
//! # What makes a document usable
//!
//! * `id` is a URN (`urn:` NID `:` NSS, printable ASCII without spaces, no empty component),
//!   e.g. `urn:ietf:params:scim:schemas:extension:Contoso:2.0:User`.
//! * `attributes` is a non-empty array; each attribute has a name of RFC 7643 §2.1's grammar,
//!   unique in its schema (case-insensitively, §2.1), and a `type` of §2.3 (`string` when
//!   omitted, as are the other characteristics' §2.2 defaults: not multi-valued, not required,
//!   not caseExact, readWrite, returned by default, uniqueness none).
//! * A `complex` attribute has sub-attributes, none of them complex (§2.3.8); any other type has
//!   none.
//!
//! Whether the URN is already declared is the registry's question (`Registry::rfc7643_with`).

use crate::scim::path::{is_attr_name, looks_like_urn};
use crate::scim::schema::{AttrType, Attribute, SCHEMA_SCHEMA, Schema};
use serde_json::{Map, Value, json};

/// Read one extension schema document, or say in one line why it cannot be served.
pub fn parse_document(doc: &Value) -> Result<Schema, String> {
    let obj = doc
        .as_object()
        .ok_or("a schema document must be a JSON object")?;
    let id = match obj.get("id") {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => return Err("\"id\" must be a string (the schema's URN)".into()),
        None => return Err("the document has no \"id\" (the schema's URN)".into()),
    };
    check_urn(&id)?;
    let name = match obj.get("name") {
        None | Some(Value::Null) => name_from_urn(&id),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("{id}: \"name\" must be a string")),
    };
    let description = match obj.get("description") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("{id}: \"description\" must be a string")),
    };
    let list = match obj.get("attributes") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) => return Err(format!("{id}: \"attributes\" is empty")),
        Some(_) => return Err(format!("{id}: \"attributes\" must be an array")),
        None => return Err(format!("{id}: the document has no \"attributes\"")),
    };
    let attributes = attributes(list, &id, None)?;
    Ok(Schema {
        id,
        name,
        description,
        attributes,
    })
}

/// Read an `attributes` (or `subAttributes`) array: `parent` is the complex attribute's name.
fn attributes(list: &[Value], urn: &str, parent: Option<&str>) -> Result<Vec<Attribute>, String> {
    let mut out: Vec<Attribute> = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let at = |name: &str| match parent {
            Some(p) => format!("{urn}: attribute {p}.{name}"),
            None => format!("{urn}: attribute {name}"),
        };
        let Some(m) = raw.as_object() else {
            return Err(format!("{}: not a JSON object", at(&format!("#{}", i + 1))));
        };
        let name = match m.get("name") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(format!("{} has no \"name\"", at(&format!("#{}", i + 1)))),
        };
        if !is_attr_name(&name) {
            return Err(format!(
                "{}: not an attribute name (a letter, then letters, digits, '-' or '_'; RFC 7643 §2.1)",
                at(&name)
            ));
        }
        if out.iter().any(|a| a.name.eq_ignore_ascii_case(&name)) {
            return Err(format!("{} is declared twice", at(&name)));
        }
        // §2.2: "type" defaults to string; the sub-attributes are read on their own below.
        let mut m: Map<String, Value> = m.clone();
        m.entry("type").or_insert_with(|| json!("string"));
        let subs = m.remove("subAttributes");
        let mut attr: Attribute =
            serde_json::from_value(Value::Object(m)).map_err(|e| format!("{}: {e}", at(&name)))?;
        match (attr.attr_type, subs) {
            (AttrType::Complex, _) if parent.is_some() => {
                return Err(format!(
                    "{}: a sub-attribute cannot be complex (RFC 7643 §2.3.8)",
                    at(&name)
                ));
            }
            (AttrType::Complex, Some(Value::Array(subs))) if !subs.is_empty() => {
                attr.sub_attributes = attributes(&subs, urn, Some(&name))?;
            }
            (AttrType::Complex, _) => {
                return Err(format!(
                    "{}: a complex attribute needs \"subAttributes\"",
                    at(&name)
                ));
            }
            (_, None | Some(Value::Null)) => {}
            (_, Some(Value::Array(subs))) if subs.is_empty() => {}
            (_, Some(_)) => {
                return Err(format!(
                    "{}: only a complex attribute has \"subAttributes\"",
                    at(&name)
                ));
            }
        }
        out.push(attr);
    }
    Ok(out)
}

/// `urn:` NID `:` NSS (RFC 8141's outline): printable ASCII, no spaces, no empty component.
fn check_urn(id: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("\"id\" {id:?} is not a schema URN: {why}"));
    if !looks_like_urn(id) {
        return bad("it must start with \"urn:\"");
    }
    if !id.chars().all(|c| c.is_ascii_graphic()) {
        return bad("only printable ASCII without spaces");
    }
    let parts: Vec<&str> = id.split(':').collect();
    if parts.len() < 3 || parts.iter().any(|p| p.is_empty()) {
        return bad("expected urn:NID:NSS with no empty component");
    }
    let nid = parts.get(1).copied().unwrap_or_default();
    if !nid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return bad("the namespace identifier (after \"urn:\") is letters, digits and '-'");
    }
    Ok(())
}

/// A schema name from its URN: the last two meaningful components (not the SCIM namespace's
/// fixed words, not a version), e.g. `urn:ietf:params:scim:schemas:extension:Contoso:2.0:User`
/// → `ContosoUser`.
pub fn name_from_urn(urn: &str) -> String {
    const FIXED: [&str; 7] = [
        "urn",
        "ietf",
        "params",
        "scim",
        "schemas",
        "extension",
        "core",
    ];
    let words: Vec<&str> = urn
        .split(':')
        .skip(2)
        .filter(|w| !w.is_empty())
        .filter(|w| !FIXED.iter().any(|f| f.eq_ignore_ascii_case(w)))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .collect();
    let tail = &words[words.len().saturating_sub(2)..];
    if tail.is_empty() {
        return urn.to_string();
    }
    tail.iter()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A User extension schema document (RFC 7643 §7) declaring `attributes` — `(name, type)` with
/// the type one of `string`, `boolean`, `integer`, `decimal`, `dateTime`, `reference` — under
/// `urn`, each single-valued, optional, readWrite, returned by default, not unique, not
/// caseExact. A name may be given URN-qualified (`urn:…:User:costCenter`): the prefix is
/// dropped. The same name twice (case-insensitively) is declared once. What it returns is what
/// `scimtest serve --extension` reads and `Registry::rfc7643_with` takes.
pub fn extension_schema(urn: &str, attributes: &[(String, &str)]) -> Value {
    let mut seen: Vec<String> = Vec::new();
    let mut attrs = Vec::new();
    for (name, kind) in attributes {
        let bare = name
            .get(..urn.len() + 1)
            .filter(|p| p.eq_ignore_ascii_case(&format!("{urn}:")))
            .map_or(name.as_str(), |p| &name[p.len()..]);
        if seen.iter().any(|s| s.eq_ignore_ascii_case(bare)) {
            continue;
        }
        seen.push(bare.to_string());
        let mut a = json!({
            "name": bare,
            "type": kind,
            "multiValued": false,
            "description": format!("{bare}, mapped by the provisioning configuration."),
            "required": false,
            "caseExact": false,
            "mutability": "readWrite",
            "returned": "default",
            "uniqueness": "none",
        });
        if *kind == "reference" {
            a["referenceTypes"] = json!(["external"]);
        }
        attrs.push(a);
    }
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": urn,
        "name": name_from_urn(urn),
        "description": "User extension declared from a provisioning configuration",
        "attributes": attrs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::{Mutability, Returned, Uniqueness};

    const CONTOSO: &str = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";

    #[test]
    fn a_minimal_document_gets_the_section_2_2_defaults() {
        let s = parse_document(&json!({
            "id": CONTOSO,
            "attributes": [{"name": "costCenter"}, {"name": "badgeNumber", "type": "integer"}],
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.id, CONTOSO);
        assert_eq!(s.name, "ContosoUser");
        let cc = &s.attributes[0];
        assert_eq!(cc.attr_type, AttrType::String);
        assert!(!cc.multi_valued && !cc.required && !cc.case_exact);
        assert_eq!(cc.mutability, Mutability::ReadWrite);
        assert_eq!(cc.returned, Returned::Default);
        assert_eq!(cc.uniqueness, Uniqueness::None);
        assert_eq!(s.attributes[1].attr_type, AttrType::Integer);
    }

    #[test]
    fn complex_attributes_keep_their_sub_attributes() {
        let s = parse_document(&json!({
            "id": "urn:example:acme:User", "name": "Acme",
            "attributes": [{"name": "badge", "type": "complex", "multiValued": true,
                "subAttributes": [{"name": "value"}, {"name": "issued", "type": "dateTime"}]}],
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.name, "Acme");
        let b = &s.attributes[0];
        assert!(b.multi_valued);
        assert_eq!(b.sub_attributes.len(), 2);
        assert_eq!(b.sub_attributes[1].attr_type, AttrType::DateTime);
    }

    #[test]
    fn unusable_documents_are_refused_with_the_reason() {
        let cases = [
            (json!([]), "JSON object"),
            (json!({"attributes": [{"name": "a"}]}), "no \"id\""),
            (
                json!({"id": "Contoso", "attributes": [{"name": "a"}]}),
                "start with \"urn:\"",
            ),
            (
                json!({"id": "urn:a b:c", "attributes": [{"name": "a"}]}),
                "without spaces",
            ),
            (
                json!({"id": "urn::x", "attributes": [{"name": "a"}]}),
                "empty component",
            ),
            (json!({"id": CONTOSO}), "no \"attributes\""),
            (json!({"id": CONTOSO, "attributes": []}), "is empty"),
            (
                json!({"id": CONTOSO, "attributes": [{"name": "a", "type": "money"}]}),
                "unknown variant `money`",
            ),
            (
                json!({"id": CONTOSO, "attributes": [{"name": "a", "mutability": "sometimes"}]}),
                "unknown variant `sometimes`",
            ),
            (
                json!({"id": CONTOSO, "attributes": [{"name": "1a"}]}),
                "not an attribute name",
            ),
            (
                json!({"id": CONTOSO, "attributes": [{"name": "a"}, {"name": "A"}]}),
                "declared twice",
            ),
            (
                json!({"id": CONTOSO, "attributes": [{"name": "c", "type": "complex"}]}),
                "needs \"subAttributes\"",
            ),
            (
                json!({"id": CONTOSO, "attributes": [{"name": "c", "type": "complex",
                    "subAttributes": [{"name": "d", "type": "complex", "subAttributes": [{"name": "e"}]}]}]}),
                "cannot be complex",
            ),
            (
                json!({"id": CONTOSO, "attributes": [{"name": "s", "subAttributes": [{"name": "x"}]}]}),
                "only a complex attribute",
            ),
            (
                json!({"id": CONTOSO, "attributes": [{"type": "string"}]}),
                "no \"name\"",
            ),
        ];
        for (doc, want) in cases {
            let e = parse_document(&doc)
                .err()
                .unwrap_or_else(|| panic!("{doc} accepted"));
            assert!(e.contains(want), "{doc}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn extension_schema_builds_a_document_parse_document_reads() {
        let doc = extension_schema(
            CONTOSO,
            &[
                (format!("{CONTOSO}:costCenter"), "string"),
                ("badgeNumber".to_string(), "integer"),
                ("remoteWorker".to_string(), "boolean"),
                ("CostCenter".to_string(), "string"),
                ("site".to_string(), "reference"),
            ],
        );
        assert_eq!(doc["schemas"], json!([SCHEMA_SCHEMA]));
        assert_eq!(doc["name"], "ContosoUser");
        assert!(
            doc["description"]
                .as_str()
                .is_some_and(|d| d.contains("provisioning configuration"))
        );
        let s = parse_document(&doc).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = s.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["costCenter", "badgeNumber", "remoteWorker", "site"]);
        let types: Vec<AttrType> = s.attributes.iter().map(|a| a.attr_type).collect();
        assert_eq!(
            types,
            [
                AttrType::String,
                AttrType::Integer,
                AttrType::Boolean,
                AttrType::Reference
            ]
        );
        assert_eq!(s.attributes[3].reference_types, ["external"]);
        assert!(s.attributes.iter().all(|a| !a.required && !a.multi_valued));
    }

    #[test]
    fn names_come_from_the_urn() {
        assert_eq!(name_from_urn(CONTOSO), "ContosoUser");
        assert_eq!(name_from_urn("urn:example:acme:User"), "AcmeUser");
        assert_eq!(name_from_urn("urn:example:hr"), "Hr");
        assert_eq!(
            name_from_urn("urn:ietf:params:scim:schemas:extension:2.0"),
            "urn:ietf:params:scim:schemas:extension:2.0"
        );
    }
}
