//! The SQL of the README, run in process against the demo world and the CloudTrail fixtures.

#![expect(
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::AsArray;
use datafusion::prelude::SessionContext;
use polcheck_core::Engine;

const DEMO: &str = include_str!("../../corpus/worlds/demo/iam.json");

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = format!(
        "{}/../corpus/cloudtrail/records/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    (name.to_string(), std::fs::read(path).unwrap())
}

async fn rows(ctx: &SessionContext, sql: &str) -> Vec<Vec<Option<String>>> {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let mut out = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            out.push(
                b.columns()
                    .iter()
                    .map(|c| {
                        let c = datafusion::arrow::compute::cast(
                            c,
                            &datafusion::arrow::datatypes::DataType::Utf8,
                        )
                        .unwrap();
                        let s = c.as_string::<i32>();
                        (!s.is_null(i)).then(|| s.value(i).to_string())
                    })
                    .collect(),
            );
        }
    }
    out
}

fn session() -> SessionContext {
    let engine = Engine::builder()
        .world_file("iam.json", DEMO)
        .build()
        .unwrap();
    let worlds = Arc::new(HashMap::from([("demo".to_string(), Arc::new(engine))]));
    let ctx = SessionContext::new();
    polcheck_datafusion::register(&ctx, worlds);
    let files = [
        fixture("identity-types.json"),
        fixture("eventbridge.ndjson"),
        fixture("lake-export.ndjson"),
    ];
    let table = polcheck_datafusion::cloudtrail_table(&files).unwrap();
    ctx.register_table("cloudtrail", Arc::new(table)).unwrap();
    ctx
}

#[tokio::test]
async fn denied_events_by_sql() {
    let ctx = session();
    let got = rows(
        &ctx,
        "SELECT principal, action, observed FROM cloudtrail \
         WHERE action IS NOT NULL AND polcheck_decide('demo', principal, action, resource, context) = 'implicitDeny' \
         ORDER BY event_id",
    )
    .await;
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        got,
        vec![
            vec![
                s("arn:aws:sts::111122223333:federated-user/dana"),
                s("sqs:SendMessage"),
                s("denied")
            ],
            vec![
                s("cloudtrail.amazonaws.com"),
                s("s3:PutObject"),
                s("succeeded")
            ],
            vec![
                s("arn:aws:iam::111122223333:user/bob"),
                s("lambda:GetFunction"),
                s("denied")
            ],
        ]
    );
    let unmapped = rows(
        &ctx,
        "SELECT count(*) FROM cloudtrail WHERE unmapped IS NOT NULL",
    )
    .await;
    assert_eq!(unmapped, vec![vec![s("4")]]);
}

#[tokio::test]
async fn explicit_deny_names_its_statement() {
    let ctx = session();
    let got = rows(
        &ctx,
        r#"SELECT polcheck_decide('demo', 'arn:aws:iam::111122223333:user/alice', 's3:PutObject',
              'arn:aws:s3:::demo-artifacts/releases/x', '{"aws:SecureTransport": "true"}'),
              polcheck_deciding_statement('demo', 'arn:aws:iam::111122223333:user/alice', 's3:PutObject',
              'arn:aws:s3:::demo-artifacts/releases/x', '{"aws:SecureTransport": "true"}')"#,
    )
    .await;
    let row = got.first().unwrap();
    assert_eq!(row.first().unwrap().as_deref(), Some("explicitDeny"));
    let statement = row.get(1).unwrap().clone().unwrap();
    assert!(statement.starts_with("resource "), "{statement}");
    assert!(statement.contains("Deny s3:PutObject"), "{statement}");
    let err = ctx
        .sql("SELECT polcheck_decide('nope', NULL, 's3:GetObject', '*', NULL)")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no world `nope` registered"),
        "{err}"
    );
}
