//! Projecting a resource for output: `attributes` / `excludedAttributes` (RFC 7644 §3.9) and
//! the `returned` characteristic (RFC 7643 §2.2).
//!
//! Decisions where the RFCs leave room:
//! - **`attributes` together with `excludedAttributes`.** RFC 7644 does not forbid sending both
//!   and says nothing about the combination, so neither is an error: `attributes` chooses the set
//!   (§3.9 "the default list of attributes SHALL be overridden") and `excludedAttributes` then
//!   removes from it; attributes with `returned: always` survive both.
//! - **`returned: request`** attributes (and sub-attributes) come back only when named
//!   explicitly; naming the parent or the whole extension URN does not name them. Returning them
//!   after a write that set them (RFC 7643 §2.2) is the caller's business: it passes them in
//!   `attributes`.
//! - **`schemas`** is always kept, but an extension URN whose object the projection removed (or
//!   that has no object at all) is dropped from it: RFC 7643 §3 makes `schemas` name the schemas
//!   that define the attributes present.

use crate::scim::path::{AttrPath, looks_like_urn};
use crate::scim::schema::{AttrLookup, Attribute, Returned};
use serde_json::{Map, Value};

/// One `attributes` / `excludedAttributes` entry, normalised to lowercase names.
#[derive(Debug)]
enum Target {
    /// A whole schema, named by its URN alone.
    Schema(String),
    /// An attribute: its extension URN (`None` for core and common attributes), its top-level
    /// name, and the sub-attribute when one was named.
    Attr {
        ext: Option<String>,
        attr: String,
        sub: Option<String>,
    },
}

/// Normalise a requested path against the schema, falling back to its spelling when the schema
/// does not know it.
fn normalise(p: &AttrPath, urns: &[&str], schema: &dyn AttrLookup) -> Target {
    if p.sub.is_none()
        && let Some(u) = &p.urn
    {
        let full = format!("{u}:{}", p.attr);
        if urns.iter().any(|s| s.eq_ignore_ascii_case(&full)) {
            return Target::Schema(full.to_lowercase());
        }
    }
    if let Some(r) = schema.resolve(p) {
        return Target::Attr {
            ext: r.extension.map(str::to_lowercase),
            attr: r.top.name.to_lowercase(),
            sub: r
                .sub
                .map(|s| s.name.to_lowercase())
                .or_else(|| p.sub.as_deref().map(str::to_lowercase)),
        };
    }
    let is_core = |u: &str| urns.first().is_some_and(|c| c.eq_ignore_ascii_case(u));
    Target::Attr {
        ext: p
            .urn
            .as_deref()
            .filter(|u| !is_core(u))
            .map(str::to_lowercase),
        attr: p.attr.to_lowercase(),
        sub: p.sub.as_deref().map(str::to_lowercase),
    }
}

/// How one top-level attribute is named by a target list.
#[derive(Debug, Default)]
struct Selection {
    /// Named itself (without a sub-attribute).
    whole: bool,
    /// Its schema was named by URN alone.
    schema: bool,
    /// Sub-attributes named (lowercase).
    subs: Vec<String>,
}

/// Which sub-attributes of a kept attribute survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubMode {
    /// All, subject to their own `returned`.
    All,
    /// Only the named ones (and any `returned: always`).
    Only,
}

/// What the projection of one resource needs to know.
struct Projector<'a> {
    /// Lowercase core schema URN.
    core: Option<String>,
    /// Normalised `attributes`.
    requested: Vec<Target>,
    /// Normalised `excludedAttributes`.
    excluded: Vec<Target>,
    /// The schema lookup.
    schema: &'a dyn AttrLookup,
}

impl Projector<'_> {
    /// How `targets` name the attribute `name` (lowercase) in extension `ext` (lowercase).
    fn select(&self, targets: &[Target], ext: Option<&str>, name: &str) -> Selection {
        let mut sel = Selection::default();
        for t in targets {
            match t {
                Target::Schema(u) => {
                    if Some(u.as_str()) == ext || (ext.is_none() && self.core.as_deref() == Some(u))
                    {
                        sel.schema = true;
                    }
                }
                Target::Attr { ext: e, attr, sub } => {
                    if e.as_deref() == ext && attr == name {
                        match sub {
                            None => sel.whole = true,
                            Some(s) => sel.subs.push(s.clone()),
                        }
                    }
                }
            }
        }
        sel
    }

    /// The projected value of one top-level attribute, or `None` when it is not returned.
    fn attr(
        &self,
        ext: Option<&str>,
        key: &str,
        def: Option<&Attribute>,
        value: &Value,
    ) -> Option<Value> {
        let name = key.to_lowercase();
        // RFC 7643 §3.1: `id` is always returned, whatever the lookup says.
        let returned = if ext.is_none() && name == "id" {
            Returned::Always
        } else {
            def.map_or(Returned::Default, |d| d.returned)
        };
        if returned == Returned::Never {
            return None;
        }
        let req = self.select(&self.requested, ext, &name);
        let exc = self.select(&self.excluded, ext, &name);
        let mode = if self.requested.is_empty() {
            match returned {
                Returned::Request => return None,
                _ => SubMode::All,
            }
        } else {
            match returned {
                Returned::Always => SubMode::All,
                Returned::Request if req.whole => SubMode::All,
                Returned::Default if req.whole || req.schema => SubMode::All,
                _ if !req.subs.is_empty() => SubMode::Only,
                _ => return None,
            }
        };
        if returned != Returned::Always && (exc.whole || exc.schema) {
            return None;
        }
        let keep_sub = |k: &str| -> bool {
            let kl = k.to_lowercase();
            let r = def
                .and_then(|d| d.sub_attribute(k))
                .map_or(Returned::Default, |a| a.returned);
            let named = req.subs.contains(&kl);
            let chosen = match (r, mode) {
                (Returned::Never, _) => false,
                (Returned::Always, _) => true,
                (Returned::Request, _) => named,
                (Returned::Default, SubMode::All) => true,
                (Returned::Default, SubMode::Only) => named,
            };
            chosen && (r == Returned::Always || !exc.subs.contains(&kl))
        };
        let filter_obj = |m: &Map<String, Value>| -> Map<String, Value> {
            m.iter()
                .filter(|(k, _)| keep_sub(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        match value {
            Value::Object(m) => {
                let out = filter_obj(m);
                (!out.is_empty()).then_some(Value::Object(out))
            }
            Value::Array(items) => {
                let out: Vec<Value> = items
                    .iter()
                    .filter_map(|item| match item {
                        Value::Object(m) => {
                            let o = filter_obj(m);
                            (!o.is_empty()).then_some(Value::Object(o))
                        }
                        other => (mode == SubMode::All).then(|| other.clone()),
                    })
                    .collect();
                (!out.is_empty()).then_some(Value::Array(out))
            }
            scalar => (mode == SubMode::All).then(|| scalar.clone()),
        }
    }
}

/// Project one stored resource for output per RFC 7644 §3.4.2.5/§3.9 and RFC 7643 §2.2:
///
/// - `id`, `schemas` and every `returned: always` attribute are kept even if excluded or not
///   requested; `returned: never` (e.g. `password`) is always removed, at any level;
/// - `returned: request` attributes only when named explicitly in `attributes`;
/// - with `attributes`, only those (plus always-returned ones); `name.givenName` keeps `name`
///   with only `givenName`; naming a complex parent keeps its sub-attributes (subject to their
///   own `returned`); on multi-valued complex attributes the same applies to every value;
/// - extension attributes live under their URN key; a URN alone selects (or excludes) the
///   whole extension; an extension object left empty is dropped, and its URN with it from
///   `schemas`;
/// - `excludedAttributes` removes from whatever `attributes` chose (see the module notes);
/// - unknown attributes are treated as `returned: default`; names match case-insensitively.
///
/// A non-object input is returned unchanged.
pub fn project(
    resource: &Value,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
    schema: &dyn AttrLookup,
) -> Value {
    let Value::Object(obj) = resource else {
        return resource.clone();
    };
    let urns = schema.schema_urns();
    let exts: Vec<String> = urns.iter().skip(1).map(|u| u.to_lowercase()).collect();
    let p = Projector {
        core: urns.first().map(|u| u.to_lowercase()),
        requested: attributes
            .iter()
            .map(|a| normalise(a, &urns, schema))
            .collect(),
        excluded: excluded
            .iter()
            .map(|a| normalise(a, &urns, schema))
            .collect(),
        schema,
    };
    let mut out = Map::new();
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("schemas") {
            out.insert(key.clone(), value.clone());
            continue;
        }
        let key_lc = key.to_lowercase();
        if let Value::Object(ext_obj) = value
            && (exts.contains(&key_lc) || looks_like_urn(key))
        {
            let mut ext_out = Map::new();
            for (k, v) in ext_obj {
                let path = AttrPath {
                    urn: Some(key.clone()),
                    attr: k.clone(),
                    sub: None,
                };
                let def = p
                    .schema
                    .resolve(&path)
                    .filter(|r| r.extension.is_some_and(|e| e.eq_ignore_ascii_case(key)))
                    .map(|r| r.top);
                if let Some(v) = p.attr(Some(&key_lc), k, def, v) {
                    ext_out.insert(k.clone(), v);
                }
            }
            if !ext_out.is_empty() {
                out.insert(key.clone(), Value::Object(ext_out));
            }
            continue;
        }
        let def = p
            .schema
            .resolve(&AttrPath::attr(key.clone()))
            .filter(|r| r.extension.is_none())
            .map(|r| r.top);
        if let Some(v) = p.attr(None, key, def, value) {
            out.insert(key.clone(), v);
        }
    }
    let present: Vec<String> = out.keys().map(|k| k.to_lowercase()).collect();
    for (key, value) in out.iter_mut() {
        if let (true, Value::Array(list)) = (key.eq_ignore_ascii_case("schemas"), value) {
            list.retain(|u| {
                u.as_str().is_none_or(|s| {
                    let sl = s.to_lowercase();
                    !exts.contains(&sl) || present.contains(&sl)
                })
            });
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::query::fixtures::*;
    use proptest::prelude::*;
    use serde_json::json;

    // ----- projection -------------------------------------------------------------------------

    #[test]
    fn default_projection_drops_never_and_request_only() {
        let out = proj("", "");
        assert!(out.get("password").is_none());
        assert!(out.get("auditNote").is_none());
        assert!(out["emails"][0].get("verificationCode").is_none());
        assert_eq!(out["emails"][0]["value"], "bjensen@example.com");
        for k in [
            "schemas",
            "id",
            "externalId",
            "userName",
            "name",
            "displayName",
            "groups",
            "meta",
            ENT,
        ] {
            assert!(out.get(k).is_some(), "{k} missing");
        }
        assert_eq!(out["schemas"], json!([USER_SCHEMA, ENT]));
        assert_eq!(out[ENT], user()[ENT]);
    }

    #[test]
    fn attributes_keeps_only_named_and_always() {
        let out = proj("userName", "");
        assert_eq!(keys(&out), vec!["schemas", "id", "userName"]);
        // the Enterprise object is gone, so its URN leaves `schemas`
        assert_eq!(out["schemas"], json!([USER_SCHEMA]));
    }

    #[test]
    fn attributes_sub_attribute_keeps_parent_with_only_that_sub() {
        let out = proj("name.givenName", "");
        assert_eq!(out["name"], json!({"givenName": "Barbara"}));
        assert_eq!(keys(&out), vec!["schemas", "id", "name"]);
    }

    #[test]
    fn attributes_complex_parent_keeps_all_subs() {
        assert_eq!(proj("name", "")["name"], user()["name"]);
        let emails = proj("emails", "")["emails"].clone();
        assert_eq!(
            emails[0],
            json!({"value": "bjensen@example.com", "type": "work", "primary": true})
        );
        assert_eq!(
            emails[1],
            json!({"value": "babs@jensen.org", "type": "home"})
        );
    }

    #[test]
    fn attributes_sub_of_multi_valued_projects_every_value() {
        let out = proj("emails.value", "");
        assert_eq!(
            out["emails"],
            json!([{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}])
        );
        // a sub-attribute no value has removes the attribute altogether
        assert!(proj("emails.display", "").get("emails").is_none());
    }

    #[test]
    fn never_returned_even_when_requested() {
        let out = proj("password,emails.verificationCode", "");
        assert!(out.get("password").is_none());
        assert!(out.get("emails").is_none());
        assert_eq!(keys(&out), vec!["schemas", "id"]);
    }

    #[test]
    fn request_only_returned_when_named() {
        assert_eq!(proj("auditNote", "")["auditNote"], "flagged");
        assert!(proj("userName", "").get("auditNote").is_none());
        assert!(proj("", "emails").get("auditNote").is_none());
    }

    #[test]
    fn excluded_attribute_removed_others_kept() {
        let out = proj("", "emails");
        assert!(out.get("emails").is_none());
        for k in ["userName", "name", "displayName", "meta", ENT] {
            assert!(out.get(k).is_some(), "{k} missing");
        }
    }

    #[test]
    fn excluding_always_returned_has_no_effect() {
        let out = proj("", "id,schemas");
        assert_eq!(out["id"], "2819c223");
        assert_eq!(out["schemas"], json!([USER_SCHEMA, ENT]));
    }

    #[test]
    fn excluded_sub_attribute() {
        let out = proj("", "name.familyName,emails.type");
        assert_eq!(
            out["name"],
            json!({"formatted": "Ms. Barbara J Jensen", "givenName": "Barbara"})
        );
        assert_eq!(
            out["emails"][0],
            json!({"value": "bjensen@example.com", "primary": true})
        );
    }

    #[test]
    fn meta_is_returned_by_default_and_projectable() {
        assert!(proj("", "meta").get("meta").is_none());
        assert_eq!(
            proj("meta.lastModified", "")["meta"],
            json!({"lastModified": "2011-05-13T04:42:34Z"})
        );
        assert!(proj("userName", "").get("meta").is_none());
    }

    #[test]
    fn extension_attribute_by_urn_path() {
        let out = proj(&format!("{ENT}:employeeNumber"), "");
        assert_eq!(out[ENT], json!({"employeeNumber": "701984"}));
        assert_eq!(out["schemas"], json!([USER_SCHEMA, ENT]));
        let out = proj(&format!("{ENT}:manager.displayName"), "");
        assert_eq!(out[ENT], json!({"manager": {"displayName": "John Smith"}}));
    }

    #[test]
    fn extension_attribute_unqualified_resolves_to_extension() {
        assert_eq!(
            proj("employeeNumber", "")[ENT],
            json!({"employeeNumber": "701984"})
        );
    }

    #[test]
    fn urn_alone_selects_whole_extension() {
        let out = proj(&format!("userName,{ENT}"), "");
        assert_eq!(out[ENT], user()[ENT]);
        assert_eq!(keys(&out), vec!["schemas", "id", "userName", ENT]);
    }

    #[test]
    fn core_urn_alone_selects_core_attributes() {
        let out = proj(USER_SCHEMA, "");
        assert!(out.get("userName").is_some() && out.get("name").is_some());
        assert!(out.get(ENT).is_none());
        assert!(out.get("auditNote").is_none());
    }

    #[test]
    fn excluded_extension_attribute_and_whole_extension() {
        let out = proj("", &format!("{ENT}:manager"));
        assert_eq!(
            out[ENT],
            json!({"employeeNumber": "701984", "department": "Tour Operations"})
        );
        let out = proj("", ENT);
        assert!(out.get(ENT).is_none());
        assert_eq!(out["schemas"], json!([USER_SCHEMA]));
        assert!(out.get("userName").is_some());
    }

    #[test]
    fn names_match_case_insensitively() {
        let out = proj("USERNAME,Name.GIVENNAME", "");
        assert_eq!(out["userName"], "bjensen");
        assert_eq!(out["name"], json!({"givenName": "Barbara"}));
        let mut shouty = user();
        if let Some(m) = shouty.as_object_mut() {
            m.insert("PassWord".into(), json!("x"));
        }
        let out = project(&shouty, &[], &[], &fake());
        assert!(out.get("PassWord").is_none());
    }

    #[test]
    fn attributes_then_excluded_compose() {
        let out = proj("name,userName", "name.givenName,userName,id");
        assert_eq!(
            out["name"],
            json!({"formatted": "Ms. Barbara J Jensen", "familyName": "Jensen"})
        );
        assert!(out.get("userName").is_none());
        assert_eq!(out["id"], "2819c223");
    }

    #[test]
    fn unknown_attributes_are_returned_by_default() {
        assert_eq!(proj("", "")["externalId"], "ext-1");
        assert!(proj("userName", "").get("externalId").is_none());
        assert_eq!(proj("externalId", "")["externalId"], "ext-1");
        assert!(proj("", "externalId").get("externalId").is_none());
    }

    #[test]
    fn project_of_non_object_is_identity() {
        assert_eq!(project(&json!([1, 2]), &[], &[], &fake()), json!([1, 2]));
    }

    proptest! {
        #[test]
        fn project_never_emits_never_and_always_keeps_id(
            drop_mask in proptest::collection::vec(any::<bool>(), 12),
            attrs in proptest::sample::subsequence(POOL.to_vec(), 0..5),
            excl in proptest::sample::subsequence(POOL.to_vec(), 0..5),
            pw_key in prop_oneof![Just("password"), Just("PASSWORD"), Just("passWord")],
        ) {
            let mut r = user();
            if let Some(m) = r.as_object_mut() {
                m.insert(pw_key.to_string(), json!("secret"));
                let victims: Vec<String> = m.keys().filter(|k| *k != "id").cloned().collect();
                for (k, drop) in victims.iter().zip(&drop_mask) {
                    if *drop { m.remove(k); }
                }
            }
            let a: Vec<AttrPath> = attrs.iter().filter_map(|s| AttrPath::parse(s).ok()).collect();
            let e: Vec<AttrPath> = excl.iter().filter_map(|s| AttrPath::parse(s).ok()).collect();
            let out = project(&r, &a, &e, &fake());
            prop_assert_eq!(&out["id"], &json!("2819c223"));
            let obj = out.as_object().cloned().unwrap_or_default();
            prop_assert!(!obj.keys().any(|k| k.eq_ignore_ascii_case("password")));
            for email in out["emails"].as_array().cloned().unwrap_or_default() {
                prop_assert!(email.get("verificationCode").is_none());
            }
            if a.is_empty() || !attrs.contains(&"auditNote") {
                prop_assert!(out.get("auditNote").is_none());
            }
        }
    }

    const POOL: [&str; 12] = [
        "id",
        "password",
        "userName",
        "name.givenName",
        "emails",
        "emails.verificationCode",
        "emails.value",
        "auditNote",
        "meta",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        "PASSWORD",
    ];
}
