//! TEMPORARY stub (replaced by the stats module from branch ld-plot).

use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// Per-operation latency collector.
#[derive(Debug, Clone, Default)]
pub struct Collector {
    inner: Arc<Mutex<Vec<(String, Duration, bool)>>>,
}

impl Collector {
    /// Record one request.
    pub fn record(&self, op: &str, elapsed: Duration, ok: bool) {
        self.inner.lock().push((op.to_string(), elapsed, ok));
    }
}
