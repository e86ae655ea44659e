//! Speed of `analysis::diff` on the inputs of `benches/benches/diff.rs` (issue #18: two
//! 100-statement policies in under 10 ms, two versions of a 10,000-role export in under 10 s),
//! measured without building the benches crate: its generators are included by path.
//!
//! The timed run is `#[ignore]`d (wall-clock means nothing on a loaded machine); run it in
//! release, alone or under callgrind, one case at a time:
//!
//! ```sh
//! cargo test --release -p polcheck-core --test diff_speed -- --ignored --nocapture
//! POLCHECK_DIFF_CASE=10000-roles-all-changed POLCHECK_DIFF_ROUNDS=1 valgrind --tool=callgrind \
//!     --toggle-collect='diff_speed::measured' target/release/deps/diff_speed-* \
//!     --ignored --exact diff_speed
//! ```
//!
//! Cases: `100-statements-pass`, `100-statements-fail` (one `diff` each),
//! `10000-roles-1pct-changed`, `10000-roles-all-changed` (one `findings::diff_worlds` each;
//! loading the worlds is not counted). With `--toggle-collect`, callgrind counts the measured
//! calls only: one per case and round (`POLCHECK_DIFF_ROUNDS`, default 5; give 1 under
//! callgrind).

#![expect(clippy::expect_used, reason = "a measuring test: loud failures")]

#[path = "../../benches/src/estates.rs"]
#[expect(
    dead_code,
    clippy::indexing_slicing,
    reason = "the benches' generator as it is: only its IAM export is used here"
)]
mod estates;

#[path = "../../benches/src/diff_inputs.rs"]
mod diff_inputs;

use std::hint::black_box;
use std::time::Instant;

use polcheck_core::analysis::{diff, findings, PolicyType, Verdict};
use polcheck_core::world::World;

/// What each case measures, once.
enum Case {
    Pair(String, String, Verdict),
    Worlds(Box<(World, World)>, usize),
}

/// The measured call: callgrind's `--toggle-collect` counts this function only.
#[inline(never)]
fn measured(case: &Case) -> usize {
    match case {
        Case::Pair(old, new, _) => {
            let d = diff(old, new, PolicyType::Identity).expect("the policies parse");
            d.regions.len()
        }
        Case::Worlds(worlds, _) => findings::diff_worlds(&worlds.0, &worlds.1)
            .expect("the worlds diff")
            .len(),
    }
}

fn load(text: String) -> World {
    World::load(&[("roles.json".to_string(), text)])
        .expect("the generated export loads")
        .0
}

fn cases(only: Option<&str>) -> Vec<(&'static str, Case)> {
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    let mut out = Vec::new();
    let (old, reordered, widened) = diff_inputs::hundred_statements();
    if wanted("100-statements-pass") {
        out.push((
            "100-statements-pass",
            Case::Pair(old.clone(), reordered, Verdict::Pass),
        ));
    }
    if wanted("100-statements-fail") {
        out.push((
            "100-statements-fail",
            Case::Pair(old, widened, Verdict::Fail),
        ));
    }
    let worlds = ["10000-roles-1pct-changed", "10000-roles-all-changed"];
    if worlds.iter().any(|w| wanted(w)) {
        let export = estates::iam_export(10_000);
        if wanted(worlds[0]) {
            let started = Instant::now();
            let before = load(export.clone());
            eprintln!("loading one 10,000-role world: {:?}", started.elapsed());
            let after = load(diff_inputs::one_percent_changed(&export));
            out.push((worlds[0], Case::Worlds(Box::new((before, after)), 100)));
        }
        if wanted(worlds[1]) {
            let after = load(diff_inputs::all_changed(&export));
            out.push((
                worlds[1],
                Case::Worlds(Box::new((load(export), after)), 10_000),
            ));
        }
    }
    out
}

/// The answers the timed cases must give, checked on the small cases in every test run.
#[test]
fn hundred_statement_answers() {
    for (name, case) in cases(Some("100-statements-pass"))
        .into_iter()
        .chain(cases(Some("100-statements-fail")))
    {
        let Case::Pair(old, new, want) = &case else {
            unreachable!()
        };
        let d = diff(old, new, PolicyType::Identity).expect("the policies parse");
        assert_eq!(&d.verdict, want, "{name}");
        if *want == Verdict::Fail {
            // Only statement 42 (sqs, `sqs:*`) widened.
            assert!(d
                .regions
                .iter()
                .all(|r| r.witness.action.starts_with("sqs:")
                    && r.witness.resource.contains("res-42/")));
        }
    }
}

#[test]
#[ignore = "timing: run in release with --ignored --nocapture"]
fn diff_speed() {
    let only = std::env::var("POLCHECK_DIFF_CASE").ok();
    let rounds: u32 = std::env::var("POLCHECK_DIFF_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    for (name, case) in cases(only.as_deref()) {
        // The answer of a pair first (not timed; a world diff's count is checked each round).
        if let Case::Pair(old, new, want) = &case {
            let d = diff(old, new, PolicyType::Identity).expect("the policies parse");
            assert_eq!(&d.verdict, want, "{name}");
        }
        let mut best = f64::MAX;
        let mut total = 0.0;
        for _ in 0..rounds {
            let started = Instant::now();
            let n = black_box(measured(black_box(&case)));
            let s = started.elapsed().as_secs_f64();
            if let Case::Worlds(_, changed) = &case {
                assert_eq!(n, *changed, "{name}: principals changed");
            }
            best = best.min(s);
            total += s;
        }
        eprintln!(
            "{name}: best {:.3} ms, mean {:.3} ms over {rounds} rounds",
            best * 1e3,
            total * 1e3 / f64::from(rounds)
        );
    }
}
