//! Quick mode: `cargo run --release -p polcheck-benches -- --quick` compares polcheck with its
//! reference evaluator, cedar-policy and iam-rs on generated workloads, checks that they agree,
//! and prints medians and ratios, ending with `speedup vs cedar: N.Nx` (at 10,000 statements).
//! Without `--quick`, it also runs 100 and 100,000 statements and takes more samples.

use std::time::Duration;

use polcheck_benches::cedar::CedarWorkload;
use polcheck_benches::iamrs::IamRsWorkload;
use polcheck_benches::measure::{fmt_ns, latencies, timed, Stats};
use polcheck_benches::polcheck::{self, PolcheckWorkload};
use polcheck_benches::workload::Workload;
use polcheck_benches::Verdict;
use rayon::prelude::*;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const REQUESTS: usize = 500;
const CALLERS: usize = 50;
const SEED: u64 = 0x5eed_2026;

struct Row {
    engine: &'static str,
    compile: Option<Duration>,
    stats: Stats,
    note: String,
}

fn main() {
    if std::env::args().any(|a| a == "--profile") {
        return profile();
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes: &[usize] = if quick {
        &[10, 1_000, 10_000]
    } else {
        &[10, 100, 1_000, 10_000, 100_000]
    };
    let budget = Duration::from_millis(if quick { 1_500 } else { 5_000 });
    let samples = if quick { 20_000 } else { 100_000 };
    println!(
        "polcheck benchmarks ({} mode), {} requests per workload, {} threads",
        if quick { "quick" } else { "full" },
        REQUESTS,
        rayon::current_num_threads()
    );
    let mut cedar_speedup = None;
    for &n in sizes {
        let w = Workload::generate(n, CALLERS, REQUESTS, SEED);
        let rows = run_size(&w, n, budget, samples, &mut cedar_speedup);
        print_table(n, &rows);
    }
    estates();
    match cedar_speedup {
        Some(x) => println!("speedup vs cedar: {x:.1}x"),
        None => println!("speedup vs cedar: n/a"),
    }
}

fn run_size(
    w: &Workload,
    n: usize,
    budget: Duration,
    samples: usize,
    cedar_speedup: &mut Option<f64>,
) -> Vec<Row> {
    let ((pw, parse_t), compile_t, bytes) = {
        let (policies, parse_t) = timed(|| polcheck::parse(w));
        let named = polcheck::named(&policies);
        let region = Region::new(GLOBAL);
        let (set, compile_t) = timed(|| polcheck_core::compile::PolicySet::compile(named));
        let ch = region.change();
        let bytes =
            ch.bytes_allocated as i64 + ch.bytes_reallocated as i64 - ch.bytes_deallocated as i64;
        drop(set);
        ((PolcheckWorkload::build(w), parse_t), compile_t, bytes)
    };
    let verdicts: Vec<Verdict> = (0..REQUESTS).map(|i| pw.decide(i)).collect();
    for (i, v) in verdicts.iter().enumerate() {
        assert_eq!(
            *v,
            pw.decide_explained(i),
            "decide and decide_outcome differ on request {i}"
        );
    }
    let counts = |v: &[Verdict], k: Verdict| v.iter().filter(|x| **x == k).count();
    println!(
        "\n{n} statements: {} allowed, {} explicit deny, {} implicit deny; compiled set {} bytes ({:.0} B/statement, parse {:.1} ms)",
        counts(&verdicts, Verdict::Allowed),
        counts(&verdicts, Verdict::ExplicitDeny),
        counts(&verdicts, Verdict::ImplicitDeny),
        bytes,
        bytes as f64 / n as f64,
        parse_t.as_secs_f64() * 1e3
    );
    let mut rows = Vec::new();
    let fast = latencies(REQUESTS, samples, 16, budget, |i| {
        std::hint::black_box(pw.decide(i));
    });
    rows.push(Row {
        engine: "polcheck decide_outcome",
        compile: Some(compile_t),
        stats: fast,
        note: String::new(),
    });
    let full = latencies(REQUESTS, samples, 4, budget, |i| {
        std::hint::black_box(pw.decide_explained(i));
    });
    rows.push(Row {
        engine: "polcheck decide (explained)",
        compile: None,
        stats: full,
        note: String::new(),
    });

    // Batch throughput: every request once per round, on one thread and on all.
    let rounds = (2_000_000 / (n.max(100))).clamp(2, 200);
    let (_, one) = timed(|| {
        for _ in 0..rounds {
            (0..REQUESTS).for_each(|i| {
                std::hint::black_box(pw.decide(i));
            });
        }
    });
    let (_, all) = timed(|| {
        (0..rounds * REQUESTS)
            .into_par_iter()
            .with_min_len(4_096)
            .for_each(|k| {
                std::hint::black_box(pw.decide(k % REQUESTS));
            });
    });
    let total = (rounds * REQUESTS) as f64;
    println!(
        "batch throughput: {:.2} M decisions/s on 1 thread, {:.2} M/s on {} threads",
        total / one.as_secs_f64() / 1e6,
        total / all.as_secs_f64() / 1e6,
        rayon::current_num_threads()
    );

    if n <= 10_000 {
        for (i, v) in verdicts.iter().enumerate() {
            assert_eq!(
                *v,
                pw.decide_reference(i),
                "reference disagrees on request {i}"
            );
        }
        let r = latencies(REQUESTS, samples, 1, budget, |i| {
            std::hint::black_box(pw.decide_reference(i));
        });
        rows.push(Row {
            engine: "polcheck reference",
            compile: None,
            stats: r,
            note: "agrees".into(),
        });
    }

    let (cw, cedar_t) = timed(|| CedarWorkload::build(w));
    let auth = cedar_policy::Authorizer::new();
    // Past 10,000 statements one Cedar request takes a large fraction of a second: check
    // and time the first 40 requests only.
    let checked = if n > 10_000 { 40 } else { REQUESTS };
    for (i, v) in verdicts.iter().enumerate().take(checked) {
        let c = cw.decide(&auth, i);
        if c != *v {
            eprintln!(
                "policies:\n{}",
                polcheck_benches::cedar::policy_text(&w.statements[0])
            );
            panic!("cedar-policy and polcheck disagree on request {i} ({:?}): cedar {c:?}, polcheck {v:?}", w.requests[i]);
        }
    }
    let c = latencies(checked, samples, 1, budget, |i| {
        std::hint::black_box(cw.decide(&auth, i));
    });
    if n == 10_000 || cedar_speedup.is_none() {
        *cedar_speedup = Some(c.p50 / fast.p50);
    }
    let note = if checked < REQUESTS {
        format!("agrees (first {checked} requests)")
    } else {
        "agrees".into()
    };
    rows.push(Row {
        engine: "cedar-policy 4.14",
        compile: Some(cedar_t),
        stats: c,
        note,
    });

    if n <= 10_000 {
        let (iw, iam_t) = timed(|| IamRsWorkload::build(w));
        let mut differ = 0;
        let mut errors = 0;
        for (i, v) in verdicts.iter().enumerate() {
            match iw.decide(i) {
                Some(x) if x == *v => {}
                Some(_) => differ += 1,
                None => errors += 1,
            }
        }
        let s = latencies(REQUESTS, samples, 1, budget, |i| {
            std::hint::black_box(iw.decide(i));
        });
        let note = if differ + errors == 0 {
            "agrees".to_string()
        } else {
            format!("DIFFERS on {differ}, errors on {errors} of {REQUESTS}")
        };
        rows.push(Row {
            engine: "iam-rs 0.8",
            compile: Some(iam_t),
            stats: s,
            note,
        });
    }
    rows
}

fn print_table(n: usize, rows: &[Row]) {
    let base = rows[0].stats.p50;
    println!(
        "| statements | engine | compile | p50 | p99 | p50 / polcheck | samples | decisions |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for r in rows {
        println!(
            "| {n} | {} | {} | {} | {} | {:.1}x | {} | {} |",
            r.engine,
            r.compile.map_or("-".to_string(), |d| format!(
                "{:.1} ms",
                d.as_secs_f64() * 1e3
            )),
            fmt_ns(r.stats.p50),
            fmt_ns(r.stats.p99),
            r.stats.p50 / base,
            r.stats.samples,
            r.note
        );
    }
}

/// `--profile`: `decide_outcome` on the 10,000-statement workload for five seconds, for
/// `perf record` or callgrind.
fn profile() {
    let w = Workload::generate(10_000, CALLERS, REQUESTS, SEED);
    let pw = PolcheckWorkload::build(&w);
    let start = std::time::Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(5) {
        for i in 0..REQUESTS {
            std::hint::black_box(pw.decide(i));
        }
        n += REQUESTS as u64;
    }
    println!(
        "{n} decisions, {:.0} ns each",
        start.elapsed().as_nanos() as f64 / n as f64
    );
}

/// Loading a 10,000-role IAM export, and `exposure` over 1,000 instances, 200 security groups
/// and 50 subnets: the median of five runs each.
fn estates() {
    use polcheck_benches::estates::{iam_export, vpc_estate};
    use polcheck_core::json;
    use polcheck_core::network::{exposure, NetworkModel};
    use polcheck_core::world::World;
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let export = iam_export(10_000);
    let load: Vec<Duration> = (0..5)
        .map(|_| {
            timed(|| World::load(&[("roles.json".to_string(), export.clone())]).map(|w| w.0)).1
        })
        .collect();
    println!(
        "load and import a 10,000-role export ({:.1} MB, one line): {:.0} ms",
        export.len() as f64 / 1e6,
        median(load).as_secs_f64() * 1e3
    );
    let vpc = vpc_estate(1_000, 200, 50);
    let doc = match json::parse(&vpc) {
        Ok(d) => d,
        Err(e) => return println!("vpc estate does not parse: {e}"),
    };
    let model = match NetworkModel::import(&[("vpc.json", &doc)]) {
        Ok((m, _)) => m,
        Err(e) => return println!("vpc estate does not import: {e}"),
    };
    let mut found = 0;
    let runs: Vec<Duration> = (0..5)
        .map(|_| {
            let (e, t) = timed(|| exposure(&model));
            found = e.len();
            t
        })
        .collect();
    println!(
        "exposure over 1,000 instances, 200 security groups, 50 subnets: {:.1} ms ({found} exposed interface-protocol pairs)",
        median(runs).as_secs_f64() * 1e3
    );
}
