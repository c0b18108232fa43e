//! Writing resources: building a stored entry (server-set `id` and `meta`, member references,
//! uniqueness keys), POST (create), PUT (replace), the shared write-back, and the group
//! membership changes other writes cascade to.

use super::*;

impl Provider {
    /// Turn a validated resource map into a stored entry: server-set `id` and `meta`, member
    /// references checked and completed, uniqueness keys computed.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per write path; a struct would only rename them"
    )]
    pub(super) fn build_entry(
        &self,
        d: Option<&TenantData>,
        kind: Kind,
        id: &Arc<str>,
        seq: u64,
        version: u64,
        stamps: Option<(&str, &str)>,
        mut map: Map<String, Value>,
        password: Option<Box<str>>,
    ) -> ScimResult<Entry> {
        let schema = self.schema(kind)?;
        // Uniqueness keys from what the schema declares unique.
        let unique_keys: Box<[Arc<str>]> = if self.rules.uniqueness == Uniqueness::Off {
            Box::default()
        } else {
            resource::unique_values(&map, &schema)
                .into_iter()
                .map(|(path, value)| {
                    let value = if self.rules.uniqueness == Uniqueness::AsWritten {
                        raw_value(&map, &path).unwrap_or(value)
                    } else {
                        value
                    };
                    Arc::from(format!("{path}\0{value}"))
                })
                .collect()
        };
        let external_id = map.get("externalId").and_then(Value::as_str).map(Arc::from);
        let mut members = Members::default();
        let display;
        match kind {
            Kind::Group => {
                display = map
                    .get("displayName")
                    .and_then(Value::as_str)
                    .map(Box::from);
                if let Some(Value::Array(list)) = map.get_mut("members") {
                    let Some(d) = d else {
                        return Err(internal("group members are resolved under the tenant lock"));
                    };
                    for m in list.drain(..) {
                        let Value::Object(mut o) = m else {
                            return Err(ScimError::invalid_value(
                                "each member must be an object with a value",
                            ));
                        };
                        let Some(value) =
                            o.get("value").and_then(Value::as_str).map(str::to_string)
                        else {
                            return Err(ScimError::invalid_value(
                                "each member needs a \"value\" holding a resource id",
                            ));
                        };
                        if *value == **id {
                            return Err(ScimError::invalid_value(
                                "a group cannot be a member of itself",
                            ));
                        }
                        if members.contains(&value) {
                            continue;
                        }
                        match d.kind_of(&value) {
                            Some(mut mkind) => {
                                if self.rules.member_types_swapped {
                                    mkind = match mkind {
                                        Kind::User => Kind::Group,
                                        Kind::Group => Kind::User,
                                    };
                                }
                                o.insert(
                                    "$ref".into(),
                                    Value::String(self.location(mkind, &value)),
                                );
                                o.insert("type".into(), Value::String(mkind.id().into()));
                            }
                            None if self.rules.allow_unknown_members => {}
                            None => {
                                return Err(ScimError::invalid_value(format!(
                                    "member {value:?} is not the id of an existing User or Group"
                                )));
                            }
                        }
                        // Canonical member order: value, $ref, display, type.
                        let mut c = Map::new();
                        for k in ["value", "$ref", "display", "type"] {
                            if let Some(v) = o.remove(k) {
                                c.insert(k.into(), v);
                            }
                        }
                        c.extend(o);
                        let json = Value::Object(c).to_string().into_boxed_str();
                        members.push(&value, json);
                    }
                }
                // Kept apart from the document (see `Entry::members`).
                map.shift_remove("members");
            }
            // Only a group's display is ever needed elsewhere (in `User.groups`).
            Kind::User => display = None,
        }
        let now = now();
        let (created, last_modified) = stamps.unwrap_or((&now, &now));
        let mut out = Map::new();
        let schemas = map
            .shift_remove("schemas")
            .unwrap_or_else(|| json!([schema.resource_type().schema]));
        out.insert("schemas".into(), schemas);
        out.insert("id".into(), Value::String(id.to_string()));
        if let Some(ext) = map.shift_remove("externalId") {
            out.insert("externalId".into(), ext);
        }
        out.extend(map);
        let mut meta = Map::new();
        meta.insert("resourceType".into(), Value::String(kind.id().into()));
        // A new resource (`stamps` is None) has lastModified == created == now.
        meta.insert("created".into(), Value::String(created.to_string()));
        meta.insert(
            "lastModified".into(),
            Value::String(last_modified.to_string()),
        );
        if let Some(tag) = self.etag(version) {
            meta.insert("version".into(), Value::String(tag));
        }
        out.insert("meta".into(), Value::Object(meta));
        let json = serde_json::to_vec(&Value::Object(out)).unwrap_or_default();
        let mut entry = Entry::new(id.clone(), seq, version, &json);
        entry.password = password;
        entry.unique_keys = unique_keys;
        entry.external_id = external_id;
        entry.members = members;
        entry.display = display;
        Ok(entry)
    }

    pub(super) fn check_unique(&self, d: &TenantData, kind: Kind, entry: &Entry) -> ScimResult<()> {
        let table = d.table(kind);
        for k in &entry.unique_keys {
            if let Some(owner) = table.unique_owner(k)
                && *owner != entry.id
            {
                let (attr, value) = k.split_once('\0').unwrap_or((&**k, ""));
                return Err(ScimError::uniqueness(format!(
                    "{attr} {value:?} is already taken by another {}",
                    kind.id()
                )));
            }
        }
        Ok(())
    }

    pub(super) fn take_password(kind: Kind, map: &mut Map<String, Value>) -> Option<Box<str>> {
        if kind != Kind::User {
            return None;
        }
        map.shift_remove("password")
            .and_then(|p| p.as_str().map(Box::from))
    }

    /// POST /{Users|Groups}.
    pub fn create(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        body: &Value,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        self.check_body_members(kind, body)?;
        let rewritten = self.hooks.create_body(kind, &schema, body)?;
        let body = rewritten.as_ref().unwrap_or(body);
        let mut map = resource::normalize(body, &schema, WriteMode::Create)?;
        let password = Self::take_password(kind, &mut map);
        let client_id = body
            .get("id")
            .and_then(Value::as_str)
            .filter(|_| self.rules.honour_client_id);
        let id: Arc<str> = match client_id {
            Some(c) => c.into(),
            None => uuid::Uuid::new_v4().to_string().into(),
        };
        let seq = slot.tenant.next_seq();
        let client_created = body
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .filter(|_| self.rules.honour_client_id);
        let stamps = client_created.map(|c| (c, c));
        // A user's document needs nothing from the tenant: build it before taking the lock, so
        // concurrent creates contend only for the uniqueness check and the insert.
        let (mut d, entry) = match kind {
            Kind::User => {
                let e = self.build_entry(None, kind, &id, seq, seq, stamps, map, password)?;
                (slot.tenant.data.write(), e)
            }
            Kind::Group => {
                let d = slot.tenant.data.write();
                let e = self.build_entry(Some(&d), kind, &id, seq, seq, stamps, map, password)?;
                (d, e)
            }
        };
        self.check_unique(&d, kind, &entry)?;
        match kind {
            Kind::User => d.users.put(entry),
            Kind::Group => d.put_group(entry),
        }
        let e = d
            .table(kind)
            .get(&id)
            .cloned()
            .ok_or_else(|| internal("entry vanished after insert"))?;
        let mut r = self.resource_reply(&d, kind, &e, 201, proj)?;
        r.location = Some(self.location(kind, &id));
        self.hooks.reply(Op::Create, &mut r);
        Ok(r)
    }

    /// PUT /{Users|Groups}/{id}.
    pub fn replace(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        self.check_body_members(kind, body)?;
        let mut map = resource::normalize(body, &schema, WriteMode::Replace)?;
        let mut d = slot.tenant.data.upgradable_read();
        let Some(old) = d.table(kind).get(id).cloned() else {
            return self.missing(kind, id);
        };
        self.check_if_match(if_match, &old)?;
        if !self.rules.replace_applies {
            return self.resource_reply(&d, kind, &old, 200, proj);
        }
        let old_v = parse_stored(&old.document())?;
        let old_map = strip_server_fields(&old_v);
        self.hooks.screen_replace(&old_map, &map)?;
        resource::check_immutable(&old_map, &map, &schema)?;
        let password = Self::take_password(kind, &mut map).or_else(|| old.password.clone());
        self.hooks
            .before_write(Op::Replace, &old_v, &old_map, &mut map);
        self.write_back(
            &slot.tenant,
            &mut d,
            kind,
            &old,
            &old_map,
            map,
            password,
            proj,
        )
    }

    /// Store `map` as the new content of `old`, unless nothing changed; answer 200.
    #[expect(clippy::too_many_arguments, reason = "shared tail of PUT and PATCH")]
    pub(super) fn write_back(
        &self,
        tenant: &Tenant,
        d: &mut TenantWrite<'_>,
        kind: Kind,
        old: &Entry,
        old_map: &Map<String, Value>,
        map: Map<String, Value>,
        password: Option<Box<str>>,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let unchanged = *old_map == strip_server_fields(&Value::Object(map.clone()))
            && password == old.password;
        if unchanged && !self.rules.noop_writes_bump_version {
            return self.resource_reply(d, kind, old, 200, proj);
        }
        let version = tenant.next_seq();
        let old_v = parse_stored(&old.stored())?;
        let created = old_v
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(now);
        let modified = modified_after(old_v.pointer("/meta/lastModified").and_then(Value::as_str));
        let entry = self.build_entry(
            Some(&**d),
            kind,
            &old.id,
            old.seq,
            version,
            Some((&created, &modified)),
            map,
            password,
        )?;
        self.check_unique(d, kind, &entry)?;
        let id = entry.id.clone();
        let read_lag = self.rules.read_lag;
        // Exclusive only for the change; the answer is rendered with readers let back in.
        d.with_upgraded(|d| {
            if let Some(lag) = read_lag
                && let Some(prev) = d.table(kind).get(&id).cloned()
            {
                d.stale.retain(|_, (_, _, at)| at.elapsed() < lag);
                d.stale
                    .insert(id.clone(), (kind, prev, std::time::Instant::now()));
            }
            match kind {
                Kind::User => d.users.put(entry),
                Kind::Group => d.put_group(entry),
            }
        });
        let e = d
            .table(kind)
            .get(&id)
            .cloned()
            .ok_or_else(|| internal("entry vanished after update"))?;
        self.resource_reply(d, kind, &e, 200, proj)
    }

    /// Add `member` to group `gid` (a membership a hook asks for); no group, no change.
    pub(super) fn add_member(
        &self,
        tenant: &Tenant,
        d: &mut TenantWrite<'_>,
        gid: &str,
        member: &str,
    ) -> ScimResult<()> {
        let Some(g) = d.groups.get(gid).cloned() else {
            return Ok(());
        };
        let old_map = strip_server_fields(&parse_stored(&g.document())?);
        let mut map = old_map.clone();
        let members = map
            .entry("members")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = members {
            list.push(json!({"value": member}));
        }
        self.write_back(
            tenant,
            d,
            Kind::Group,
            &g,
            &old_map,
            map,
            None,
            &Projection::default(),
        )?;
        Ok(())
    }

    /// Remove `member` from group `gid` (a cascade of a delete): a new version and lastModified.
    pub(super) fn drop_member(
        &self,
        tenant: &Tenant,
        d: &mut TenantData,
        gid: &str,
        member: &str,
    ) -> ScimResult<()> {
        let Some(g) = d.groups.get(gid) else {
            return Ok(());
        };
        // The document never holds the members (`Entry::members`): only `meta` changes.
        let mut v = parse_stored(&g.stored())?;
        let version = tenant.next_seq();
        if let Some(Value::Object(meta)) = v.get_mut("meta") {
            let now = modified_after(meta.get("lastModified").and_then(Value::as_str));
            meta.insert("lastModified".into(), Value::String(now));
            if let Some(tag) = self.etag(version) {
                meta.insert("version".into(), Value::String(tag));
            }
        }
        let json = to_bytes(&v);
        d.change_members(
            gid,
            vec![crate::provider::store::MemberChange::Remove(
                member.to_string(),
            )],
        );
        if let Some(e) = d.groups.get_mut(gid) {
            e.version = version;
            e.set_stored(&json);
        }
        Ok(())
    }
}
