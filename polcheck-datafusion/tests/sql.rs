//! The SQL of the README, run in process over the CloudTrail fixtures of `corpus/cloudtrail`
//! against `corpus/worlds/demo` (and `demo-after`), every count checked against
//! polcheck-core's own replay of the same files ([`Replayer`]), not against numbers written
//! here.

#![expect(
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{SessionConfig, SessionContext};
use polcheck_core::cloudtrail::replay::caller_text;
use polcheck_core::cloudtrail::{map_record, parse, Replayer, Tally};
use polcheck_core::decide::Outcome;
use polcheck_core::Engine;
use polcheck_datafusion::{cloudtrail_table, log_files, read_log, Worlds};

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(rel)
}

/// The fixtures: the generated month (gzip, in the S3 layout, read recursively), the records
/// of every `userIdentity` type, the Lake NDJSON export and EventBridge events, and
/// `tests/cloudtrail/` (calls the demo world denies explicitly: writes to `releases/` by
/// others than DeployRole, a call outside the SCP's regions; and DeployRole's allowed write).
fn fixtures() -> Vec<PathBuf> {
    vec![
        corpus("cloudtrail/demo-month"),
        corpus("cloudtrail/records"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cloudtrail"),
    ]
}

type Row = Vec<Option<String>>;

async fn rows(ctx: &SessionContext, sql: &str) -> Vec<Row> {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let mut out = Vec::new();
    for b in batches {
        let cols: Vec<_> = b
            .columns()
            .iter()
            .map(|c| datafusion::arrow::compute::cast(c, &DataType::Utf8).unwrap())
            .collect();
        for i in 0..b.num_rows() {
            out.push(
                cols.iter()
                    .map(|c| {
                        let s = c.as_string::<i32>();
                        (!s.is_null(i)).then(|| s.value(i).to_string())
                    })
                    .collect(),
            );
        }
    }
    out
}

/// Rows `key..., count` as a map from the keys to the count.
fn counts(rows: Vec<Row>) -> BTreeMap<Vec<Option<String>>, u64> {
    rows.into_iter()
        .map(|mut r| {
            let n = r.pop().unwrap().unwrap().parse().unwrap();
            (r, n)
        })
        .collect()
}

/// The world of a directory, read and built here, independently of the crate under test.
fn engine(dir: &str) -> Engine {
    let mut names: Vec<PathBuf> = std::fs::read_dir(corpus(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut b = Engine::builder();
    for n in names {
        b = b.world_file(
            &n.display().to_string(),
            &std::fs::read_to_string(&n).unwrap(),
        );
    }
    b.build().unwrap()
}

/// polcheck-core's replay of the fixtures: its tally, and per (caller, action, before,
/// after) the events, from the outcomes the replayer gives each record.
struct CoreReplay {
    tally: Tally,
    events: BTreeMap<(Option<String>, String, &'static str, &'static str), u64>,
    files: usize,
}

fn core_replay() -> CoreReplay {
    let (before, after) = (engine("worlds/demo"), engine("worlds/demo-after"));
    let mut replayer = Replayer::new(&before, Some(&after));
    let mut tally = Tally::default();
    let mut events = BTreeMap::new();
    let files = log_files(&fixtures()).unwrap();
    for f in &files {
        let text = read_log(f).unwrap();
        for r in parse(&text).unwrap() {
            if let Some((b, a)) = replayer.replay(&r, &mut tally) {
                let ev = map_record(&r).unwrap();
                let key = (
                    caller_text(ev.request.principal()),
                    ev.request.action().to_string(),
                    b.as_str(),
                    a.unwrap().as_str(),
                );
                *events.entry(key).or_insert(0) += 1;
            }
        }
    }
    CoreReplay {
        tally,
        events,
        files: files.len(),
    }
}

fn session(worlds: &Arc<Worlds>, partitions: usize) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    polcheck_datafusion::register(&ctx, worlds);
    let table = cloudtrail_table(&fixtures(), partitions).unwrap();
    ctx.register_table("cloudtrail", Arc::new(table)).unwrap();
    ctx
}

fn worlds() -> Arc<Worlds> {
    let worlds = Worlds::new();
    worlds.compile_path("demo", &corpus("worlds/demo")).unwrap();
    worlds
        .compile_path("demo-after", &corpus("worlds/demo-after"))
        .unwrap();
    worlds
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

const DECIDE: &str = "polcheck_decide('demo', principal, action, resource, context)";
const AFTER: &str = "polcheck_decide('demo-after', principal, action, resource, context)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_denies_by_sql_match_the_core_replay() {
    let core = core_replay();
    let worlds = worlds();
    let demo = worlds.get("demo").unwrap();
    let ctx = session(&worlds, 4);

    // The README's query.
    let got = counts(
        rows(
            &ctx,
            &format!(
                "SELECT principal, action, count(*) FROM cloudtrail \
                 WHERE {DECIDE} = 'explicitDeny' GROUP BY principal, action"
            ),
        )
        .await,
    );
    let mut want: BTreeMap<Row, u64> = BTreeMap::new();
    for ((who, action, before, _), n) in &core.events {
        if *before == "explicitDeny" {
            *want.entry(vec![who.clone(), s(action)]).or_insert(0) += n;
        }
    }
    assert!(
        !want.is_empty(),
        "the fixtures hold no explicit deny against the demo world: the test would check nothing"
    );
    assert_eq!(got, want);

    // The CloudTrail columns of those events, and what CloudTrail saw agrees with errorCode.
    let denied = rows(
        &ctx,
        &format!(
            "SELECT eventTime, eventSource, eventName, principal, action, resource, \
             sourceIPAddress, errorCode, observed FROM cloudtrail WHERE {DECIDE} = 'explicitDeny'"
        ),
    )
    .await;
    assert_eq!(denied.len() as u64, want.values().sum::<u64>());
    for r in &denied {
        assert!(r[0].as_deref().unwrap().starts_with("20"), "{r:?}");
        assert!(
            r[1].as_deref().unwrap().ends_with(".amazonaws.com"),
            "{r:?}"
        );
        let action = r[4].as_deref().unwrap();
        assert!(action.contains(':'), "{r:?}");
        assert!(r[5].is_some(), "{r:?}");
        let observed = r[8].as_deref().unwrap();
        assert_eq!(observed == "succeeded", r[7].is_none(), "{r:?}");
    }

    // Every decision against what CloudTrail saw, as the core's agreement table counts it.
    let got = counts(
        rows(
            &ctx,
            &format!(
                "SELECT observed, {DECIDE} AS d, count(*) FROM cloudtrail \
                 WHERE action IS NOT NULL GROUP BY observed, d"
            ),
        )
        .await,
    );
    let want: BTreeMap<Row, u64> = core
        .tally
        .agreement
        .iter()
        .map(|((obs, out), n)| (vec![s(obs.as_str()), s(out.as_str())], *n))
        .collect();
    assert_eq!(got, want);

    // Records that are no request, by reason.
    let got = counts(
        rows(
            &ctx,
            "SELECT unmapped, count(*) FROM cloudtrail WHERE unmapped IS NOT NULL GROUP BY unmapped",
        )
        .await,
    );
    let want: BTreeMap<Row, u64> = core
        .tally
        .unmapped
        .iter()
        .map(|(why, n)| (vec![s(why)], *n))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let all = rows(&ctx, "SELECT count(*) FROM cloudtrail").await;
    assert_eq!(all, vec![vec![Some(core.tally.events.to_string())]]);

    // The proposed change: every decision that flips, by caller and action.
    let got = counts(
        rows(
            &ctx,
            &format!(
                "SELECT principal, action, {DECIDE} AS b, {AFTER} AS a, count(*) FROM cloudtrail \
                 WHERE action IS NOT NULL AND {DECIDE} <> {AFTER} GROUP BY principal, action, b, a"
            ),
        )
        .await,
    );
    let want: BTreeMap<Row, u64> = core
        .events
        .iter()
        .filter(|((_, _, b, a), _)| b != a)
        .map(|((who, action, b, a), n)| (vec![who.clone(), s(action), s(b), s(a)], *n))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let flipped: u64 = core.tally.flips.values().map(|g| g.count).sum();
    assert_eq!(want.values().sum::<u64>(), flipped);

    // Compiled once: two worlds, two compilations, however many batches and partitions
    // decided (one batch per file, each decided by several calls of the functions).
    assert_eq!(worlds.compiled(), 2);
    assert!(Arc::ptr_eq(&demo, &worlds.get("demo").unwrap()));
    assert!(
        worlds.batches_decided() >= core.files as u64,
        "{} batches for {} files",
        worlds.batches_decided(),
        core.files
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deciding_statement_is_the_cores() {
    let worlds = worlds();
    let ctx = session(&worlds, 2);
    let got = rows(
        &ctx,
        &format!(
            "SELECT principal, action, resource, context, \
             polcheck_deciding_statement('demo', principal, action, resource, context) \
             FROM cloudtrail WHERE {DECIDE} = 'explicitDeny'"
        ),
    )
    .await;
    assert!(!got.is_empty());
    let demo = engine("worlds/demo");
    for r in &got {
        let statement = r[4].clone().unwrap();
        // The core's own explanation of the same request names the same Deny.
        let d = demo.authorize(&request_of(r));
        assert_eq!(d.outcome, Outcome::ExplicitDeny);
        let deny = d
            .matched
            .iter()
            .find(|m| m.effect == polcheck_core::policy::Effect::Deny)
            .unwrap();
        assert!(statement.contains(&deny.summary.text()), "{statement}");
        assert!(statement.starts_with(deny.kind.as_str()), "{statement}");
    }

    // An implicit deny has no deciding statement; an allow names an Allow.
    let got = rows(
        &ctx,
        &format!(
            "SELECT {DECIDE} AS d, \
             polcheck_deciding_statement('demo', principal, action, resource, context) AS st \
             FROM cloudtrail WHERE action IS NOT NULL"
        ),
    )
    .await;
    let mut seen = BTreeMap::new();
    for r in &got {
        let d = r[0].clone().unwrap();
        match d.as_str() {
            "implicitDeny" => assert_eq!(r[1], None, "{r:?}"),
            "allowed" => assert!(r[1].as_deref().unwrap().contains("Allow"), "{r:?}"),
            "explicitDeny" => assert!(r[1].as_deref().unwrap().contains("Deny"), "{r:?}"),
            _ => assert!(r[1].as_deref().unwrap().starts_with("unknown: "), "{r:?}"),
        }
        *seen.entry(d).or_insert(0) += 1;
    }
    assert!(
        seen.contains_key("allowed") && seen.contains_key("implicitDeny"),
        "{seen:?}"
    );

    // A world nobody registered is an error, not an answer.
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
    let err = ctx
        .sql("SELECT polcheck_decide('demo', NULL, 's3:GetObject', '*', '[1]')")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expected a JSON object"), "{err}");
    assert_eq!(worlds.compiled(), 2);
}

/// The request of a row (principal, action, resource, context), read back as the function
/// reads it.
fn request_of(r: &Row) -> polcheck_core::Request {
    let mut ctx = polcheck_core::Context::new();
    let json: serde_json::Value = serde_json::from_str(r[3].as_deref().unwrap()).unwrap();
    let mut account = None;
    for (k, v) in json.as_object().unwrap() {
        if k.eq_ignore_ascii_case("aws:ResourceAccount") {
            account = v.as_str().map(str::to_string);
        }
        ctx.insert(k, polcheck_core::ContextValue::from_json(v).unwrap());
    }
    let mut req = polcheck_core::Request::new(
        r[0].as_deref(),
        r[1].as_deref().unwrap(),
        r[2].as_deref().unwrap(),
        ctx,
    )
    .unwrap();
    if account.is_some() {
        req.set_resource_account(account);
    }
    req
}

/// The route to a cluster (docs/replay.md, step 5): the mapped rows written as NDJSON, read
/// back by DataFusion's own JSON reader, give the same answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapped_rows_as_ndjson_give_the_same_answers() {
    let worlds = worlds();
    let ctx = session(&worlds, 2);
    let dir = std::env::temp_dir().join(format!("polcheck-datafusion-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = format!("{}/", dir.display());
    rows(
        &ctx,
        &format!("COPY (SELECT * FROM cloudtrail) TO '{out}' STORED AS JSON"),
    )
    .await;
    let query = format!(
        "SELECT principal, action, observed, {DECIDE} AS d, count(*) FROM {{}} \
         WHERE action IS NOT NULL GROUP BY principal, action, observed, d"
    );
    let want = counts(rows(&ctx, &query.replace("{}", "cloudtrail")).await);
    let json = SessionContext::new();
    polcheck_datafusion::register(&json, &worlds);
    let schema = polcheck_datafusion::cloudtrail_schema();
    let options = datafusion::prelude::JsonReadOptions {
        schema: Some(&schema),
        ..Default::default()
    };
    json.register_json("mapped", &out, options).await.unwrap();
    let got = counts(rows(&json, &query.replace("{}", "mapped")).await);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(want.keys().any(|k| k[3].as_deref() == Some("explicitDeny")));
    assert_eq!(got, want);
    assert_eq!(worlds.compiled(), 2);
}
