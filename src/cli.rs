//! The command line (clap). The only module that uses `anyhow`; nothing below it sees a raw CLI
//! string.

use clap::{Parser, Subcommand};

/// SCIM 2.0 conformance and load-testing harness.
#[derive(Debug, Parser)]
#[command(name = "scimtest", version, about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// scimtest's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bundled reference SCIM provider.
    Serve(ServeArgs),
}

/// Arguments of `scimtest serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
}

/// Run a parsed command line; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Serve(_args) => crate::exit_codes::OK,
    }
}
