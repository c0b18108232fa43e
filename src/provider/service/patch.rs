//! PATCH (RFC 7644 §3.5.2): the PatchOp request applied through the pure `scim::patch` core,
//! validated again as a whole resource, and stored.

use super::*;

impl Provider {
    /// PATCH /{Users|Groups}/{id}.
    pub fn patch(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        self.patch_based_on(slot, kind, id, body, if_match, proj, None)
    }

    /// The resource as stored now (the read half of an unlocked read-modify-write,
    /// `Semantics::unlocked_group_patch`).
    pub fn snapshot(&self, slot: &TenantSlot, kind: Kind, id: &str) -> Option<Arc<Entry>> {
        slot.tenant.data.read().table(kind).get(id).cloned()
    }

    /// PATCH applied to `base` (a [`Provider::snapshot`] taken earlier) instead of the stored
    /// resource when given, overwriting whatever was written in between. `None` is the
    /// ordinary PATCH.
    #[expect(
        clippy::too_many_arguments,
        reason = "PATCH's parts plus the snapshot it is based on"
    )]
    pub fn patch_based_on(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
        proj: &Projection,
        base: Option<Arc<Entry>>,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        let mut req = match self
            .hooks
            .screen_patch(body)
            .and_then(|()| PatchRequest::from_json(body))
        {
            Ok(r) => r,
            Err(e) if self.hooks.tolerate(Stage::PatchEnvelope, &e) => {
                let d = slot.tenant.data.read();
                let Some(old) = d.table(kind).get(id) else {
                    return self.missing(kind, id);
                };
                return self.resource_reply(&d, kind, old, 200, proj);
            }
            Err(e) => return Err(e),
        };
        self.hooks.patch_request(&mut req)?;
        if req.operations.len() > self.limits.max_patch_operations {
            return Err(ScimError::new(
                413,
                None,
                format!(
                    "a PATCH request may carry at most {} operations",
                    self.limits.max_patch_operations
                ),
            ));
        }
        self.check_patch_members(kind, &req)?;
        let mut d = slot.tenant.data.upgradable_read();
        if kind == Kind::Group
            && base.is_none()
            && self.rules.member_fast_path
            && !self.rules.allow_unknown_members
            && let Some(ops) = members::member_ops(&req)
            && let Some(r) = self.patch_members(&slot.tenant, &mut d, id, &ops, if_match, proj)?
        {
            return self.patch_reply(r);
        }
        let Some(current) = d.table(kind).get(id).cloned() else {
            return self.missing(kind, id);
        };
        let old = base.unwrap_or(current);
        self.check_if_match(if_match, &old)?;
        for gid in self.hooks.patch_operations(kind, &mut req) {
            self.add_member(&slot.tenant, &mut d, &gid, id)?;
        }
        let old_v = parse_stored(&old.document())?;
        let outcome = match crate::scim::patch::apply(&old_v, &req, &schema) {
            Ok(o) => o,
            Err(e) => {
                if self.hooks.tolerate(Stage::PatchApply, &e) {
                    return self.resource_reply(&d, kind, &old, 200, proj);
                }
                // The first partial request (if the hooks offer any) that applies is kept.
                for partial in self.hooks.partial_patches(&req) {
                    if let Ok(o) = crate::scim::patch::apply(&old_v, &partial, &schema) {
                        if o.changed {
                            self.store_patched(
                                &slot.tenant,
                                &mut d,
                                kind,
                                &old,
                                &old_v,
                                &o.resource,
                                proj,
                            )?;
                        }
                        break;
                    }
                }
                return Err(e);
            }
        };
        let mut outcome = outcome;
        self.hooks.patched(&req, &mut outcome.resource);
        if !self.rules.patch_applies || (!outcome.changed && !self.rules.noop_writes_bump_version) {
            return self.patch_reply(self.resource_reply(&d, kind, &old, 200, proj)?);
        }
        let r = self.store_patched(
            &slot.tenant,
            &mut d,
            kind,
            &old,
            &old_v,
            &outcome.resource,
            proj,
        )?;
        self.patch_reply(r)
    }

    /// A successful PATCH's answer, through the reply hook.
    pub(super) fn patch_reply(&self, mut r: Reply) -> ScimResult<Reply> {
        self.hooks.reply(Op::Patch, &mut r);
        Ok(r)
    }

    /// Store the result of a PATCH (validated again as a whole resource) and answer 200.
    #[expect(clippy::too_many_arguments, reason = "the tail of PATCH, called twice")]
    pub(super) fn store_patched(
        &self,
        tenant: &Tenant,
        d: &mut TenantWrite<'_>,
        kind: Kind,
        old: &Entry,
        old_v: &Value,
        patched: &Value,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        let mut map = resource::normalize(patched, &schema, WriteMode::Replace)?;
        let old_map = strip_server_fields(old_v);
        let password = Self::take_password(kind, &mut map).or_else(|| old.password.clone());
        self.hooks
            .before_write(Op::Patch, old_v, &old_map, &mut map);
        self.write_back(tenant, d, kind, old, &old_map, map, password, proj)
    }
}
