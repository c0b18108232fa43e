//! Starting and stopping the provider: `spawn` (in-process, for tests and the other commands'
//! embedded default) and `serve` (the `scimtest serve` command, until Ctrl-C). Both bind first,
//! then build the base URL from the bound address, so port 0 works. The accept loop is ours
//! (hyper directly), for the connection limit and the header read timeout.

use crate::provider::config::{Limits, ProviderConfig, TokenSpec};
use crate::provider::http;
use crate::provider::service::Provider;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

/// Why the provider could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address could not be bound.
    #[error("failed to listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The provider state could not be built (the embedded schemas did not load).
    #[error("failed to build the provider: {0}")]
    Init(String),
    /// The server stopped with an I/O error.
    #[error("the server failed")]
    Io(#[source] std::io::Error),
}

/// A running in-process provider.
#[derive(Debug)]
pub struct ProviderHandle {
    /// Absolute base URL, e.g. `http://127.0.0.1:41234/scim/v2`.
    pub base_url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// The first tenant's bearer token.
    pub token: String,
    /// All tokens, in the order given (then the ones generated for tenants of extra OAuth
    /// clients).
    pub tokens: Vec<String>,
    /// The OAuth token endpoint, e.g. `http://127.0.0.1:41234/oauth/token`, when any OAuth
    /// client is configured (client i gets tokens for tenant i).
    pub token_url: Option<String>,
    /// The shared provider state (tests read counts from it).
    pub provider: Arc<Provider>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), std::io::Error>>>,
}

impl ProviderHandle {
    /// Stop accepting, finish in-flight requests, and wait for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ProviderHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The tenants' static tokens: the configured ones (one generated when there are none), plus a
/// generated one for each OAuth client beyond them (client i opens tenant i).
fn tokens_of(config: &ProviderConfig) -> Vec<TokenSpec> {
    let mut tokens = config.tokens.clone();
    let wanted = config.oauth_clients.len().max(1);
    while tokens.len() < wanted {
        tokens.push(TokenSpec {
            token: uuid::Uuid::new_v4().simple().to_string(),
            me: None,
        });
    }
    tokens
}

/// The token endpoint of a provider whose base URL is `base_url`, when it has OAuth clients.
fn token_url(provider: &Provider) -> Option<String> {
    provider.oauth.as_ref()?;
    let root = provider.base_url.strip_suffix("/scim/v2")?;
    Some(format!("{root}{}", crate::provider::oauth::TOKEN_PATH))
}

async fn bind(
    config: &ProviderConfig,
) -> Result<(tokio::net::TcpListener, Arc<Provider>, Vec<TokenSpec>), ServeError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: config.listen,
        source,
    })?;
    let base_url = format!("http://{addr}/scim/v2");
    let tokens = tokens_of(config);
    let provider =
        Provider::new(config, base_url, &tokens).map_err(|e| ServeError::Init(e.to_string()))?;
    if config.seed_users > 0 {
        provider
            .seed_users(config.seed_users)
            .map_err(|e| ServeError::Init(format!("seeding users failed: {e}")))?;
    }
    Ok((listener, Arc::new(provider), tokens))
}

/// Start the provider in the background (usually on `127.0.0.1:0`).
pub async fn spawn(config: ProviderConfig) -> Result<ProviderHandle, ServeError> {
    let (listener, provider, tokens) = bind(&config).await?;
    let addr = listener.local_addr().map_err(ServeError::Io)?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = http::router(provider.clone());
    let limits = provider.limits.clone();
    let task = tokio::spawn(async move {
        serve_connections(listener, app, &limits, async {
            let _ = rx.await;
        })
        .await
    });
    let token = tokens.first().map(|t| t.token.clone()).unwrap_or_default();
    Ok(ProviderHandle {
        base_url: provider.base_url.clone(),
        addr,
        token,
        tokens: tokens.into_iter().map(|t| t.token).collect(),
        token_url: token_url(&provider),
        provider,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Run the provider in the foreground until Ctrl-C or SIGTERM; prints the base URL and, when it
/// generated one, the token.
pub async fn serve(config: ProviderConfig) -> Result<(), ServeError> {
    let generated = config.tokens.is_empty();
    let (listener, provider, tokens) = bind(&config).await?;
    println!("scimtest provider listening");
    println!("  base URL: {}", provider.base_url);
    if generated {
        if let Some(t) = tokens.first() {
            println!(
                "  token:    {} (generated; pass --token to choose one)",
                t.token
            );
        }
    } else {
        println!(
            "  tokens:   {} configured (one tenant each)",
            config.tokens.len()
        );
    }
    let extra = tokens.len().saturating_sub(config.tokens.len().max(1));
    if extra > 0 {
        println!("  tenants:  {extra} more for the OAuth clients beyond the tokens");
    }
    if let Some(url) = token_url(&provider) {
        println!(
            "  token URL: {url} (OAuth client credentials; {} clients, client i opens tenant i, \
             tokens live {}s)",
            config.oauth_clients.len(),
            config.oauth_token_lifetime.as_secs()
        );
    }
    let urns: Vec<&str> = config
        .user_extensions
        .iter()
        .filter_map(|d| d.get("id").and_then(serde_json::Value::as_str))
        .collect();
    if !urns.is_empty() {
        println!("  extensions: {} (User)", urns.join(", "));
    }
    if let Some(line) = provider.hooks.banner() {
        println!("  {line}");
    }
    let limits = provider.limits.clone();
    let app = http::router(provider);
    serve_connections(listener, app, &limits, shutdown_signal())
        .await
        .map_err(ServeError::Io)
}

/// How long in-flight requests get to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// The accept loop (instead of `axum::serve`, which has neither limit): HTTP/1.1 with
/// keep-alive, at most `limits.max_connections` connections at once (one more is answered 503
/// with a SCIM error body and closed), a header read timeout against slowloris clients, and a
/// graceful stop that lets in-flight requests finish for up to [`DRAIN`].
async fn serve_connections(
    listener: TcpListener,
    app: axum::Router,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                // Out of file descriptors or a connection that died in the backlog: back off a
                // little (never spin) and keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tokio::spawn(refuse(stream, limits.max_connections));
            continue;
        };
        let svc = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    Ok(())
}

/// Answer a connection over the limit: 503 with a SCIM error body and `Retry-After`, then
/// close. Whatever the client sent is drained (bounded) first so the close is not a reset.
async fn refuse(mut stream: tokio::net::TcpStream, max: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"503","detail":"too many connections: at most {max} are served at once; retry shortly"}}"#
    );
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/scim+json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let mut buf = [0u8; 4096];
        // The request head usually arrives with the connection; read what is there.
        let _ = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await;
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(body.as_bytes()).await;
        let _ = stream.shutdown().await;
        let mut drained = 0usize;
        while drained < 64 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    })
    .await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("scimtest provider: shutting down");
}
