//! `polcheck replay` through the binary: the generated demo month against the demo world and
//! the proposed change of `corpus/worlds/demo-after/`, the userIdentity fixtures, bad input.

#![expect(
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::collections::BTreeMap;

use assert_cmd::Command;
use serde_json::Value;

fn corpus(p: &str) -> String {
    format!("{}/../corpus/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn replay(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("polcheck")
        .unwrap()
        .arg("replay")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_demo_month_matches_the_demo_world() {
    let month = corpus("cloudtrail/demo-month");
    let (code, out, err) = replay(&["--cloudtrail", &month, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["events"], 3000);
    assert_eq!(v["files"], 30);
    assert_eq!(v["agreement"]["matchRate"], 1.0);
    assert_eq!(v["agreement"]["succeededDenied"], 0);
    assert!(v["agreement"]["deniedDenied"].as_u64().unwrap() > 0);
    let reasons: Vec<&str> = v["unmapped"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        reasons,
        [
            "eventType `AwsConsoleSignIn` is not an API call",
            "resource not named by the record"
        ]
    );
}

#[test]
fn the_proposed_change_flips_exactly_what_it_takes_away() {
    let month = corpus("cloudtrail/demo-month");
    let after = corpus("worlds/demo-after");
    let (code, out, err) = replay(&[
        "--cloudtrail",
        &month,
        "--world-after",
        &after,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "flips exit 1: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let flips: Vec<(String, String, String, String, u64)> = v["flips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (
                s("principal"),
                s("action"),
                s("before"),
                s("after"),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect();
    // Count the same flips event by event from the NDJSON output.
    let (_, lines, _) = replay(&[
        "--cloudtrail",
        &month,
        "--world-after",
        &after,
        "--format",
        "ndjson",
    ]);
    let mut by_event: BTreeMap<(String, String), u64> = BTreeMap::new();
    for line in lines.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        if e["decision"] != e["after"] {
            let who = e["principal"].as_str().unwrap().replace(
                "arn:aws:sts::111122223333:assumed-role/AppRole/",
                "arn:aws:iam::111122223333:role/AppRole#",
            );
            let who = who.split('#').next().unwrap().to_string();
            *by_event
                .entry((who, e["action"].as_str().unwrap().to_string()))
                .or_insert(0) += 1;
        }
    }
    let grouped: BTreeMap<(String, String), u64> = flips
        .iter()
        .map(|(p, a, _, _, n)| ((p.clone(), a.clone()), *n))
        .collect();
    assert_eq!(grouped, by_event);
    let keys: Vec<(&str, &str, &str, &str)> = flips
        .iter()
        .map(|(p, a, b, t, _)| (p.as_str(), a.as_str(), b.as_str(), t.as_str()))
        .collect();
    let mut keys = keys;
    keys.sort();
    assert_eq!(
        keys,
        [
            (
                "arn:aws:iam::111122223333:role/AppRole",
                "dynamodb:PutItem",
                "allowed",
                "implicitDeny"
            ),
            (
                "arn:aws:iam::111122223333:user/alice",
                "s3:PutObject",
                "allowed",
                "implicitDeny"
            ),
            (
                "arn:aws:iam::111122223333:user/bob",
                "s3:PutObject",
                "allowed",
                "implicitDeny"
            ),
        ]
    );
    assert!(flips.iter().all(|f| f.4 > 10));
    let example = &v["flips"][0];
    assert_eq!(
        example["explanation"]["blockedBy"],
        serde_json::json!(["identity"])
    );
    assert!(example["example"]["eventId"]
        .as_str()
        .unwrap()
        .starts_with("00000000-"));
}

#[test]
fn unused_access_and_least_privilege() {
    let records = corpus("cloudtrail/records");
    let (code, out, err) = replay(&["--cloudtrail", &records, "--access", "--format", "json"]);
    assert_eq!(code, 1, "the CloudTrail delivery event disagrees: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let access = v["access"].as_array().unwrap();
    let app = access
        .iter()
        .find(|a| a["principal"] == "arn:aws:iam::111122223333:role/AppRole")
        .unwrap();
    let unused: Vec<&str> = app["unused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        unused,
        ["dynamodb:PutItem", "dynamodb:Query", "s3:GetObject"]
    );
    assert_eq!(app["usedActions"], 1);
    assert_eq!(
        app["policy"]["Statement"][0]["Resource"][0],
        "arn:aws:dynamodb:us-east-1:111122223333:table/app-sessions"
    );
    assert_eq!(
        app["verification"],
        serde_json::json!({"checked": 1, "denied": 0})
    );
    let anonymous = access
        .iter()
        .find(|a| a["principal"] == "anonymous")
        .unwrap();
    assert!(
        anonymous["policy"].is_null(),
        "identity policies do not govern anonymous callers"
    );
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let (code, _, err) = replay(&["--cloudtrail", "/nonexistent/trail.json.gz"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/trail.json.gz: cannot read"),
        "{err}"
    );
    let dir = std::env::temp_dir().join(format!("polcheck-replay-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"Records\": [\n  {\"eventName\": }\n]}").unwrap();
    let (code, _, err) = replay(&["--cloudtrail", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json:2:17:"), "{err}");
    let gz = dir.join("bad.json.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 0, 1, 2]).unwrap();
    let (code, _, err) = replay(&["--cloudtrail", gz.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not valid gzip"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Files are read on every core, but NDJSON lines come out in file order (the generator
/// numbers events in time order, one file per day) and JSON reports are the same on every
/// run, examples included.
#[test]
fn output_is_in_file_order_and_the_same_every_run() {
    let month = corpus("cloudtrail/demo-month");
    let after = corpus("worlds/demo-after");
    let (code, out, err) = replay(&[
        "--cloudtrail",
        &month,
        "--world-after",
        &after,
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 1, "{err}");
    let ids: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["eventId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(ids.len() > 2500, "{}", ids.len());
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let json = |_: usize| {
        let (_, out, _) = replay(&[
            "--cloudtrail",
            &month,
            "--world-after",
            &after,
            "--format",
            "json",
        ]);
        let mut v: Value = serde_json::from_str(&out).unwrap();
        v["seconds"] = Value::Null;
        v
    };
    assert_eq!(json(0), json(1));
}

/// One thread or several: the same NDJSON lines and the same report (the tallies of files
/// decided on different threads merge in file order).
#[test]
fn one_thread_and_several_give_the_same_output() {
    let month = corpus("cloudtrail/demo-month");
    let after = corpus("worlds/demo-after");
    let run = |threads: &str, format: &str| {
        let (code, out, err) = replay(&[
            "--cloudtrail",
            &month,
            "--world-after",
            &after,
            "--access",
            "--format",
            format,
            "--threads",
            threads,
        ]);
        assert_eq!(code, 1, "{err}");
        out
    };
    let one = run("1", "ndjson");
    assert!(one.lines().count() > 2500);
    assert_eq!(one, run("3", "ndjson"));
    let report = |threads: &str| {
        let mut v: Value = serde_json::from_str(&run(threads, "json")).unwrap();
        assert!(v["flips"].as_array().is_some_and(|f| !f.is_empty()), "{v}");
        v["seconds"] = Value::Null;
        v
    };
    assert_eq!(report("1"), report("4"));
    let (code, _, err) = replay(&["--cloudtrail", &month, "--threads", "0"]);
    assert_eq!(code, 2, "{err}");
}

/// A gzip file is read whatever its ratio (the buffer grows past eight times the compressed
/// size) and whatever its members (concatenated gzip streams, as `cat a.gz b.gz` makes):
/// the same report as the plain text.
#[test]
fn gzip_of_many_members_and_a_high_ratio_reads_as_the_plain_text() {
    use std::io::Write as _;
    let lake = std::fs::read_to_string(corpus("cloudtrail/records/lake-export.ndjson")).unwrap();
    let text = lake.repeat(400);
    let dir = std::env::temp_dir().join(format!("polcheck-replay-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("lake.ndjson"), &text).unwrap();
    let zipped = dir.join("zipped");
    std::fs::create_dir_all(&zipped).unwrap();
    let mut gz = Vec::new();
    let half = text.len() / 2;
    for part in [&text.as_bytes()[..half], &text.as_bytes()[half..]] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(part).unwrap();
        gz.extend(e.finish().unwrap());
    }
    assert!(
        gz.len() * 8 < text.len(),
        "the ratio exceeds the first buffer"
    );
    std::fs::write(zipped.join("lake.ndjson.gz"), &gz).unwrap();
    let report = |d: &std::path::Path| {
        let (code, out, err) = replay(&["--cloudtrail", d.to_str().unwrap(), "--format", "json"]);
        assert!(code == 0 || code == 1, "{err}");
        let mut v: Value = serde_json::from_str(&out).unwrap();
        v.as_object_mut().unwrap().remove("seconds");
        v
    };
    let (a, b) = (report(&plain), report(&zipped));
    assert_eq!(a, b);
    assert!(a["events"].as_u64().unwrap() > 400);
    std::fs::remove_dir_all(&dir).unwrap();
}
