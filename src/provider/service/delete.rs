//! DELETE (RFC 7644 §3.6): the resource removed and dropped from its groups' members.

use super::*;

impl Provider {
    /// DELETE /{Users|Groups}/{id}.
    pub fn delete(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
    ) -> ScimResult<Reply> {
        let mut d = slot.tenant.data.write();
        let Some(old) = d.table(kind).get(id).cloned() else {
            return self.missing(kind, id);
        };
        self.check_if_match(if_match, &old)?;
        if !self.rules.delete_removes {
            return Ok(Reply::empty(204));
        }
        if self.rules.read_lag.is_some() {
            d.stale.remove(id);
        }
        let body = self
            .rules
            .delete_returns_body
            .then(|| self.served_json(kind, &old));
        match kind {
            Kind::User => {
                d.users.remove(id);
            }
            Kind::Group => {
                d.remove_group(id);
            }
        }
        if self.rules.delete_cascades_members {
            for gid in d.groups_of(id) {
                self.drop_member(&slot.tenant, &mut d, &gid, id)?;
            }
            d.member_of.remove(id);
        }
        Ok(match body {
            Some(b) => Reply {
                status: 200,
                body: Some(b),
                etag: None,
                location: None,
            },
            None => Reply::empty(204),
        })
    }
}
