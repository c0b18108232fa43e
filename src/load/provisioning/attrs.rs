//! The user side of a provisioning configuration as a load run sends it: the create body (the
//! mapped attributes with values of their types, extension URNs in `schemas`), the PATCH
//! replaces and PUT changes of an update (the mapped attributes, not fixed ones), the
//! existence-check filter on the configured matching attribute, and reading a mapped attribute
//! back from a resource.
//!
//! Values: a mapping's `example` when it has one; otherwise a generated one of its type. Every
//! generated string carries the user's unique name, so it is unique per user; `userName` and the
//! matching attribute are always generated (each user needs its own, and cleanup finds users by
//! their namespaced userName).

use crate::scim::provisioning::{AttrType, Mapping, ProvisioningConfig, target_path};
use crate::scim::schema::{PATCH_OP, USER_SCHEMA};
use serde_json::{Map, Value, json};

/// One mapped user attribute, split for writing and reading back.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedAttr {
    /// The target as configured (`emails[type eq "work"].value`).
    pub target: String,
    /// The extension URN, if qualified.
    pub urn: Option<String>,
    /// The attribute.
    pub attr: String,
    /// A value filter `sub eq "value"` selecting one element of a multi-valued attribute.
    pub filter: Option<(String, String)>,
    /// The sub-attribute.
    pub sub: Option<String>,
    /// The type (given, else from the example, else string).
    pub kind: AttrType,
    /// The configured example, as JSON.
    pub example: Option<Value>,
}

impl MappedAttr {
    /// A mapping as written, or `None` when its target has a value filter other than
    /// `sub eq "value"` (such a target is checked against the schema but not sent).
    fn from_mapping(m: &Mapping) -> Option<MappedAttr> {
        let p = target_path(&m.target).ok()?;
        let filter = match (m.target.find('['), m.target.rfind(']')) {
            (Some(i), Some(j)) if i < j => Some(eq_filter(&m.target[i + 1..j])?),
            _ => None,
        };
        let example = m.example.as_ref().map(toml_to_json);
        let kind = m.kind.unwrap_or(match &example {
            Some(Value::Bool(_)) => AttrType::Boolean,
            Some(Value::Number(n)) if n.is_i64() => AttrType::Integer,
            _ => AttrType::String,
        });
        Some(MappedAttr {
            target: m.target.clone(),
            urn: p.urn,
            attr: p.attr,
            filter,
            sub: p.sub,
            kind,
            example,
        })
    }

    fn is(&self, name: &str) -> bool {
        self.urn.is_none()
            && self.filter.is_none()
            && self.sub.is_none()
            && self.attr.eq_ignore_ascii_case(name)
    }

    /// The attribute's last name (`value`, `givenName`, `costCenter`).
    fn leaf(&self) -> &str {
        self.sub.as_deref().unwrap_or(&self.attr)
    }

    fn email_like(&self) -> bool {
        self.attr.to_ascii_lowercase().contains("email")
    }

    /// A generated value of the attribute's type, unique per user for strings (`unique` is the
    /// user's unique name, an email address); `None` for a reference (no id to point at).
    fn generated(&self, unique: &str, n: u64) -> Option<Value> {
        Some(match self.kind {
            AttrType::String if self.email_like() => Value::String(unique.to_string()),
            AttrType::String => {
                let local = unique.split('@').next().unwrap_or(unique);
                Value::String(format!("{}-{local}", self.leaf()))
            }
            AttrType::Boolean => Value::Bool(true),
            AttrType::Integer => json!(n),
            AttrType::DateTime => Value::String("2026-01-01T00:00:00Z".into()),
            AttrType::Reference => return None,
        })
    }

    /// Write `v` into `doc` at this attribute (creating the extension object, the complex
    /// value or the element the filter selects).
    pub fn put(&self, doc: &mut Map<String, Value>, v: Value) {
        let holder = match &self.urn {
            Some(u) => {
                let key = key_of(doc, u).unwrap_or_else(|| u.clone());
                let e = doc.entry(key).or_insert_with(|| json!({}));
                if !e.is_object() {
                    *e = json!({});
                }
                match e.as_object_mut() {
                    Some(m) => m,
                    None => return,
                }
            }
            None => doc,
        };
        let key = key_of(holder, &self.attr).unwrap_or_else(|| self.attr.clone());
        match (&self.filter, &self.sub) {
            (None, None) => {
                holder.insert(key, v);
            }
            (None, Some(sub)) => {
                let e = holder.entry(key).or_insert_with(|| json!({}));
                if let Some(m) = e.as_object_mut() {
                    let k = key_of(m, sub).unwrap_or_else(|| sub.clone());
                    m.insert(k, v);
                } else {
                    *e = json!({ sub: v });
                }
            }
            (Some((fa, fv)), sub) => {
                let e = holder.entry(key).or_insert_with(|| json!([]));
                if !e.is_array() {
                    *e = json!([]);
                }
                let Some(arr) = e.as_array_mut() else {
                    return;
                };
                let at = arr
                    .iter()
                    .position(|x| field(x, fa).and_then(Value::as_str) == Some(fv));
                let at = at.unwrap_or_else(|| {
                    arr.push(json!({ fa.as_str(): fv }));
                    arr.len() - 1
                });
                if let Some(m) = arr[at].as_object_mut() {
                    m.insert(sub.clone().unwrap_or_else(|| "value".into()), v);
                }
            }
        }
    }

    /// The attribute's value in a resource document (keys compared case-insensitively, as
    /// RFC 7643 §2.1 makes attribute names).
    pub fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        let holder = match &self.urn {
            Some(u) => field(doc, u)?,
            None => doc,
        };
        let a = field(holder, &self.attr)?;
        match (&self.filter, &self.sub) {
            (None, None) => Some(a),
            (None, Some(sub)) => field(a, sub),
            (Some((fa, fv)), sub) => {
                let e = a
                    .as_array()?
                    .iter()
                    .find(|x| field(x, fa).and_then(Value::as_str) == Some(fv.as_str()))?;
                field(e, sub.as_deref().unwrap_or("value"))
            }
        }
    }
}

/// `type eq "work"` → (`type`, `work`); any other filter → None.
fn eq_filter(text: &str) -> Option<(String, String)> {
    let mut parts = text.trim().splitn(3, ' ');
    let (a, op, v) = (parts.next()?, parts.next()?, parts.next()?.trim());
    let v = v.strip_prefix('"')?.strip_suffix('"')?;
    (op.eq_ignore_ascii_case("eq") && !a.is_empty() && !v.contains('"'))
        .then(|| (a.to_string(), v.to_string()))
}

/// The key of `name` in an object, compared case-insensitively.
fn key_of(m: &Map<String, Value>, name: &str) -> Option<String> {
    m.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// How users are written under a configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct UserShape {
    /// The configured matching attribute, parsed (`userName` when unmapped).
    matching: MappedAttr,
    /// The user mappings that can be sent.
    mapped: Vec<MappedAttr>,
}

impl UserShape {
    /// The user side of `cfg`.
    pub fn new(cfg: &ProvisioningConfig) -> UserShape {
        let matching = Mapping {
            source: None,
            target: cfg.users.matching.clone(),
            kind: None,
            example: None,
            line: 0,
        };
        let matching = MappedAttr::from_mapping(&matching).unwrap_or(MappedAttr {
            target: "userName".into(),
            urn: None,
            attr: "userName".into(),
            filter: None,
            sub: None,
            kind: AttrType::String,
            example: None,
        });
        UserShape {
            matching,
            mapped: cfg
                .users
                .mappings
                .iter()
                .filter_map(MappedAttr::from_mapping)
                .collect(),
        }
    }

    /// Whether the configuration maps user attributes (else the scenario's own bodies go out).
    pub fn maps_attributes(&self) -> bool {
        !self.mapped.is_empty()
    }

    fn is_matching(&self, a: &MappedAttr) -> bool {
        a.target.eq_ignore_ascii_case(&self.matching.target)
    }

    /// The value a create sends for `a`.
    fn create_value(&self, a: &MappedAttr, user_name: &str, n: u64) -> Option<Value> {
        if a.is("userName") {
            return Some(Value::String(user_name.to_string()));
        }
        if a.is("active") && a.example.is_none() {
            return Some(Value::Bool(true));
        }
        if self.is_matching(a) {
            return a.generated(user_name, n);
        }
        a.example.clone().or_else(|| a.generated(user_name, n))
    }

    /// A create body for `user_name` carrying the mapped attributes (and the matching
    /// attribute), and the value it sends for the matching attribute. `base` is the scenario's
    /// own body, used as it is when the configuration maps nothing.
    pub fn create_body(&self, base: Value, user_name: &str, n: u64) -> (Value, String) {
        let mut doc = if self.maps_attributes() {
            let mut m = Map::new();
            m.insert("schemas".into(), json!([USER_SCHEMA]));
            m.insert("userName".into(), Value::String(user_name.to_string()));
            m
        } else {
            base.as_object().cloned().unwrap_or_default()
        };
        for a in &self.mapped {
            if let Some(v) = self.create_value(a, user_name, n) {
                a.put(&mut doc, v);
            }
        }
        if self.matching.get(&Value::Object(doc.clone())).is_none()
            && let Some(v) = self.matching.generated(user_name, n)
        {
            self.matching.put(&mut doc, v);
        }
        let doc = Value::Object(doc);
        let value = match self.matching.get(&doc) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => user_name.to_string(),
        };
        let mut doc = doc;
        self.add_urns(&mut doc);
        (doc, value)
    }

    /// Every mapped extension URN in `doc`'s `schemas`.
    fn add_urns(&self, doc: &mut Value) {
        let urns: Vec<&str> = self
            .mapped
            .iter()
            .filter_map(|a| a.urn.as_deref())
            .collect();
        if urns.is_empty() {
            return;
        }
        if !doc["schemas"].is_array() {
            doc["schemas"] = json!([USER_SCHEMA]);
        }
        if let Some(s) = doc["schemas"].as_array_mut() {
            for u in urns {
                if !s
                    .iter()
                    .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(u)))
                {
                    s.push(Value::String(u.to_string()));
                }
            }
        }
    }

    /// The mapped attributes an update changes: not `userName`, not the matching attribute
    /// (the existence checks look users up by it), not `active` (that is deprovisioning), not
    /// a reference.
    pub fn updatable(&self) -> Vec<&MappedAttr> {
        self.mapped
            .iter()
            .filter(|a| {
                !a.is("userName")
                    && !a.is("active")
                    && !self.is_matching(a)
                    && a.kind != AttrType::Reference
            })
            .collect()
    }

    /// The value update number `n` writes to `a`: the example when there is one and `fresh` is
    /// false, else a generated value that changes with `n` (strings and integers).
    pub fn update_value(a: &MappedAttr, n: u64, fresh: bool) -> Value {
        if !fresh && let Some(e) = &a.example {
            return e.clone();
        }
        match a.kind {
            AttrType::String if a.email_like() => Value::String(format!("updated{n}@load.example")),
            AttrType::String | AttrType::Reference => {
                Value::String(format!("{} updated {n}", a.leaf()))
            }
            AttrType::Boolean => a.example.clone().unwrap_or(Value::Bool(true)),
            AttrType::Integer => json!(n),
            AttrType::DateTime => a
                .example
                .clone()
                .unwrap_or_else(|| Value::String("2026-06-01T00:00:00Z".into())),
        }
    }

    /// An Entra-style PATCH replacing every updatable mapped attribute; `None` when there is
    /// none (the scenario's own update goes out).
    pub fn patch_body(&self, n: u64, fresh: bool) -> Option<(Value, Vec<(MappedAttr, Value)>)> {
        let attrs = self.updatable();
        if attrs.is_empty() {
            return None;
        }
        let written: Vec<(MappedAttr, Value)> = attrs
            .into_iter()
            .map(|a| (a.clone(), Self::update_value(a, n, fresh)))
            .collect();
        let ops: Vec<Value> = written
            .iter()
            .map(|(a, v)| json!({"op": "Replace", "path": a.target, "value": v}))
            .collect();
        Some((json!({"schemas": [PATCH_OP], "Operations": ops}), written))
    }

    /// A whole resource (as read back) with every updatable mapped attribute changed, for a
    /// PUT, and what it wrote; empty when there is none (the scenario's own change goes in).
    pub fn change_for_put(&self, doc: &mut Value, n: u64, fresh: bool) -> Vec<(MappedAttr, Value)> {
        let mut written = Vec::new();
        let Some(m) = doc.as_object_mut() else {
            return written;
        };
        for a in self.updatable() {
            let v = Self::update_value(a, n, fresh);
            a.put(m, v.clone());
            written.push((a.clone(), v));
        }
        if !written.is_empty() {
            self.add_urns(doc);
        }
        written
    }

    /// The existence check's filter for a user whose matching attribute is `value`:
    /// `userName eq "…"`, or `emails[type eq "work" and value eq "…"]` for a filtered target.
    pub fn filter(&self, value: &str) -> String {
        let v = value.replace('\\', "\\\\").replace('"', "\\\"");
        let m = &self.matching;
        let attr = match &m.urn {
            Some(u) => format!("{u}:{}", m.attr),
            None => m.attr.clone(),
        };
        match (&m.filter, &m.sub) {
            (Some((fa, fv)), sub) => format!(
                "{attr}[{fa} eq \"{fv}\" and {} eq \"{v}\"]",
                sub.as_deref().unwrap_or("value")
            ),
            (None, Some(sub)) => format!("{attr}.{sub} eq \"{v}\""),
            (None, None) => format!("{attr} eq \"{v}\""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::provisioning::parse;

    const EXT: &str = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";

    fn shape(text: &str) -> UserShape {
        UserShape::new(&parse(text).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn creates_carry_the_mapped_attributes_under_their_urns() {
        let text = std::fs::read_to_string("examples/custom-extension.toml")
            .unwrap_or_else(|e| panic!("{e}"));
        let s = shape(&text);
        let (doc, matched) = s.create_body(json!({}), "u1@load.example", 7);
        assert_eq!(matched, "u1@load.example");
        assert_eq!(doc["userName"], "u1@load.example");
        assert_eq!(
            doc["emails"],
            json!([{"type": "work", "value": "u1@load.example"}])
        );
        assert_eq!(doc[EXT]["costCenter"], "CC-4711");
        assert_eq!(doc[EXT]["badgeNumber"], 80231);
        assert_eq!(doc[EXT]["remoteWorker"], true);
        assert_eq!(doc["schemas"], json!([USER_SCHEMA, EXT]));
        // The update replaces the mapped attributes (not userName), under the URN.
        let (patch, written) = s.patch_body(3, false).unwrap_or_else(|| panic!("no patch"));
        let paths: Vec<&str> = patch["Operations"]
            .as_array()
            .map(|a| a.iter().filter_map(|o| o["path"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(paths.len(), 4, "{patch}");
        assert!(paths.contains(&"emails[type eq \"work\"].value"));
        assert!(paths.iter().all(|p| *p != "userName"));
        // What a PUT writes reads back through the same paths.
        let mut whole = doc.clone();
        let written_put = s.change_for_put(&mut whole, 9, true);
        for (a, v) in &written_put {
            assert_eq!(a.get(&whole), Some(v), "{}", a.target);
        }
        assert_eq!(written.len(), written_put.len());
    }

    #[test]
    fn the_existence_check_filters_on_the_configured_matching_attribute() {
        let s = shape("[users]\nmatching = \"externalId\"\n");
        let (doc, matched) = s.create_body(json!({"userName": "x"}), "u2@load.example", 1);
        assert_eq!(doc["externalId"], matched.as_str());
        assert_eq!(s.filter(&matched), format!("externalId eq \"{matched}\""));
        let s = shape("[users]\nmatching = 'emails[type eq \"work\"].value'\n");
        assert_eq!(
            s.filter("a@b.example"),
            "emails[type eq \"work\" and value eq \"a@b.example\"]"
        );
        // Nothing mapped: the scenario's body goes out as it is.
        let s = shape("");
        let (doc, matched) = s.create_body(json!({"userName": "u3", "title": "t"}), "u3", 1);
        assert_eq!((doc["title"].as_str(), matched.as_str()), (Some("t"), "u3"));
        assert!(s.patch_body(1, false).is_none());
    }
}
