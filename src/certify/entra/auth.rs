//! Entra's Validate_Credentials_Test: the OAuth 2.0 client-credentials token endpoint issues a
//! token (a form POST with the secret in the body, as Microsoft's workflow sends it), the token
//! opens `GET /Users?startIndex=1&count=1`, and its lifetime is within the gallery's 60 to 360
//! minutes. Skipped, as Microsoft skips it, when the target is reached with a static token.

use crate::certify::probe::{expect, settings};
use crate::check;
use crate::client::oauth::fetch_token;
use crate::conformance::context::Ctx;
use crate::conformance::model::{Check, CheckResult, Finding};

/// The probe of Validate_Credentials_Test.
pub fn probes() -> Vec<Check> {
    vec![
        check!(validate_credentials, "certify.entra.validate-credentials", "The client-credentials token endpoint issues a token of 60 to 360 minutes that opens GET /Users", "Entra SCIM Validation: Validate_Credentials_Test", Dialect, [],
            fault AuthDisabled, "Issue OAuth 2.0 client-credentials tokens (RFC 6749 §4.4, secret in the form body) with expires_in between 3600 and 21600 seconds, and accept them on the SCIM endpoint."),
    ]
}

/// The gallery's access-token lifetime, in minutes (Microsoft's test overview and the gallery's
/// requirements; whole minutes of `expires_in`, both ends included).
pub const LIFETIME_MINUTES: std::ops::RangeInclusive<u64> = 60..=360;

async fn validate_credentials(ctx: &Ctx) -> CheckResult {
    let s = settings(ctx);
    let Some(creds) = &s.oauth else {
        return Err(Finding::skip(
            "the target is reached with a static bearer token (no --oauth-token-url): Microsoft skips this test then",
        ));
    };
    let grant = match fetch_token(creds, s.timeout, ctx.redactor()).await {
        Ok(g) => g,
        Err(e) => {
            ctx.note(e.exchange.clone());
            return Err(if e.status.is_none() {
                Finding::error(format!("the token endpoint did not answer: {}", e.message))
            } else {
                Finding::fail(format!("the token endpoint refused: {}", e.message))
            });
        }
    };
    ctx.note(grant.exchange.clone());
    if grant.access_token.is_empty() {
        return Err(Finding::fail(
            "the token endpoint answered 2xx without an access_token",
        ));
    }
    let bearer = format!("Bearer {}", grant.access_token);
    let users = format!("{}?startIndex=1&count=1", ctx.users());
    let r = ctx
        .send("GET", &users, None, &[("Authorization", &bearer)])
        .await;
    if !matches!(r.status, Some(200..=299)) {
        return expect(&r, &[200], "GET /Users with the new token");
    }
    // No expires_in: Microsoft's overview counts it as an hour.
    let seconds = grant.expires_in.unwrap_or(3600);
    let minutes = seconds / 60;
    if !LIFETIME_MINUTES.contains(&minutes) {
        return Err(Finding::fail(format!(
            "the token lives {seconds} s ({minutes} min): the gallery requires an access-token lifetime of 60 to 360 minutes (expires_in 3600 to 21600)"
        )));
    }
    Ok(())
}
