//! Stored resources as served: `meta.location` spliced in, `User.groups` computed, the
//! `attributes`/`excludedAttributes` projection applied, and the single-resource `Reply`.

use super::*;

impl Provider {
    /// The full representation of a stored resource: its JSON plus computed `User.groups`.
    pub(super) fn materialize(&self, d: &TenantData, kind: Kind, e: &Entry) -> ScimResult<Value> {
        let mut v = parse_stored(&e.document())?;
        if let Some(Value::Object(meta)) = v.get_mut("meta") {
            meta.insert("location".into(), Value::String(self.location(kind, &e.id)));
        }
        if kind == Kind::User {
            let groups = d.groups_of(&e.id);
            if !groups.is_empty()
                && self.rules.user_groups
                && let Value::Object(m) = &mut v
            {
                // Ordered by display name, then id: stable for people and transcripts (ids
                // are random, so id order would shuffle from run to run).
                let mut found: Vec<&Arc<Entry>> =
                    groups.iter().filter_map(|gid| d.groups.get(gid)).collect();
                found.sort_by(|a, b| (&a.display, &a.id).cmp(&(&b.display, &b.id)));
                let list: Vec<Value> = found
                    .into_iter()
                    .map(|g| {
                        let mut o = Map::new();
                        o.insert("value".into(), Value::String(g.id.to_string()));
                        o.insert(
                            "$ref".into(),
                            Value::String(self.location(Kind::Group, &g.id)),
                        );
                        if let Some(dn) = &g.display {
                            o.insert("display".into(), Value::String(dn.to_string()));
                        }
                        o.insert("type".into(), Value::String("direct".into()));
                        Value::Object(o)
                    })
                    .collect();
                let meta = m.shift_remove("meta");
                m.insert("groups".into(), Value::Array(list));
                if let Some(meta) = meta {
                    m.insert("meta".into(), meta);
                }
            }
            if self.rules.return_password
                && let (Value::Object(m), Some(p)) = (&mut v, &e.password)
            {
                m.insert("password".into(), Value::String(p.to_string()));
            }
        }
        Ok(v)
    }

    pub(super) fn needs_materialize(&self, d: &TenantData, kind: Kind, e: &Entry) -> bool {
        kind == Kind::User
            && (self.rules.return_password
                || (!d.groups_of(&e.id).is_empty() && self.rules.user_groups))
    }

    /// The stored document as served: `meta.location` spliced into the `meta` object that ends
    /// it (see `Entry::document`), without parsing.
    pub(super) fn served_json(&self, kind: Kind, e: &Entry) -> Bytes {
        let mut out = Vec::with_capacity(1024);
        e.document_into(&mut out);
        if !out.ends_with(b"}}") {
            // Not the shape build_entry writes; fall back to the parsing path.
            return match parse_stored(&out) {
                Ok(mut v) => {
                    if let Some(Value::Object(meta)) = v.get_mut("meta") {
                        meta.insert("location".into(), Value::String(self.location(kind, &e.id)));
                    }
                    to_bytes(&v)
                }
                Err(_) => Bytes::from(out),
            };
        }
        out.truncate(out.len() - 2);
        let loc = Value::String(self.location(kind, &e.id));
        out.extend_from_slice(b",\"location\":");
        out.extend_from_slice(loc.to_string().as_bytes());
        out.extend_from_slice(b"}}");
        Bytes::from(out)
    }

    /// A user as served with its computed `groups` (what [`Provider::materialize`] builds,
    /// serialised), spliced in as bytes before `meta`, without parsing; `None` when the stored
    /// document does not have the shape for it.
    fn served_with_groups(&self, d: &TenantData, e: &Entry) -> Option<Bytes> {
        let doc = self.served_json(Kind::User, e);
        let at = crate::provider::store::meta_start(&doc)?;
        let mut found: Vec<&Arc<Entry>> = d
            .groups_of(&e.id)
            .iter()
            .filter_map(|gid| d.groups.get(gid))
            .collect();
        // The order `materialize` gives them.
        found.sort_by(|a, b| (&a.display, &a.id).cmp(&(&b.display, &b.id)));
        let mut out = Vec::with_capacity(doc.len() + found.len() * 160 + 16);
        out.extend_from_slice(&doc[..at]);
        out.extend_from_slice(b"\"groups\":[");
        for (i, g) in found.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"value\":");
            out.extend_from_slice(Value::String(g.id.to_string()).to_string().as_bytes());
            out.extend_from_slice(b",\"$ref\":");
            out.extend_from_slice(
                Value::String(self.location(Kind::Group, &g.id))
                    .to_string()
                    .as_bytes(),
            );
            if let Some(dn) = &g.display {
                out.extend_from_slice(b",\"display\":");
                out.extend_from_slice(Value::String(dn.to_string()).to_string().as_bytes());
            }
            out.extend_from_slice(b",\"type\":\"direct\"}");
        }
        out.extend_from_slice(b"],");
        out.extend_from_slice(&doc[at..]);
        Some(Bytes::from(out))
    }

    /// The body for one resource, projected.
    pub(super) fn render(
        &self,
        d: &TenantData,
        kind: Kind,
        e: &Entry,
        proj: &Projection,
    ) -> ScimResult<Bytes> {
        if proj.is_identity() {
            if !self.needs_materialize(d, kind, e) {
                return Ok(self.served_json(kind, e));
            }
            if kind == Kind::User
                && !self.rules.return_password
                && let Some(b) = self.served_with_groups(d, e)
            {
                return Ok(b);
            }
        }
        if kind == Kind::Group
            && !e.members.is_empty()
            && self.rules.member_fast_path
            && members::drops_members(proj)
        {
            // The answer leaves the members out: project the document without them.
            let mut v = parse_stored(&e.stored())?;
            if let Some(Value::Object(meta)) = v.get_mut("meta") {
                meta.insert("location".into(), Value::String(self.location(kind, &e.id)));
            }
            return Ok(to_bytes(&self.project(kind, &v, proj)?));
        }
        let v = self.materialize(d, kind, e)?;
        Ok(to_bytes(&self.project(kind, &v, proj)?))
    }

    pub(super) fn project(&self, kind: Kind, v: &Value, proj: &Projection) -> ScimResult<Value> {
        if proj.is_identity() {
            return Ok(v.clone());
        }
        let schema = self.schema(kind)?;
        let rewritten = self.hooks.project(v, proj);
        let proj = rewritten.as_ref().unwrap_or(proj);
        let mut out = query::project(v, &proj.attributes, &proj.excluded, &schema);
        self.hooks.projected(proj, &mut out);
        Ok(out)
    }

    /// [`Provider::project`] of a value the caller no longer needs (not copied when there is
    /// nothing to project).
    pub(super) fn project_owned(
        &self,
        kind: Kind,
        v: Value,
        proj: &Projection,
    ) -> ScimResult<Value> {
        if proj.is_identity() {
            return Ok(v);
        }
        self.project(kind, &v, proj)
    }

    pub(super) fn resource_reply(
        &self,
        d: &TenantData,
        kind: Kind,
        e: &Entry,
        status: u16,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let unprojected;
        let proj = if !self.rules.attributes_on_resources {
            unprojected = Projection {
                attributes: Vec::new(),
                excluded: proj.excluded.clone(),
            };
            &unprojected
        } else {
            proj
        };
        Ok(Reply {
            status,
            body: Some(self.render(d, kind, e, proj)?),
            etag: self.etag(e.version),
            location: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{ProviderConfig, TokenSpec};

    #[test]
    fn a_user_with_groups_is_served_byte_for_byte_as_materialized() {
        let tokens = vec![TokenSpec {
            token: "t".into(),
            me: None,
        }];
        let p = Provider::new(
            &ProviderConfig::default(),
            "http://127.0.0.1:1/scim/v2".into(),
            &tokens,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let slot = p
            .authenticate(Some("t"))
            .unwrap_or_else(|| panic!("no tenant"));
        let none = Projection::default();
        let user = json!({
            "schemas": [crate::scim::schema::USER_SCHEMA],
            "userName": "ßjensen \"quoted\" ☃",
            "name": {"givenName": "B", "familyName": "J"},
            "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
            "active": true
        });
        let r = p
            .create(slot, Kind::User, &user, &none)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let v: Value =
            serde_json::from_slice(&r.body.unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        let uid = v["id"].as_str().unwrap_or_default().to_string();
        for name in ["Zeta \\ \"q\"", "alpha ☃", "Alpha"] {
            let g = json!({
                "schemas": [crate::scim::schema::GROUP_SCHEMA],
                "displayName": name,
                "members": [{"value": uid}]
            });
            p.create(slot, Kind::Group, &g, &none)
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        let d = slot.tenant.data.read();
        let e = d
            .users
            .get(&uid)
            .unwrap_or_else(|| panic!("no user"))
            .clone();
        let fast = p
            .served_with_groups(&d, &e)
            .unwrap_or_else(|| panic!("not the stored shape"));
        let slow = to_bytes(
            &p.materialize(&d, Kind::User, &e)
                .unwrap_or_else(|e| panic!("{e:?}")),
        );
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&slow)
        );
        assert_eq!(
            p.render(&d, Kind::User, &e, &none)
                .unwrap_or_else(|e| panic!("{e:?}")),
            slow
        );
    }
}
