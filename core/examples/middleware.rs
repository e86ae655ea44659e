//! A tiny authorizing middleware: map an HTTP request on a bucket-like API to an IAM action and
//! resource, ask the engine, and answer 200 or 403 with the reason.
//!
//! Run: `cargo run -p polcheck-core --example middleware`

use std::sync::Arc;

use polcheck_core::decide::Outcome;
use polcheck_core::{Context, ContextValue, Engine, Request};

/// What the middleware hands on: the handler's answer or a refusal.
#[derive(Debug, PartialEq)]
enum Response {
    Ok(String),
    Forbidden(String),
}

/// Authorizes `method path` for `caller` coming from `source_ip`, then calls `handler`.
fn authorize(
    engine: &Engine,
    caller: &str,
    source_ip: &str,
    method: &str,
    path: &str,
    handler: impl FnOnce() -> String,
) -> Response {
    let action = match method {
        "GET" => "s3:GetObject",
        "PUT" => "s3:PutObject",
        "DELETE" => "s3:DeleteObject",
        _ => return Response::Forbidden(format!("method `{method}` is not supported")),
    };
    let resource = format!("arn:aws:s3:::{}", path.trim_start_matches('/'));
    let mut ctx = Context::new();
    ctx.insert("aws:SourceIp", ContextValue::single(source_ip));
    let req = match Request::new(Some(caller), action, &resource, ctx) {
        Ok(r) => r,
        Err(e) => return Response::Forbidden(e.to_string()),
    };
    let decision = engine.authorize(&req);
    match decision.outcome {
        Outcome::Allowed => Response::Ok(handler()),
        outcome => {
            let kinds: Vec<&str> = decision.blocked_by.iter().map(|k| k.as_str()).collect();
            Response::Forbidden(format!("{outcome} by {}", kinds.join(", ")))
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Arc::new(
        Engine::builder()
            .identity_policy(
                "office-readers",
                r#"{"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::docs/*"},
                    {"Effect": "Deny", "Action": "*", "Resource": "*",
                     "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}"#,
            )?
            .build()?,
    );
    let alice = "arn:aws:iam::111122223333:user/alice";
    let cases = [
        ("192.0.2.10", "GET", "/docs/plan.md"),
        ("198.51.100.7", "GET", "/docs/plan.md"),
        ("192.0.2.10", "DELETE", "/docs/plan.md"),
    ];
    for (ip, method, path) in cases {
        let answer = authorize(&engine, alice, ip, method, path, || {
            format!("contents of {path}")
        });
        println!("{method} {path} from {ip}: {answer:?}");
    }
    assert_eq!(
        authorize(
            &engine,
            alice,
            "198.51.100.7",
            "GET",
            "/docs/plan.md",
            String::new
        ),
        Response::Forbidden("explicitDeny by identity".into())
    );
    Ok(())
}
