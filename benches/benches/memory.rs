//! Memory per statement, counted by an instrumenting global allocator in this bench binary
//! (stats_alloc): the bytes still held, divided by the number of statements, of
//!
//! - the parsed policies (`Policy`, the AST kept for explanations), alone;
//! - the compiled set (`PolicySet::compile` of those policies), alone;
//! - a ready `Engine` built from the JSON texts (`Engine::builder().identity_policy(..)` for
//!   every policy, then `build`): everything a user pays, the texts themselves not counted.
//!
//! It only prints (no criterion timing); allocation sizes do not depend on the build profile,
//! so `cargo test -p polcheck-benches --bench memory --release` or without `--release` gives
//! the same table.

use polcheck_benches::polcheck;
use polcheck_benches::workload::Workload;
use polcheck_core::Engine;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn held(region: &Region<'_, std::alloc::System>) -> i64 {
    let c = region.change();
    c.bytes_allocated as i64 + c.bytes_reallocated as i64 - c.bytes_deallocated as i64
}

fn main() {
    println!("| statements | AST bytes/statement | compiled bytes/statement | engine from text bytes/statement |");
    println!("| ---: | ---: | ---: | ---: |");
    for n in [10usize, 100, 1_000, 10_000, 100_000] {
        let w = Workload::generate(n, 50, 10, 0x5eed_2026);
        let r = Region::new(GLOBAL);
        let parsed = polcheck::parse(&w);
        let ast = held(&r);
        let named = polcheck::named(&parsed);
        let r = Region::new(GLOBAL);
        let set = polcheck_core::compile::PolicySet::compile(named);
        let compiled = held(&r);
        drop(set);
        drop(parsed);
        let texts = w.iam_json();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("policy-{i}")).collect();
        let r = Region::new(GLOBAL);
        let mut b = Engine::builder();
        for (name, text) in names.iter().zip(&texts) {
            b = b
                .identity_policy(name, text)
                .expect("generated policy parses");
        }
        let engine = b.build().expect("engine builds");
        let whole = held(&r);
        println!(
            "| {n} | {:.0} | {:.0} | {:.0} |",
            ast as f64 / n as f64,
            compiled as f64 / n as f64,
            whole as f64 / n as f64
        );
        drop(engine);
    }
}
