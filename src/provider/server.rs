//! Starting and stopping the provider: `spawn` (in-process, for tests and the other commands'
//! embedded default) and `serve` (the `scimtest serve` command, until Ctrl-C). Both bind first,
//! then build the base URL from the bound address, so port 0 works.

use crate::provider::config::{ProviderConfig, TokenSpec};
use crate::provider::http;
use crate::provider::service::Provider;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

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
    /// All tokens, in the order given.
    pub tokens: Vec<String>,
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

fn tokens_of(config: &ProviderConfig) -> Vec<TokenSpec> {
    if config.tokens.is_empty() {
        vec![TokenSpec {
            token: uuid::Uuid::new_v4().simple().to_string(),
            me: None,
        }]
    } else {
        config.tokens.clone()
    }
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
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
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
        println!("  tokens:   {} configured (one tenant each)", tokens.len());
    }
    if !provider.faults.is_empty() {
        println!("  faults:   {}", provider.faults.names().join(", "));
    }
    let app = http::router(provider);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(ServeError::Io)
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
