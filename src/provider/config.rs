//! Provider configuration: listen address, bearer tokens (one tenant each, optionally bound to a
//! user for `/Me`), OAuth clients and their tokens' lifetime (with the clock that ages them), the
//! hooks, the limits the ServiceProviderConfig advertises and enforces, and the custom User
//! schema extensions it declares.

use crate::provider::hooks::{self, Hooks};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A bearer token, its tenant, and optionally the userName `/Me` resolves to.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSpec {
    /// The bearer token.
    pub token: String,
    /// The userName of the user this token authenticates as (for `/Me`), if any.
    pub me: Option<String>,
}

impl std::fmt::Debug for TokenSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSpec")
            .field("token", &"<redacted>")
            .field("me", &self.me)
            .finish()
    }
}

impl std::str::FromStr for TokenSpec {
    type Err = String;
    /// `TOKEN` or `TOKEN@userName` (the token is bound to that user for `/Me`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (token, me) = match s.split_once('@') {
            Some((t, u)) if !u.is_empty() => (t, Some(u.to_string())),
            Some(_) => return Err("expected TOKEN or TOKEN@userName".into()),
            None => (s, None),
        };
        if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("a token must be non-empty and contain no whitespace".into());
        }
        Ok(TokenSpec {
            token: token.to_string(),
            me,
        })
    }
}

/// An OAuth 2.0 client (RFC 6749 §2.3.1) of the token endpoint: `ID:SECRET` on the command
/// line. Client i opens tenant i.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthClientSpec {
    /// The client id.
    pub id: String,
    /// The client secret.
    pub secret: String,
}

impl std::fmt::Debug for OAuthClientSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClientSpec")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl std::str::FromStr for OAuthClientSpec {
    type Err = String;
    /// `ID:SECRET` (the id has no `:`; the secret may).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((id, secret)) = s.split_once(':') else {
            return Err("expected ID:SECRET".into());
        };
        let bad = |x: &str| x.is_empty() || x.chars().any(|c| c.is_whitespace() || c.is_control());
        if bad(id) || bad(secret) {
            return Err("expected ID:SECRET, both non-empty and without whitespace".into());
        }
        Ok(OAuthClientSpec {
            id: id.to_string(),
            secret: secret.to_string(),
        })
    }
}

/// The clock OAuth tokens age by: the system's, or one a test moves forward by hand
/// ([`Clock::manual`], [`Clock::advance`]) so expiry needs no waiting.
#[derive(Clone, Default)]
pub struct Clock {
    ahead_ms: Option<Arc<AtomicU64>>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.ahead_ms {
            None => f.write_str("Clock(system)"),
            Some(a) => write!(f, "Clock(+{} ms)", a.load(Ordering::Relaxed)),
        }
    }
}

impl Clock {
    /// The system's monotonic clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// The system's clock plus whatever [`Clock::advance`] added (shared by clones).
    pub fn manual() -> Clock {
        Clock {
            ahead_ms: Some(Arc::new(AtomicU64::new(0))),
        }
    }

    /// Move a manual clock forward (no effect on the system clock).
    pub fn advance(&self, by: Duration) {
        if let Some(a) = &self.ahead_ms {
            let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
            a.fetch_add(ms, Ordering::Relaxed);
        }
    }

    /// Now.
    pub fn now(&self) -> Instant {
        let ahead = self
            .ahead_ms
            .as_ref()
            .map_or(0, |a| a.load(Ordering::Relaxed));
        Instant::now() + Duration::from_millis(ahead)
    }
}

/// Limits, advertised in `/ServiceProviderConfig` and enforced.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body accepted on any endpoint but `/Bulk`, in bytes (8 MiB by default:
    /// room for a PUT or POST of a group with 100,000 members).
    pub max_body_bytes: usize,
    /// Bulk `maxOperations`.
    pub bulk_max_operations: usize,
    /// Bulk `maxPayloadSize`, in bytes.
    pub bulk_max_payload_bytes: usize,
    /// `filter.maxResults`: the largest page served.
    pub filter_max_results: usize,
    /// The page size when a list request gives no `count`.
    pub default_count: usize,
    /// Most PATCH operations in one request.
    pub max_patch_operations: usize,
    /// Most group members one request may carry: in a POST or PUT body, or in the values of a
    /// PATCH's operations. What a request carries, never the size of the group it leaves.
    pub max_members_per_request: usize,
    /// Deepest JSON nesting accepted in a request body (a SCIM body needs about 6 levels; a
    /// nesting bomb is refused with 400 invalidSyntax before it is parsed).
    pub max_json_depth: usize,
    /// Connections served at once; one more is answered 503 with a SCIM error and closed.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers (slowloris): the connection is
    /// closed after it.
    pub header_read_timeout: std::time::Duration,
    /// Requests a second each tenant may make (`--rate-limit`); above it a request is answered
    /// 429 with `Retry-After: 1`. A token bucket per tenant: capacity N, refilled at N a second.
    /// `None` (the default): no limit.
    pub rate_limit_per_second: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 8 * 1024 * 1024,
            bulk_max_operations: 1000,
            bulk_max_payload_bytes: 1024 * 1024,
            filter_max_results: 1000,
            default_count: 100,
            max_patch_operations: 1000,
            max_members_per_request: 100_000,
            max_json_depth: 32,
            max_connections: 1024,
            header_read_timeout: std::time::Duration::from_secs(10),
            rate_limit_per_second: None,
        }
    }
}

/// Everything `spawn` and `serve` need.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Tokens; empty means "generate one".
    pub tokens: Vec<TokenSpec>,
    /// OAuth clients of the token endpoint (`POST /oauth/token`): client i opens tenant i, in the
    /// order of `tokens`; tenants are added (with generated static tokens) when there are more
    /// clients than tokens.
    pub oauth_clients: Vec<OAuthClientSpec>,
    /// How long an issued access token is accepted.
    pub oauth_token_lifetime: Duration,
    /// The clock issued tokens age by.
    pub oauth_clock: Clock,
    /// The extension points the provider calls (no-ops by default).
    pub hooks: Arc<dyn Hooks>,
    /// Limits.
    pub limits: Limits,
    /// Synthetic users created in the first tenant at start-up (benchmarks, demos):
    /// `seed-N@example.com` with a name, a work email and the enterprise extension.
    pub seed_users: usize,
    /// Accept group members whose `value` is not the id of an existing User or Group, storing
    /// them as sent (no `$ref`, no `type`). Off by default: a dangling member is 400
    /// invalidValue. Some testers (scim-sanity) add a made-up member id and expect 200.
    pub allow_unknown_members: bool,
    /// More User schema extensions to declare and honour (RFC 7643 §7 schema documents, e.g.
    /// from `scim::extension::extension_schema`): served in `/Schemas`, listed in the User
    /// resource type's `schemaExtensions` (not required), and stored, returned, filtered and
    /// patched like the Enterprise User extension. Empty by default. A document that is not a
    /// usable schema stops the provider from starting (`ServeError::Init`).
    pub user_extensions: Vec<serde_json::Value>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tokens: Vec::new(),
            oauth_clients: Vec::new(),
            oauth_token_lifetime: Duration::from_secs(3600),
            oauth_clock: Clock::system(),
            hooks: hooks::standard(),
            limits: Limits::default(),
            seed_users: 0,
            allow_unknown_members: false,
            user_extensions: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_spec_parses_plain_and_bound_tokens() {
        let t: TokenSpec = "abc".parse().unwrap_or_else(|e: String| panic!("{e}"));
        assert_eq!(t.me, None);
        let t: TokenSpec = "abc@alice"
            .parse()
            .unwrap_or_else(|e: String| panic!("{e}"));
        assert_eq!((t.token.as_str(), t.me.as_deref()), ("abc", Some("alice")));
        assert!("".parse::<TokenSpec>().is_err());
        assert!("a b".parse::<TokenSpec>().is_err());
        assert!("abc@".parse::<TokenSpec>().is_err());
    }

    #[test]
    fn oauth_client_specs_parse_and_hide_the_secret() {
        let c: OAuthClientSpec = "app:s3:cr"
            .parse()
            .unwrap_or_else(|e: String| panic!("{e}"));
        assert_eq!((c.id.as_str(), c.secret.as_str()), ("app", "s3:cr"));
        assert!(!format!("{c:?}").contains("s3"));
        for bad in ["app", ":x", "app:", "a b:c"] {
            assert!(bad.parse::<OAuthClientSpec>().is_err(), "{bad}");
        }
        let clock = Clock::manual();
        let before = clock.now();
        clock.clone().advance(Duration::from_secs(5));
        assert!(clock.now() >= before + Duration::from_secs(5));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t: TokenSpec = "s3cret".parse().unwrap_or_else(|e: String| panic!("{e}"));
        assert!(!format!("{t:?}").contains("s3cret"));
    }
}
