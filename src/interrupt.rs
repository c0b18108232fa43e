//! "Stop, and clean up": SIGINT (Ctrl-C) and SIGTERM (how Kubernetes and CI runners stop a
//! process), caught from the moment the binary's runtime starts — not from the moment a command
//! gets round to listening — so a signal that arrives during start-up or discovery still ends in
//! cleanup and exit 3 rather than in a killed process and resources left on the target. The
//! binary calls [`install`] once; the commands await [`wait`] or poll [`requested`]. In a
//! library use without `install` (tests), [`wait`] never resolves.

use futures::StreamExt;
use std::future::Future;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// A stop flag with a wake-up for waiters.
#[derive(Debug, Default)]
pub struct Stop {
    flag: AtomicBool,
    notify: Notify,
}

impl Stop {
    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Request a stop and wake every waiter.
    pub fn request(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Resolves once a stop is requested (at once if it already was).
    pub async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.requested() {
                return;
            }
            notified.await;
        }
    }
}

fn global() -> &'static Stop {
    static S: OnceLock<Stop> = OnceLock::new();
    S.get_or_init(Stop::default)
}

/// Whether the process was asked to stop.
pub fn requested() -> bool {
    global().requested()
}

/// Ask the process to stop (what the signal handlers do).
pub fn request() {
    global().request();
}

/// Resolves once the process is asked to stop (at once if it already was).
pub async fn wait() {
    global().wait().await;
}

/// Run `tasks` (each yields its index and its result) at most `concurrency` at a time, calling
/// `on_done` as each finishes. When the process is asked to stop, `stop` is set (so no new work
/// starts inside the tasks that look at it) and the tasks in flight get `grace` to finish (so
/// what they create is tracked and cleaned up); then they are dropped. Slot `i` holds task `i`'s
/// result, None for a task that did not finish.
pub async fn run_until_stopped<T, F>(
    tasks: impl Iterator<Item = F>,
    count: usize,
    concurrency: usize,
    stop: &AtomicBool,
    grace: Duration,
    on_done: impl Fn(&T),
) -> Vec<Option<T>>
where
    F: Future<Output = (usize, T)>,
{
    let mut stream = futures::stream::iter(tasks).buffer_unordered(concurrency.max(1));
    let mut results: Vec<Option<T>> = std::iter::repeat_with(|| None).take(count).collect();
    let ctrl_c = wait();
    tokio::pin!(ctrl_c);
    let deadline = tokio::time::sleep(Duration::from_secs(86_400));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some((i, r)) => {
                    on_done(&r);
                    if let Some(slot) = results.get_mut(i) {
                        *slot = Some(r);
                    }
                }
                None => break,
            },
            _ = &mut ctrl_c, if !stop.load(Ordering::Relaxed) => {
                stop.store(true, Ordering::Relaxed);
                deadline.as_mut().reset(tokio::time::Instant::now() + grace);
            }
            _ = &mut deadline => break,
        }
    }
    results
}

/// Register the SIGINT and SIGTERM handlers now (call inside the runtime's context, before the
/// command runs). Registration is synchronous, so there is no window after this returns.
pub fn install() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        for kind in [SignalKind::interrupt(), SignalKind::terminate()] {
            if let Ok(mut s) = signal(kind) {
                tokio::spawn(async move {
                    while s.recv().await.is_some() {
                        request();
                    }
                });
            }
        }
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async {
            while tokio::signal::ctrl_c().await.is_ok() {
                request();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Stop;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn wait_resolves_after_a_request_and_at_once_after_one() {
        let stop = Arc::new(Stop::default());
        let s = stop.clone();
        let waiter = tokio::spawn(async move { s.wait().await });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        stop.request();
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap_or_else(|e| panic!("wait did not resolve: {e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(stop.requested());
        tokio::time::timeout(Duration::from_secs(5), stop.wait())
            .await
            .unwrap_or_else(|e| panic!("a later wait did not resolve at once: {e}"));
    }
}
