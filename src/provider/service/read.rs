//! Reading one resource: GET by id with `If-None-Match`, and the shared answers for an
//! unknown id and a stale `If-Match`.

use super::*;

impl Provider {
    pub(super) fn not_found(&self, kind: Kind, id: &str) -> ScimError {
        ScimError::not_found(format!("{} {id:?} not found", kind.id()))
    }

    pub(super) fn missing(&self, kind: Kind, id: &str) -> ScimResult<Reply> {
        if self.rules.missing_answers_empty {
            return Ok(Reply::json(200, &json!({})));
        }
        Err(self.not_found(kind, id))
    }

    pub(super) fn check_if_match(&self, if_match: Option<&str>, e: &Entry) -> ScimResult<()> {
        if let Some(h) = if_match
            && self.rules.honour_if_match
            && !etag_matches(h, &format!("W/\"{}\"", e.version))
        {
            return Err(ScimError::new(
                412,
                None,
                format!(
                    "If-Match {h} does not match the current version W/\"{}\"",
                    e.version
                ),
            ));
        }
        Ok(())
    }

    /// GET /{Users|Groups}/{id}.
    pub fn get(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        proj: &Projection,
        if_none_match: Option<&str>,
    ) -> ScimResult<Reply> {
        let d = slot.tenant.data.read();
        let Some(mut e) = d.table(kind).get(id) else {
            return self.missing(kind, id);
        };
        if let Some(lag) = self.rules.read_lag
            && let Some((k, prev, at)) = d.stale.get(id)
            && *k == kind
            && at.elapsed() < lag
        {
            e = prev;
        }
        let if_none_match = if_none_match.filter(|_| self.rules.honour_if_none_match);
        if let (Some(h), Some(tag)) = (if_none_match, self.etag(e.version))
            && etag_matches(h, &tag)
        {
            return Ok(Reply {
                status: 304,
                body: None,
                etag: Some(tag),
                location: None,
            });
        }
        let rewritten = self.hooks.read_projection(kind, proj);
        self.resource_reply(&d, kind, e, 200, rewritten.as_ref().unwrap_or(proj))
    }
}
