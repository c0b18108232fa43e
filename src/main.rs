//! The `scimtest` binary: parse the command line, run it, map the outcome to an exit code.

use clap::Parser;
use scimtest::cli::error;

/// mimalloc: fewer cycles per allocation and less fragmentation than glibc malloc for the
/// provider's many small, long-lived documents (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `scimtest check --list | head` closes stdout early; `println!` then panics. Like other Unix
/// tools, stop quietly (exit 141, as if killed by SIGPIPE) instead of printing a panic. Only
/// that panic is caught: sockets are unaffected (std writes them with MSG_NOSIGNAL and reports
/// EPIPE as an error, not a panic).
fn quiet_on_broken_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> std::process::ExitCode {
    quiet_on_broken_stdout();
    let cli = match scimtest::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // `-V` on a command prints the same line as `scimtest --version` (clap would name the
        // command: `scimtest-load 0.1.0`).
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => {
            println!("scimtest {}", scimtest::cli::version_line());
            return exit(error::parse_error_exit_code(&e));
        }
        // Help (also on a missing subcommand) is printed as clap writes it; a mistake is one
        // line and a hint, like every other mistake.
        Err(e)
            if !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            let _ = e.print();
            return exit(error::parse_error_exit_code(&e));
        }
        Err(e) => {
            error::from_clap(&e, &command_words()).print();
            return exit(error::parse_error_exit_code(&e));
        }
    };
    let outcome = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        // Signals are caught from here on: a Ctrl-C during start-up still ends in cleanup.
        Ok(runtime) => runtime.block_on(async {
            scimtest::interrupt::install();
            scimtest::cli::run(cli).await
        }),
        Err(e) => Err(error::Error::harness(format!(
            "failed to start the async runtime: {e}"
        ))),
    };
    if let Err(e) = &outcome {
        e.print();
    }
    exit(error::exit_code(&outcome))
}

/// `scimtest serve` for `scimtest --quiet serve --fault x`: the program and the first argument
/// that names one of its commands (just `scimtest` when none does).
fn command_words() -> String {
    use clap::CommandFactory;
    let cli = scimtest::cli::Cli::command();
    let known: Vec<String> = cli
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    match std::env::args().skip(1).find(|a| known.contains(a)) {
        Some(c) => format!("scimtest {c}"),
        None => "scimtest".to_string(),
    }
}

fn exit(code: i32) -> std::process::ExitCode {
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}
