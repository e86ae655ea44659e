//! Instructions per decision, for `valgrind --tool=callgrind` (repeatable on a loaded
//! machine, unlike wall-clock time):
//!
//! ```sh
//! cargo build --release -p polcheck-benches --example cost
//! valgrind --tool=callgrind --toggle-collect='cost::measured*' \
//!     target/release/examples/cost check 10000 2000
//! ```
//!
//! Modes: `check` (`Engine::check`), `authorize` (`Engine::authorize`, the bounded
//! explanation), `world` / `alone` (issue #13 item 2: a world of N statements plus a
//! 500-statement extra identity policy, against the same statements without a world, both
//! through `Engine::check`). Only the `measured` functions are counted, so set-up is not;
//! divide the instructions by the requests (the second number).

use std::hint::black_box;

use polcheck_benches::polcheck::{PolcheckWorkload, WorldWorkload};
use polcheck_benches::workload::Workload;

const REQUESTS: usize = 200;

#[inline(never)]
fn measured_check(pw: &PolcheckWorkload, n: usize) {
    for i in 0..n {
        black_box(pw.engine.check(&pw.requests[i % REQUESTS]));
    }
}

#[inline(never)]
fn measured_authorize(pw: &PolcheckWorkload, n: usize) {
    for i in 0..n {
        black_box(pw.engine.authorize(&pw.requests[i % REQUESTS]));
    }
}

#[inline(never)]
fn measured_engine(engine: &polcheck_core::Engine, ww: &WorldWorkload, n: usize) {
    // Fewer than `REQUESTS`: the requests a world answers `unknown` are left out.
    let len = ww.requests.len().max(1);
    for i in 0..n {
        black_box(engine.check(&ww.requests[i % len]));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("check", String::as_str);
    let size: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2_000);
    match mode {
        "check" | "authorize" => {
            let w = Workload::generate(size, 50, REQUESTS, 0x5eed_2026);
            let pw = PolcheckWorkload::build(&w);
            // Warm (not counted): the catalogue, the allocator.
            for r in &pw.requests {
                black_box(pw.engine.authorize(r));
            }
            if mode == "check" {
                measured_check(&pw, n);
            } else {
                measured_authorize(&pw, n);
            }
        }
        "world" | "alone" => {
            let w = Workload::generate(size, 2, REQUESTS, 0x5eed_2026);
            let extra = Workload::generate(500, 2, 1, 0x0e47_2a00);
            let ww = WorldWorkload::build(&w, &extra);
            let engine = if mode == "world" {
                &ww.with_world
            } else {
                &ww.without_world
            };
            // Warm (not counted): each caller's sets, compiled on first use.
            for r in &ww.requests {
                black_box(engine.check(r));
            }
            measured_engine(engine, &ww, n);
        }
        other => eprintln!("unknown mode {other}: check, authorize, world or alone"),
    }
    println!("{mode} {size} statements: {n} requests");
}
