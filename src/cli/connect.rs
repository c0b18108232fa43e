//! Reaching the target: start the embedded provider when there is no `--target`, build the
//! client (and a second tenant's) with its static token or its OAuth token source, redact every
//! secret, and run the preflight.

use crate::cli::common::TargetArgs;
use crate::cli::error::Error;
use crate::client::{Client, ClientCredentials, Redactor, TargetConfig, TokenSource};
use crate::provider::{self, ProviderConfig};
use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;

/// A connected target: the client, the embedded provider when there was no `--target`, and
/// the base URL as shown in reports (secrets redacted).
pub struct Connected {
    /// The client.
    pub client: Client,
    /// The embedded provider, to shut down after the run.
    pub embedded: Option<provider::ProviderHandle>,
    /// The embedded provider's second tenant's token (it always has two, so the isolation
    /// checks run with no setup).
    pub embedded_second_token: Option<String>,
    /// The base URL for reports.
    pub shown_target: String,
    /// The headers every request carries (Authorization, `--header`s): secrets, for callers
    /// that build their own requests (goose in `load`). Never printed. With OAuth there is no
    /// Authorization here: take the current token from `token_source`.
    pub auth_headers: Vec<(String, String)>,
    /// The OAuth client credentials (`--oauth-token-url` …), resolved (secret included), for a
    /// command that requests tokens itself.
    pub oauth: Option<ClientCredentials>,
    /// The token source the client uses (shared by its clones; its redactor is the client's).
    pub token_source: Option<Arc<TokenSource>>,
}

/// The OAuth credentials of `args`: a missing piece is a usage error (exit 2); `--client-secret`
/// on the command line gets a one-line warning.
pub fn oauth_credentials(args: &TargetArgs) -> Result<Option<ClientCredentials>, Error> {
    let creds = args.oauth().map_err(Error::usage)?;
    // (An embedded provider's secret comes from the harness, not from a command line.)
    if creds.is_some() && args.oauth_args.client_secret.is_some() && !args.embedded_target {
        eprintln!(
            "warning: --client-secret is visible in the process list; prefer --client-secret-env"
        );
    }
    Ok(creds)
}

/// Start the embedded reference provider on 127.0.0.1 with two tenants (so the isolation
/// checks run with no setup).
pub async fn spawn_embedded() -> anyhow::Result<provider::ProviderHandle> {
    spawn_embedded_with(ProviderConfig::default()).await
}

/// [`spawn_embedded`] with more of the provider's configuration (OAuth clients, ...).
pub async fn spawn_embedded_with(
    config: ProviderConfig,
) -> anyhow::Result<provider::ProviderHandle> {
    let tokens = (0..2)
        .map(|_| provider::TokenSpec {
            token: uuid::Uuid::new_v4().simple().to_string(),
            me: None,
        })
        .collect();
    provider::spawn(ProviderConfig { tokens, ..config })
        .await
        .context("failed to start the embedded provider")
}

/// [`spawn_embedded`] declaring more User schema extensions: RFC 7643 §7 schema documents, e.g.
/// from `scim::extension::extension_schema` (none: the same as [`spawn_embedded`]). A document
/// that is not a usable schema is an error naming it.
pub async fn spawn_embedded_extended(
    user_extensions: &[serde_json::Value],
) -> anyhow::Result<provider::ProviderHandle> {
    spawn_embedded_with(ProviderConfig {
        user_extensions: user_extensions.to_vec(),
        ..ProviderConfig::default()
    })
    .await
}

/// The schema documents `scimtest serve --extension FILE` reads, checked the way the provider
/// will use them: a file that cannot be read, is not JSON or is not a usable User extension
/// (bad URN, unknown type, a URN already declared, also by an earlier file) is a harness error
/// (exit 3) starting with the file's name.
pub fn read_extension_files(paths: &[std::path::PathBuf]) -> Result<Vec<serde_json::Value>, Error> {
    let mut docs = Vec::with_capacity(paths.len());
    for path in paths {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::harness(format!("{shown}: failed to read it: {e}")))?;
        let doc: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::harness(format!("{shown}: not JSON: {e}")))?;
        docs.push(doc);
        crate::scim::registry::Registry::rfc7643_with(&docs)
            .map_err(|e| Error::harness(format!("{shown}: {e}")))?;
    }
    Ok(docs)
}

/// Build the client for `args` with a per-request `timeout`, starting the embedded provider
/// when no target is given.
pub async fn connect(args: &TargetArgs, timeout: Duration) -> anyhow::Result<Connected> {
    connect_with(args, timeout, &[]).await
}

/// [`connect`], with more values to redact (a second tenant's token).
pub async fn connect_with(
    args: &TargetArgs,
    timeout: Duration,
    extra_secrets: &[String],
) -> anyhow::Result<Connected> {
    connect_with_extensions(args, timeout, extra_secrets, &[]).await
}

/// [`connect_with`], and the embedded provider (started when there is no `--target`) declares
/// these User schema extensions (see [`spawn_embedded_extended`]); ignored with a `--target`,
/// which declares its own.
pub async fn connect_with_extensions(
    args: &TargetArgs,
    timeout: Duration,
    extra_secrets: &[String],
    user_extensions: &[serde_json::Value],
) -> anyhow::Result<Connected> {
    let creds = oauth_credentials(args)?;
    let (embedded, base_url, token) = match &args.target {
        Some(t) => (None, t.as_str().to_string(), args.token.clone()),
        None if creds.is_some() => {
            return Err(Error::usage(
                "--oauth-token-url needs --target (the embedded provider takes a static token; \
                 `scimtest serve --oauth-client ID:SECRET` serves a token endpoint)",
            )
            .into());
        }
        None => {
            let h = spawn_embedded_extended(user_extensions).await?;
            let (u, t) = (h.base_url.clone(), h.token.clone());
            (Some(h), u, Some(t))
        }
    };
    let embedded_second_token = embedded.as_ref().and_then(|h| h.tokens.get(1).cloned());
    let mut headers = Vec::new();
    let mut secrets: Vec<String> = extra_secrets.to_vec();
    secrets.extend(embedded_second_token.iter().cloned());
    if let Some(t) = &token {
        headers.push(("Authorization".to_string(), format!("Bearer {t}")));
        secrets.push(t.clone());
    }
    for h in &args.headers {
        headers.push((h.name.clone(), h.value.clone()));
        secrets.push(h.value.clone());
    }
    let redactor = Redactor::new(secrets, args.headers.iter().map(|h| h.name.clone()));
    let token_source = creds
        .clone()
        .map(|c| Arc::new(TokenSource::new(c, timeout, redactor.clone())));
    let auth_headers = headers.clone();
    let cfg = TargetConfig {
        base_url,
        headers,
        timeout,
        oauth: token_source.clone(),
        ..TargetConfig::bearer(String::new(), "")
    };
    let client = Client::new(cfg, redactor.clone())?;
    let shown_target = redactor.text(client.base_url());
    Ok(Connected {
        client,
        embedded,
        embedded_second_token,
        shown_target,
        auth_headers,
        oauth: creds,
        token_source,
    })
}

/// A client for the second tenant: the same target and `--header`s, its own bearer token; its
/// redactor knows both tokens (and, with OAuth, shares the first client's list, so every access
/// token issued to the first is hidden from it too).
pub fn second_client(
    first: &Client,
    args: &TargetArgs,
    timeout: Duration,
    token: &str,
    extra: &[String],
) -> anyhow::Result<Client> {
    let mut secrets: Vec<String> = extra.to_vec();
    secrets.push(token.to_string());
    secrets.extend(args.token.iter().cloned());
    let mut headers = vec![("Authorization".to_string(), format!("Bearer {token}"))];
    for h in &args.headers {
        headers.push((h.name.clone(), h.value.clone()));
        secrets.push(h.value.clone());
    }
    let redactor = if first.oauth().is_some() {
        let r = first.redactor().clone();
        for s in &secrets {
            r.add(s);
        }
        r
    } else {
        Redactor::new(secrets, args.headers.iter().map(|h| h.name.clone()))
    };
    let cfg = TargetConfig {
        base_url: first.base_url().to_string(),
        headers,
        timeout,
        ..TargetConfig::bearer(String::new(), "")
    };
    Ok(Client::new(cfg, redactor)?)
}

/// The preflight (`client::preflight`) of a connected target, and of a second tenant's client:
/// a harness error whose one line says what to fix.
pub async fn preflight(client: &Client, second: Option<&Client>) -> Result<(), Error> {
    let flags = if client.oauth().is_some() {
        "--client-id/--client-secret-env (the token endpoint gave a token the target refuses)"
    } else {
        "--token/--header"
    };
    let mut result = crate::client::preflight::check(client, flags).await;
    if result.is_ok()
        && let Some(s) = second
    {
        result = crate::client::preflight::credential(s, "--second-token").await;
    }
    result.map_err(|e| Error::harness(e.to_string()))
}
