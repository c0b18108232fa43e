//! The `scimtest` binary: parse the command line, run it, map the outcome to an exit code.

use clap::Parser;

/// mimalloc: fewer cycles per allocation and less fragmentation than glibc malloc for the
/// provider's many small, long-lived documents (see the README's performance section).
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
        Err(e) => {
            let code = if e.use_stderr() {
                scimtest::exit_codes::USAGE
            } else {
                0
            };
            let _ = e.print();
            return std::process::ExitCode::from(code as u8);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return std::process::ExitCode::from(scimtest::exit_codes::HARNESS as u8);
        }
    };
    // Signals are caught from here on: a Ctrl-C during start-up still ends in cleanup.
    let code = runtime.block_on(async {
        scimtest::interrupt::install();
        scimtest::cli::run(cli).await
    });
    std::process::ExitCode::from(code as u8)
}
