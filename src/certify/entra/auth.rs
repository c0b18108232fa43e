//! Entra's Validate_Credentials_Test: the OAuth 2.0 client-credentials token endpoint issues a
//! token whose lifetime is 60 to 360 minutes (an absent `expires_in` counts as 3600 s), and the
//! new token opens `GET /Users?startIndex=1&count=1`. Skipped, as Microsoft skips it, when the
//! target is reached with a static bearer token.

use crate::check;
use crate::conformance::context::Ctx;
use crate::conformance::model::{Check, CheckResult, Finding};

/// The probe of Validate_Credentials_Test.
pub fn probes() -> Vec<Check> {
    vec![
        check!(validate_credentials, "certify.entra.validate-credentials", "The client-credentials token lives 60 to 360 minutes and opens GET /Users", "Entra SCIM Validation: Validate_Credentials_Test", Dialect, [],
            fault AuthDisabled, "Issue OAuth 2.0 client-credentials tokens (RFC 6749 §4.4) with expires_in between 3600 and 21600 seconds."),
    ]
}

async fn validate_credentials(_ctx: &Ctx) -> CheckResult {
    Err(Finding::skip(
        "the target is reached with a static bearer token (no --oauth-token-url): Microsoft skips this test then",
    ))
}
