//! `/Me` (RFC 7644 §3.11): the user a token is bound to.

use super::*;

impl Provider {
    /// The user `/Me` resolves to for this tenant slot.
    pub fn me_id(&self, slot: &TenantSlot) -> ScimResult<String> {
        let Some(user_name) = &slot.me else {
            if self.rules.me_unbound == MeUnbound::NotFound {
                // As if /Me were no route at all: the answer of any unknown endpoint.
                return Err(ScimError::not_found(
                    "/Me is not an endpoint of this service",
                ));
            }
            if self.rules.me_unbound == MeUnbound::FirstUser
                && let Some(e) = slot.tenant.data.read().users.iter().next()
            {
                return Ok(e.id.to_string());
            }
            return Err(ScimError::new(
                501,
                None,
                "/Me is not supported for this token: it is not bound to a user (start serve with --token TOKEN@userName)",
            ));
        };
        let d = slot.tenant.data.read();
        let key = format!("userName\0{}", user_name.to_lowercase());
        d.users
            .unique_owner(&key)
            .map(|id| id.to_string())
            .ok_or_else(|| {
                ScimError::not_found(format!(
                    "the user {user_name:?} this token is bound to does not exist yet"
                ))
            })
    }
}
