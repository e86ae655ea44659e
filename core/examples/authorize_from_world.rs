//! Authorize requests against a world of AWS exports (the bundled demo estate).
//!
//! Run: `cargo run -p polcheck-core --example authorize_from_world`

use polcheck_core::{Context, ContextValue, Engine, Request};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::builder()
        .world_file(
            "iam.json",
            include_str!("../../corpus/worlds/demo/iam.json"),
        )
        .world_file(
            "network.json",
            include_str!("../../corpus/worlds/demo/network.json"),
        )
        .build()?;
    let alice = "arn:aws:iam::111122223333:user/alice";
    for (action, resource) in [
        ("s3:GetObject", "arn:aws:s3:::demo-artifacts/build.zip"),
        (
            "s3:PutObject",
            "arn:aws:s3:::demo-artifacts/releases/v1.zip",
        ),
        (
            "ec2:TerminateInstances",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-0app01a2b3c4d5e6f",
        ),
    ] {
        let mut ctx = Context::new();
        ctx.insert("aws:SecureTransport", ContextValue::single("true"));
        let decision = engine.authorize(&Request::new(Some(alice), action, resource, ctx)?);
        println!("{action} on {resource}: {}", decision.outcome);
        for m in &decision.matched {
            println!("  {:?} by {} ({})", m.effect, m.policy, m.kind);
        }
    }
    println!("who can read the artifacts:");
    for (principal, _) in engine.who_can("s3:GetObject", "arn:aws:s3:::demo-artifacts/build.zip") {
        println!("  {principal}");
    }
    Ok(())
}
