//! What a load run prints on stderr while the attack runs: a progress line (one updating line
//! on a terminal; without one, as in CI logs, a full line every few seconds), and goose's own
//! log lines, routed through here so they never land in the middle of a progress line. Goose's
//! "caught ctrl-c" warning becomes scimtest's own line. stderr, because stdout may carry the
//! report (`--report-stdout`).

use crate::load::ops::Shared;
use crate::load::stats::Collector;
use parking_lot::Mutex;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How often a line is printed without a terminal.
pub const LOG_EVERY: Duration = Duration::from_secs(5);
/// How often the terminal line is updated.
pub const TTY_EVERY: Duration = Duration::from_secs(1);

/// Whether a `\r` progress line is on the terminal, unterminated; also serialises stderr
/// writes of this module.
static OPEN_LINE: Mutex<bool> = Mutex::new(false);

/// Print `line` on stderr on a line of its own (after ending an open progress line).
pub fn say(line: &str) {
    let mut open = OPEN_LINE.lock();
    let mut err = std::io::stderr().lock();
    if *open {
        let _ = writeln!(err);
        *open = false;
    }
    let _ = writeln!(err, "{line}");
}

/// End the terminal's progress line, if one is open (before a summary is printed).
pub fn end_line() {
    let mut open = OPEN_LINE.lock();
    if *open {
        let _ = writeln!(std::io::stderr().lock());
        *open = false;
    }
}

fn update(line: &str) {
    let mut open = OPEN_LINE.lock();
    let _ = write!(std::io::stderr().lock(), "\r{line}   ");
    *open = true;
}

/// Live figures of the attack that the stats collector does not hold.
#[derive(Debug, Default)]
pub struct Live {
    /// goose users started and not yet stopped.
    pub users: AtomicUsize,
}

/// How long the run is meant to last, for the progress line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    /// This long once all users started (plus the ramp).
    Duration(Duration),
    /// Each user runs its operations this many times.
    Iterations(usize),
}

/// The figures of one progress line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tick {
    /// Since the attack started.
    pub elapsed: Duration,
    /// Requests so far.
    pub requests: u64,
    /// Requests in the last interval.
    pub recent: u64,
    /// The interval `recent` covers.
    pub interval: Duration,
    /// Failed requests so far.
    pub errors: u64,
    /// Users running now.
    pub users: usize,
    /// Users the run starts.
    pub planned_users: usize,
}

/// One progress line: `load  10s/32s  2345 requests  231.0 req/s  0 errors  4/4 users`.
pub fn line(t: &Tick, length: Length) -> String {
    let of = match length {
        Length::Duration(d) => format!("{:.0}s/{:.0}s", t.elapsed.as_secs_f64(), d.as_secs_f64()),
        Length::Iterations(n) => format!(
            "{:.0}s ({n} iteration{} each)",
            t.elapsed.as_secs_f64(),
            if n == 1 { "" } else { "s" }
        ),
    };
    let rate = t.recent as f64 / t.interval.as_secs_f64().max(0.001);
    format!(
        "load  {of}  {} requests  {rate:.1} req/s  {} errors  {}/{} users",
        t.requests, t.errors, t.users, t.planned_users
    )
}

/// Print progress until aborted: on a terminal (`tty`) one line updated every second,
/// otherwise a line every [`LOG_EVERY`]. Ticks count from the attack's start.
pub fn spawn(
    stats: Collector,
    shared: Arc<Shared>,
    live: Arc<Live>,
    length: Length,
    planned_users: usize,
    tty: bool,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = if tty { TTY_EVERY } else { LOG_EVERY };
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate: nothing to say yet.
        ticker.tick().await;
        let mut last = 0u64;
        loop {
            ticker.tick().await;
            let Some(started) = shared.started.get() else {
                continue;
            };
            let snap = stats.snapshot();
            let requests: u64 = snap.iter().map(|s| s.total.requests).sum();
            let tick = Tick {
                elapsed: started.elapsed(),
                requests,
                recent: requests.saturating_sub(last),
                interval: every,
                errors: snap.iter().map(|s| s.total.errors).sum(),
                users: live.users.load(Ordering::Relaxed),
                planned_users,
            };
            last = requests;
            let text = line(&tick, length);
            if tty {
                update(&format!("  {text}"));
            } else {
                say(&text);
            }
        }
    })
}

/// The `log` logger that shows goose's warnings and errors through [`say`]. Installed once per
/// process, before goose would install its own; not when a goose log file is asked for
/// (`--goose-arg --goose-log`), which goose's logger writes.
struct GooseLines;

impl log::Log for GooseLines {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Warn && m.target().starts_with("goose")
    }

    fn log(&self, r: &log::Record<'_>) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let text = r.args().to_string();
        if text.starts_with("caught ctrl-c") {
            say(
                "interrupted: stopping the attack, then removing what it created (a second Ctrl-C exits at once and leaves it)",
            );
        } else if text.starts_with("caught another ctrl-c") {
            say("interrupted again: exiting now; what the run created may be left on the target");
        } else {
            let level = r.level().as_str().to_ascii_lowercase();
            say(&format!("goose {level}: {text}"));
        }
    }

    fn flush(&self) {}
}

/// Route goose's log lines through [`say`] (once per process; a no-op when a logger is
/// already installed).
pub fn install_goose_logger() {
    static LOGGER: GooseLines = GooseLines;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_has_elapsed_requests_rate_errors_and_users() {
        let t = Tick {
            elapsed: Duration::from_millis(10_200),
            requests: 2345,
            recent: 1155,
            interval: Duration::from_secs(5),
            errors: 3,
            users: 4,
            planned_users: 4,
        };
        assert_eq!(
            line(&t, Length::Duration(Duration::from_secs(32))),
            "load  10s/32s  2345 requests  231.0 req/s  3 errors  4/4 users"
        );
        assert_eq!(
            line(&t, Length::Iterations(5)),
            "load  10s (5 iterations each)  2345 requests  231.0 req/s  3 errors  4/4 users"
        );
    }

    #[test]
    fn the_logger_takes_goose_warnings_only() {
        use log::Log;
        let l = GooseLines;
        let meta = |level, target| log::Metadata::builder().level(level).target(target).build();
        assert!(l.enabled(&meta(log::Level::Warn, "goose::util")));
        assert!(l.enabled(&meta(log::Level::Error, "goose")));
        assert!(!l.enabled(&meta(log::Level::Info, "goose::util")));
        assert!(!l.enabled(&meta(log::Level::Warn, "hyper::proto")));
    }
}
