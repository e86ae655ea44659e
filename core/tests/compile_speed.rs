//! Compile speed and memory, from JSON text to a ready `Engine`, on generated policies shaped
//! like the benches' workload (10 statements a policy, compact JSON, a third with a
//! condition). The timed run is `#[ignore]`d (wall-clock means nothing on a loaded machine);
//! run it in release, alone or under callgrind:
//!
//! ```sh
//! cargo test --release -p polcheck-core --test compile_speed -- --ignored --nocapture
//! POLCHECK_STATEMENTS=10000 POLCHECK_SPEED_ONLY=1 valgrind --tool=callgrind \
//!     --toggle-collect='compile_speed::engine' target/release/deps/compile_speed-* \
//!     --ignored --exact compile_profile
//! ```
//!
//! With `--toggle-collect`, callgrind counts text -> `Engine` only (3 rounds): divide its total
//! by 3 × the statements.
//!
//! The default test checks the counting allocator's figure stays under a generous bound, so
//! a change that keeps a second copy of every policy fails here.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a measuring test: a counting global allocator, and loud failures"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use polcheck_core::{Context, Engine, Request};

/// Bytes allocated and not yet freed, by every thread.
static HELD: AtomicIsize = AtomicIsize::new(0);

struct Counting;

// SAFETY: every call is forwarded to `System` unchanged; only a counter is updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        HELD.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        HELD.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A 64-bit LCG, so the policies are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const SERVICES: &[(&str, &[&str])] = &[
    (
        "s3",
        &["GetObject", "PutObject", "ListBucket", "DeleteObject"],
    ),
    (
        "ec2",
        &["DescribeInstances", "StartInstances", "StopInstances"],
    ),
    ("dynamodb", &["GetItem", "PutItem", "Query", "Scan"]),
    ("sqs", &["SendMessage", "ReceiveMessage", "DeleteMessage"]),
    ("lambda", &["InvokeFunction", "GetFunction"]),
    ("kms", &["Decrypt", "Encrypt", "GenerateDataKey"]),
];

fn resource(r: &mut Lcg, svc: &str, pool: usize) -> String {
    let i = r.below(pool);
    match svc {
        "s3" if r.below(2) == 0 => format!("arn:aws:s3:::bucket-{i}/*"),
        "s3" => format!("arn:aws:s3:::bucket-{i}/data/obj-{}", i % 7),
        "ec2" => format!("arn:aws:ec2:us-east-1:111122223333:instance/i-{i:08x}"),
        "dynamodb" => format!("arn:aws:dynamodb:eu-west-1:111122223333:table/table-{i}*"),
        "sqs" => format!("arn:aws:sqs:us-east-1:111122223333:queue-{i}"),
        "lambda" => format!("arn:aws:lambda:us-west-2:111122223333:function:fn-{i}"),
        _ => format!("arn:aws:kms:us-east-1:111122223333:key/k-{i}"),
    }
}

fn statement(r: &mut Lcg, pool: usize) -> String {
    let (svc, actions) = SERVICES[r.below(SERVICES.len())];
    let allow = r.below(10) != 0;
    let action = match r.below(10) {
        0..=5 => format!(r#""{svc}:{}""#, actions[r.below(actions.len())]),
        6 => format!(
            r#"["{svc}:{}","{svc}:{}"]"#,
            actions[r.below(actions.len())],
            actions[0]
        ),
        7 | 8 => format!(r#""{svc}:Get*""#),
        _ => format!(r#""{svc}:*""#),
    };
    let res = match r.below(10) {
        0..=6 => format!(r#""{}""#, resource(r, svc, pool)),
        7 => format!(
            r#"["{}","{}"]"#,
            resource(r, svc, pool),
            resource(r, svc, pool)
        ),
        _ => r#""*""#.to_string(),
    };
    let cond = match r.below(9) {
        0 => r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#.to_string(),
        1 => r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#.to_string(),
        2 => r#","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}"#.to_string(),
        _ => String::new(),
    };
    let effect = if allow { "Allow" } else { "Deny" };
    format!(r#"{{"Effect":"{effect}","Action":{action},"Resource":{res}{cond}}}"#)
}

/// `statements` statements in policies of 10, as JSON texts.
fn policies(statements: usize) -> Vec<String> {
    let mut r = Lcg(0x5eed_2026 ^ statements as u64);
    let pool = (statements / 4).max(4);
    (0..statements.div_ceil(10))
        .map(|_| {
            let s: Vec<String> = (0..10).map(|_| statement(&mut r, pool)).collect();
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                s.join(",")
            )
        })
        .collect()
}

// Not inlined, so that a profiler can count this function alone
// (`--toggle-collect='compile_speed::engine'`).
#[inline(never)]
fn engine(texts: &[String]) -> Engine {
    let mut b = Engine::builder();
    for (i, t) in texts.iter().enumerate() {
        b = b
            .identity_policy(&format!("policy-{i}"), t)
            .expect("generated policy parses");
    }
    b.build().expect("engine builds")
}

/// Bytes held by a ready engine per statement (the texts themselves not counted).
fn held_per_statement(statements: usize) -> f64 {
    let texts = policies(statements);
    let before = HELD.load(Ordering::Relaxed);
    let e = engine(&texts);
    let held = HELD.load(Ordering::Relaxed) - before;
    let req = Request::new(
        Some("arn:aws:iam::111122223333:user/alice"),
        "s3:GetObject",
        "arn:aws:s3:::bucket-1/data/obj-1",
        Context::new(),
    )
    .expect("request");
    let _ = e.check(&req);
    held as f64 / statements as f64
}

#[test]
fn a_ready_engine_holds_a_bounded_size_per_statement() {
    let per = held_per_statement(2_000);
    println!("held: {per:.0} B/statement at 2,000 statements");
    // The target is 300 B; the bound leaves room for allocator rounding on other platforms.
    assert!(per < 2_000.0, "{per:.0} B held per statement");
}

/// Parse and compile 100,000 statements ten times (for a profiler), then print the held bytes.
#[test]
#[ignore = "a measurement: run in release, alone"]
fn compile_profile() {
    let n: usize = std::env::var("POLCHECK_STATEMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let texts = policies(n);
    let bytes: usize = texts.iter().map(String::len).sum();
    let rounds = 3;
    let t = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(engine(&texts));
    }
    let per = t.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "{n} statements ({} B of JSON, {:.0} B/statement): {:.1} ms, {:.0} statements/s",
        bytes,
        bytes as f64 / n as f64,
        per * 1e3,
        n as f64 / per
    );
    if std::env::var_os("POLCHECK_SPEED_ONLY").is_some() {
        return;
    }
    for n in [10_000, 100_000] {
        println!("held: {:.0} B/statement at {n}", held_per_statement(n));
    }
    let texts = policies(10_000);
    let before = HELD.load(Ordering::Relaxed);
    let parsed: Vec<_> = texts
        .iter()
        .map(|t| polcheck_core::policy::Policy::parse(t).expect("parses"))
        .collect();
    let held = HELD.load(Ordering::Relaxed) - before;
    println!(
        "parsed policies alone: {:.0} B/statement",
        held as f64 / 10_000.0
    );
    drop(parsed);
}
