//! One compiled engine shared across threads answers the same as on one thread.

use std::sync::Arc;

use polcheck_core::{Context, Engine, Request};

fn is_send_sync<T: Send + Sync>() {}

#[test]
fn one_engine_answers_from_every_thread() {
    is_send_sync::<Engine>();
    let engine = Arc::new(
        Engine::builder()
            .world_file(
                "iam.json",
                include_str!("../../corpus/worlds/demo/iam.json"),
            )
            .world_file(
                "network.json",
                include_str!("../../corpus/worlds/demo/network.json"),
            )
            .build()
            .unwrap(),
    );
    let questions: Arc<Vec<(String, &str)>> = Arc::new(
        ["alice", "bob", "carol"]
            .iter()
            .flat_map(|u| {
                [
                    "s3:GetObject",
                    "s3:PutObject",
                    "ec2:RunInstances",
                    "iam:CreateUser",
                ]
                .into_iter()
                .map(move |a| (format!("arn:aws:iam::111122223333:user/{u}"), a))
            })
            .collect(),
    );
    let ask = move |engine: &Engine| -> Vec<String> {
        questions
            .iter()
            .map(|(p, a)| {
                let req = Request::new(
                    Some(p),
                    a,
                    "arn:aws:s3:::demo-artifacts/build.zip",
                    Context::new(),
                )
                .unwrap();
                engine.authorize(&req).outcome.to_string()
            })
            .collect()
    };
    let expected = ask(&engine);
    assert!(expected.iter().any(|o| o == "allowed") && expected.iter().any(|o| o != "allowed"));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let engine = Arc::clone(&engine);
            let ask = ask.clone();
            std::thread::spawn(move || (0..50).map(|_| ask(&engine)).collect::<Vec<_>>())
        })
        .collect();
    for h in handles {
        for answers in h.join().unwrap() {
            assert_eq!(answers, expected);
        }
    }
}
