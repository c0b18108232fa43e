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
                            o.insert("display".into(), Value::String(dn.clone()));
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
    /// it (see `Entry::json`), without parsing.
    pub(super) fn served_json(&self, kind: Kind, e: &Entry) -> Bytes {
        let doc = e.document();
        let j = &doc[..];
        let Some(head) = j.strip_suffix(b"}}") else {
            // Not the shape build_entry writes; fall back to the parsing path.
            return match parse_stored(j) {
                Ok(mut v) => {
                    if let Some(Value::Object(meta)) = v.get_mut("meta") {
                        meta.insert("location".into(), Value::String(self.location(kind, &e.id)));
                    }
                    to_bytes(&v)
                }
                Err(_) => doc.clone(),
            };
        };
        let loc = Value::String(self.location(kind, &e.id));
        let mut out = Vec::with_capacity(j.len() + 96);
        out.extend_from_slice(head);
        out.extend_from_slice(b",\"location\":");
        out.extend_from_slice(loc.to_string().as_bytes());
        out.extend_from_slice(b"}}");
        Bytes::from(out)
    }

    /// The body for one resource, projected.
    pub(super) fn render(
        &self,
        d: &TenantData,
        kind: Kind,
        e: &Entry,
        proj: &Projection,
    ) -> ScimResult<Bytes> {
        if proj.is_identity() && !self.needs_materialize(d, kind, e) {
            return Ok(self.served_json(kind, e));
        }
        if kind == Kind::Group
            && !e.members.is_empty()
            && self.rules.member_fast_path
            && members::drops_members(proj)
        {
            // The answer leaves the members out: project the document without them.
            let mut v = parse_stored(&e.json)?;
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
