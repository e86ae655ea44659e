//! Memory per compiled statement, counted by an instrumenting global allocator in this bench
//! binary (stats_alloc): the bytes still held after `PolicySet::compile`, divided by the
//! number of statements. The parsed policies (the AST the set keeps for explanations) are
//! counted apart. It only prints (no criterion timing).

use polcheck_benches::polcheck;
use polcheck_benches::workload::Workload;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn held(region: &Region<'_, std::alloc::System>) -> i64 {
    let c = region.change();
    c.bytes_allocated as i64 + c.bytes_reallocated as i64 - c.bytes_deallocated as i64
}

fn main() {
    println!("| statements | AST bytes/statement | compiled bytes/statement |");
    println!("| ---: | ---: | ---: |");
    for n in [10usize, 100, 1_000, 10_000, 100_000] {
        let w = Workload::generate(n, 50, 10, 0x5eed_2026);
        let r = Region::new(GLOBAL);
        let parsed = polcheck::parse(&w);
        let ast = held(&r);
        let named = polcheck::named(&parsed);
        let r = Region::new(GLOBAL);
        let set = polcheck_core::compile::PolicySet::compile(named);
        let compiled = held(&r);
        println!(
            "| {n} | {:.0} | {:.0} |",
            ast as f64 / n as f64,
            compiled as f64 / n as f64
        );
        drop(set);
    }
}
