//! Timing helpers: per-request latency samples with percentiles, under a time budget.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Latency percentiles of one engine on one workload, in nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Samples taken.
    pub samples: usize,
}

/// Times `f(i)` for requests `i` in `0..requests`, round after round, until `max_samples`
/// samples or `budget` have been spent (at least 20 samples). Each sample runs the same
/// request `inner` times and keeps the mean, so that fast engines are not measured by the
/// clock's own cost (~20-40 ns here).
pub fn latencies(
    requests: usize,
    max_samples: usize,
    inner: usize,
    budget: Duration,
    mut f: impl FnMut(usize),
) -> Stats {
    let inner = inner.max(1);
    let start = Instant::now();
    let mut samples: Vec<f64> = Vec::with_capacity(max_samples);
    let mut i = 0;
    while samples.len() < max_samples && (samples.len() < 20 || start.elapsed() < budget) {
        let r = i % requests.max(1);
        let t = Instant::now();
        for _ in 0..inner {
            f(black_box(r));
        }
        samples.push(t.elapsed().as_nanos() as f64 / inner as f64);
        i += 1;
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        samples: samples.len(),
    }
}

/// Runs `f` and returns its result with the time it took.
pub fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

/// Formats nanoseconds with a unit that keeps three significant digits.
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}
