//! CloudTrail records in the shapes AWS documents (CloudTrail User Guide: "CloudTrail record
//! contents", "CloudTrail userIdentity element", "CloudTrail log file examples"; EventBridge
//! User Guide: "AWS API Call via CloudTrail" events) mapped to requests and replayed against
//! the demo world.

#![expect(
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use polcheck_core::cloudtrail::{map_record, parse, replay_event, Tally};
use polcheck_core::Engine;

const IDENTITY_TYPES: &str = include_str!("../../corpus/cloudtrail/records/identity-types.json");
const EVENTBRIDGE: &str = include_str!("../../corpus/cloudtrail/records/eventbridge.ndjson");
const LAKE: &str = include_str!("../../corpus/cloudtrail/records/lake-export.ndjson");
const DEMO: &str = include_str!("../../corpus/worlds/demo/iam.json");

fn demo() -> Engine {
    Engine::builder()
        .world_file("iam.json", DEMO)
        .build()
        .unwrap()
}

/// (eventID suffix, caller, action, resource) or the unmapped reason.
type Row = (String, Option<String>, String, String);

fn mapped(text: &str) -> Vec<Result<Row, String>> {
    parse(text)
        .unwrap()
        .iter()
        .map(|r| {
            map_record(r)
                .map(|e| {
                    let caller =
                        polcheck_core::cloudtrail::replay::caller_text(e.request.principal());
                    (
                        e.event_id.clone(),
                        caller,
                        e.request.action().to_string(),
                        e.request.resource().to_string(),
                    )
                })
                .map_err(|u| u.to_string())
        })
        .collect()
}

#[test]
fn every_identity_type_of_a_log_file() {
    let got = mapped(IDENTITY_TYPES);
    let ok = |id: &str, caller: Option<&str>, action: &str, resource: &str| {
        Ok((
            format!("11111111-0000-4000-8000-00000000000{id}")
                .replace("00000000000010", "000000000010"),
            caller.map(str::to_string),
            action.to_string(),
            resource.to_string(),
        ))
    };
    let want = vec![
        ok("1", Some("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "arn:aws:s3:::demo-artifacts/builds/web-1.4.2.tgz"),
        ok("2", Some("arn:aws:sts::111122223333:assumed-role/AppRole/i-0a1b2c3d4e5f60718"), "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/app-sessions"),
        ok("3", Some("arn:aws:sts::111122223333:federated-user/dana"), "sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:orders"),
        ok("4", Some("arn:aws:iam::111122223333:root"), "iam:CreateUser", "arn:aws:iam::111122223333:user/erin"),
        ok("5", Some("cloudtrail.amazonaws.com"), "s3:PutObject", "arn:aws:s3:::demo-artifacts/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/x.json.gz"),
        ok("6", None, "s3:GetObject", "arn:aws:s3:::demo-public-site/index.html"),
        Err("AWSAccount caller: only the other account is known".to_string()),
        Err("userIdentity type `IdentityCenterUser` is not an IAM principal".to_string()),
        Err("eventType `AwsConsoleSignIn` is not an API call".to_string()),
        Err("resource not named by the record".to_string()),
    ];
    assert_eq!(got, want);
}

#[test]
fn context_keys_come_from_the_record() {
    let records = parse(IDENTITY_TYPES).unwrap();
    let alice = map_record(records.first().unwrap()).unwrap();
    let get = |e: &polcheck_core::cloudtrail::MappedEvent, k: &str| {
        e.request.context().get(k).map(|v| v.values().join(","))
    };
    assert_eq!(
        get(&alice, "aws:SourceIp").as_deref(),
        Some("198.51.100.23")
    );
    assert_eq!(get(&alice, "aws:SecureTransport").as_deref(), Some("true"));
    assert_eq!(
        get(&alice, "aws:RequestedRegion").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(
        get(&alice, "aws:CurrentTime").as_deref(),
        Some("2026-11-02T09:15:04Z")
    );
    assert_eq!(
        get(&alice, "s3:signatureversion").as_deref(),
        Some("AWS4-HMAC-SHA256")
    );
    assert_eq!(get(&alice, "s3:authType").as_deref(), Some("REST-HEADER"));
    assert_eq!(get(&alice, "s3:TlsVersion").as_deref(), Some("1.3"));
    assert_eq!(
        get(&alice, "aws:userid").as_deref(),
        Some("AIDAEXAMPLEALICE01")
    );
    assert_eq!(get(&alice, "aws:MultiFactorAuthPresent"), None);
    let app = map_record(records.get(1).unwrap()).unwrap();
    assert_eq!(
        get(&app, "aws:SourceVpce").as_deref(),
        Some("vpce-0example1234567")
    );
    assert_eq!(get(&app, "aws:SourceIp").as_deref(), Some("10.0.1.25"));
    assert_eq!(
        get(&app, "aws:MultiFactorAuthPresent").as_deref(),
        Some("false")
    );
    let svc = map_record(records.get(4).unwrap()).unwrap();
    assert_eq!(
        get(&svc, "aws:SourceIp"),
        None,
        "a service name is not an address"
    );
    let root = map_record(records.get(3).unwrap()).unwrap();
    assert_eq!(get(&root, "aws:MultiFactorAuthAge").as_deref(), Some("193"));
}

#[test]
fn eventbridge_and_ndjson_exports_read_like_log_files() {
    let eb = mapped(EVENTBRIDGE);
    assert_eq!(eb.len(), 2);
    let first = eb.first().unwrap().as_ref().unwrap();
    assert_eq!(first.2, "s3:PutObject");
    assert_eq!(first.3, "arn:aws:s3:::demo-public-site/index.html");
    let kms = eb.get(1).unwrap().as_ref().unwrap();
    assert_eq!(kms.2, "kms:Decrypt");
    assert_eq!(
        kms.3,
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    let lake = mapped(LAKE);
    let actions: Vec<&str> = lake
        .iter()
        .map(|r| r.as_ref().unwrap().2.as_str())
        .collect();
    assert_eq!(actions, ["logs:PutLogEvents", "lambda:GetFunction"]);
    // An array of EventBridge events reads too.
    let array = format!("[{}]", EVENTBRIDGE.trim().replace('\n', ","));
    assert_eq!(parse(&array).unwrap().len(), 2);
}

#[test]
fn malformed_text_is_located() {
    let err = parse("{\"Records\": [{\"eventName\": 3}]}\n{oops").unwrap_err();
    assert_eq!(
        err.to_string().split(':').take(2).collect::<Vec<_>>(),
        ["2", "2"]
    );
    let shape = parse("{\"a\": 1}").unwrap_err();
    assert!(
        shape
            .to_string()
            .starts_with("1:1: expected a CloudTrail log file"),
        "{shape}"
    );
}

#[test]
fn replay_against_the_demo_world() {
    let engine = demo();
    let mut tally = Tally::default();
    for text in [IDENTITY_TYPES, EVENTBRIDGE, LAKE] {
        for r in parse(text).unwrap() {
            match map_record(&r) {
                Ok(ev) => replay_event(&mut tally, &ev, &engine, None),
                Err(why) => tally.unmapped(&why),
            }
        }
    }
    let s = tally.summary();
    assert_eq!(s.events, 14);
    assert_eq!(s.mapped, 10);
    assert_eq!(s.unmapped.values().sum::<u64>(), 4);
    // Seven succeeded and polcheck allows (alice's artifact read, AppRole's table, root,
    // the public site read by anyone, DeployRole publishing, carol's Decrypt with MFA, bob's
    // logs); dana and bob's Lambda read were denied and polcheck denies too.
    let a = &s.agreement;
    assert_eq!(
        (
            a.succeeded_allowed,
            a.succeeded_denied,
            a.denied_denied,
            a.denied_allowed
        ),
        (7, 1, 2, 0)
    );
    assert_eq!(a.match_rate, Some(0.9));
    // The one disagreement: CloudTrail writing its logs into demo-artifacts, which the demo
    // bucket policy does not grant (the world is missing the trail's bucket statement).
    let groups: Vec<(&str, &str, Option<&str>, u64)> = s
        .mismatches
        .iter()
        .map(|g| (g.principal.as_str(), g.action.as_str(), g.observed, g.count))
        .collect();
    assert_eq!(
        groups,
        [(
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            Some("succeeded"),
            1
        )]
    );
}

/// `Decider` remembers decisions by caller, action, resource, account and the context keys
/// the policies read: it must answer exactly what `Engine::check` answers, for events that
/// differ only in keys no policy reads (cache hits) and in keys one does (misses), with
/// conditions, `IfExists`, a policy variable in a resource and a deny.
#[test]
fn the_decider_answers_what_the_engine_answers() {
    use polcheck_core::cloudtrail::Decider;
    use polcheck_core::{Context, ContextValue, Request};
    let world = r#"{"AccountId": "111122223333", "UserDetailList": [
      {"UserName": "alice", "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": [],
       "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"},
         {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
         {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}}],
       "AttachedManagedPolicies": []},
      {"UserName": "bob", "UserId": "AIDABOB", "Arn": "arn:aws:iam::111122223333:user/bob", "GroupList": [],
       "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringLike": {"aws:UserAgent": "aws-cli/*"}}}]}}],
       "AttachedManagedPolicies": []}]}"#;
    let engine = Engine::builder()
        .world_file("w.json", world)
        .build()
        .unwrap();
    let mut decider = Decider::new(&engine);
    let mut asked = 0;
    let mut outcomes = std::collections::BTreeSet::new();
    for round in 0..2 {
        for who in ["alice", "bob", "carol"] {
            for action in ["s3:GetObject", "s3:PutObject"] {
                for resource in ["arn:aws:s3:::b/alice/x", "arn:aws:s3:::b/bob/x"] {
                    for ip in ["10.1.2.3", "192.0.2.1"] {
                        for mfa in [None, Some("true"), Some("false")] {
                            for agent in ["aws-cli/2.17", "boto3/1.0"] {
                                let mut ctx = Context::new();
                                ctx.insert("aws:SourceIp", ContextValue::single(ip));
                                ctx.insert("aws:UserAgent", ContextValue::single(agent));
                                ctx.insert(
                                    "aws:CurrentTime",
                                    ContextValue::single(format!(
                                        "2026-11-0{}T00:00:00Z",
                                        1 + round
                                    )),
                                );
                                if let Some(m) = mfa {
                                    ctx.insert(
                                        "aws:MultiFactorAuthPresent",
                                        ContextValue::single(m),
                                    );
                                }
                                let caller = format!("arn:aws:iam::111122223333:user/{who}");
                                let req =
                                    Request::new(Some(&caller), action, resource, ctx).unwrap();
                                let want = engine.check(&req).0;
                                assert_eq!(decider.check(&req), want, "{req:?}");
                                outcomes.insert(format!("{want:?}"));
                                asked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(asked, 2 * 3 * 2 * 2 * 2 * 3 * 2);
    assert!(
        outcomes.len() >= 3,
        "allowed, implicit and explicit denies: {outcomes:?}"
    );
}

/// `Replayer` (the hot path: remembered callers, actions, resource types by ARN shape, and
/// decisions by the values the policies read) gives every record the answer `map_record`
/// and `Engine::check` give it, and the same tally as `Tally::add` over those answers.
/// The records vary every input the mapping reads: callers (good, unreadable, unmapped
/// types), operations (renamed, versioned, unknown, not API calls), resources (`resources[]`
/// and parameters, keys with `/` and `:`, object against bucket actions), and the context
/// keys the policies read (source address, MFA, user agent, TLS), each seen several times.
#[test]
fn the_replayer_answers_what_map_record_and_the_engine_answer() {
    use polcheck_core::cloudtrail::Replayer;
    let world = r#"{"AccountId": "111122223333", "UserDetailList": [
      {"UserName": "alice", "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": [],
       "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::b/${aws:username}/*"},
         {"Effect": "Allow", "Action": ["s3:PutObject", "s3:ListBucket"], "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
         {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
         {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}}],
       "AttachedManagedPolicies": []},
      {"UserName": "bob", "UserId": "AIDABOB", "Arn": "arn:aws:iam::111122223333:user/bob", "GroupList": [],
       "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": ["s3:*", "dynamodb:GetItem"], "Resource": "*", "Condition": {"StringLike": {"aws:UserAgent": "aws-cli/*"}}}]}}],
       "AttachedManagedPolicies": []}]}"#;
    let after_world = world.replace("10.0.0.0/8", "10.1.0.0/16");
    let engine = Engine::builder()
        .world_file("w.json", world)
        .build()
        .unwrap();
    let after = Engine::builder()
        .world_file("w.json", &after_world)
        .build()
        .unwrap();
    let identities = [
        r#"{"type": "IAMUser", "principalId": "AIDAALICE", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333", "userName": "alice"}"#,
        r#"{"type": "IAMUser", "principalId": "AIDAALICE", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333", "sessionContext": {"attributes": {"mfaAuthenticated": "true", "creationDate": "2026-11-02T09:00:00Z"}}}"#,
        r#"{"type": "IAMUser", "principalId": "AIDAALICE", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333", "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": "2026-11-02T09:00:00Z"}}}"#,
        r#"{"type": "IAMUser", "principalId": "AIDABOB", "arn": "arn:aws:iam::111122223333:user/bob", "accountId": "111122223333"}"#,
        r#"{"type": "AssumedRole", "principalId": "AROAX:s", "arn": "arn:aws:sts::111122223333:assumed-role/R/s", "accountId": "111122223333"}"#,
        r#"{"type": "IAMUser", "arn": "not an arn", "accountId": "111122223333"}"#,
        r#"{"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}"#,
        r#"{"type": "IdentityCenterUser", "accountId": "111122223333"}"#,
    ];
    let operations = [
        (
            "s3.amazonaws.com",
            "GetObject",
            r#"{"bucketName": "b", "key": "alice/KEY"}"#,
        ),
        (
            "s3.amazonaws.com",
            "GetObject",
            r#"{"bucketName": "b", "key": "bob/KEY", "versionId": "v1"}"#,
        ),
        (
            "s3.amazonaws.com",
            "PutObject",
            r#"{"bucketName": "b", "key": "alice/x:KEY/y"}"#,
        ),
        (
            "s3.amazonaws.com",
            "ListObjectsV2",
            r#"{"bucketName": "b"}"#,
        ),
        (
            "s3.amazonaws.com",
            "ListObjects",
            r#"{"bucketName": "b:x/KEY"}"#,
        ),
        (
            "dynamodb.amazonaws.com",
            "GetItem",
            r#"{"tableName": "t-KEY"}"#,
        ),
        (
            "dynamodb.amazonaws.com",
            "GetItem",
            r#"{"tableName": "orders/index/KEY"}"#,
        ),
        ("dynamodb.amazonaws.com", "GetItem", "{}"),
        ("kms.amazonaws.com", "Decrypt", "{}"),
        ("sts.amazonaws.com", "GetCallerIdentity", "{}"),
        ("nosuch.amazonaws.com", "Thing", "{}"),
    ];
    let mut text = String::from("{\"Records\": [");
    let mut n = 0;
    for round in 0..3 {
        for (i, id) in identities.iter().enumerate() {
            for (j, (source, name, params)) in operations.iter().enumerate() {
                for variant in 0..4 {
                    n += 1;
                    // Keys, addresses and agents repeat across rounds but not within one.
                    let params = params.replace("KEY", &format!("k{}", (variant + j) % 3));
                    let ip = ["10.1.2.3", "192.0.2.1", "10.2.0.1", "kms.amazonaws.com"][variant];
                    let agent = ["aws-cli/2.17", "boto3/1.0"][(variant + i) % 2];
                    let tls = if variant % 2 == 0 {
                        r#","tlsDetails": {"tlsVersion": "TLSv1.3"}"#
                    } else {
                        ""
                    };
                    let resources = if *source == "kms.amazonaws.com" && variant != 3 {
                        r#","resources": [{"ARN": "arn:aws:kms:us-east-1:111122223333:key/k1", "accountId": "111122223333", "type": "AWS::KMS::Key"}]"#
                    } else {
                        ""
                    };
                    let (kind, error) = match (variant + round) % 5 {
                        0 => ("AwsConsoleSignIn", ""),
                        1 => ("AwsApiCall", r#","errorCode": "AccessDenied""#),
                        _ => ("AwsApiCall", ""),
                    };
                    if n > 1 {
                        text.push(',');
                    }
                    text.push_str(&format!(
                        r#"{{"eventTime": "2026-11-02T1{variant}:0{round}:00Z", "eventSource": "{source}", "eventName": "{name}",
                        "awsRegion": "us-east-1", "sourceIPAddress": "{ip}", "userAgent": "{agent}", "eventType": "{kind}",
                        "eventID": "e{n}", "recipientAccountId": "111122223333", "userIdentity": {id},
                        "requestParameters": {params}{tls}{resources}{error}}}"#
                    ));
                }
            }
        }
    }
    text.push_str("]}");
    let records = parse(&text).unwrap();
    assert_eq!(records.len(), 3 * identities.len() * operations.len() * 4);
    let mut replayer = Replayer::new(&engine, Some(&after));
    let (mut fast, mut slow) = (Tally::default(), Tally::default());
    let mut seen = std::collections::BTreeSet::new();
    for r in &records {
        let got = replayer.replay(r, &mut fast);
        let want = match map_record(r) {
            Ok(ev) => {
                let b = engine.check(&ev.request).0;
                let a = after.check(&ev.request).0;
                slow.add(&ev, b, Some(a));
                Some((b, Some(a)))
            }
            Err(why) => {
                slow.unmapped(&why);
                None
            }
        };
        assert_eq!(got, want, "{:?}", r.event_id);
        seen.insert(format!("{want:?}"));
    }
    // Allowed, both denies, flips and unmapped records all occur.
    assert!(seen.len() >= 5, "{seen:?}");
    let json = |t: &Tally| serde_json::to_string_pretty(&t.summary()).unwrap();
    assert_eq!(json(&fast), json(&slow));
    let usage = |t: &Tally| {
        let sorted: std::collections::BTreeMap<_, _> = t.usage.iter().collect();
        format!("{sorted:?}")
    };
    assert_eq!(usage(&fast), usage(&slow));
    assert!(!slow.flips.is_empty() && !slow.mismatches.is_empty());
}

/// A fresh, empty temporary directory for one test.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("polcheck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The walk of a log directory ends on a symbolic-link loop (each directory is read once, by
/// its canonical path) and lists each file once even when a folder is linked twice.
#[cfg(unix)]
#[test]
fn the_log_walk_ends_on_a_symlink_loop_and_lists_each_file_once() {
    use polcheck_core::cloudtrail::{log_files, WalkError};
    let dir = temp_dir("walk-loop");
    let day = dir.join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::write(day.join("a.json.gz"), b"").unwrap();
    std::fs::write(day.join("notes.txt"), b"").unwrap();
    // A loop: the day folder links back to the top, and a folder links to itself.
    std::os::unix::fs::symlink(&dir, day.join("up")).unwrap();
    std::os::unix::fs::symlink(dir.join("self"), dir.join("self")).unwrap();
    // A second way to the same day folder.
    std::os::unix::fs::symlink(&day, dir.join("zz-again")).unwrap();
    let files = log_files(&[&dir]).unwrap();
    assert_eq!(files, vec![day.join("a.json.gz")]);
    // Two links that point at each other resolve to nothing (the system says ELOOP): neither
    // a folder nor a log, they are passed over.
    let pair = temp_dir("walk-pair");
    std::os::unix::fs::symlink(pair.join("b"), pair.join("a")).unwrap();
    std::os::unix::fs::symlink(pair.join("a"), pair.join("b")).unwrap();
    std::fs::write(pair.join("t.json"), b"").unwrap();
    assert_eq!(log_files(&[&pair]).unwrap(), vec![pair.join("t.json")]);
    // A directory without logs is named.
    let empty = temp_dir("walk-empty");
    let err = log_files(&[&empty]).unwrap_err();
    assert!(
        matches!(err, WalkError::Empty { ref path, .. } if *path == empty),
        "{err}"
    );
    for d in [dir, pair, empty] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

/// Folders nested past `MAX_DEPTH` (here distinct folders, no link) are an error naming the
/// first folder past the limit, not a stack overflow; at the limit the file is found.
#[test]
fn the_log_walk_stops_past_its_depth_limit() {
    use polcheck_core::cloudtrail::files::MAX_DEPTH;
    use polcheck_core::cloudtrail::{log_files, WalkError};
    let dir = temp_dir("walk-deep");
    let mut at_limit = dir.clone();
    for i in 0..MAX_DEPTH {
        at_limit.push(format!("{i}"));
    }
    std::fs::create_dir_all(&at_limit).unwrap();
    std::fs::write(at_limit.join("t.json"), b"").unwrap();
    assert_eq!(log_files(&[&dir]).unwrap(), vec![at_limit.join("t.json")]);
    let past = at_limit.join("past");
    std::fs::create_dir_all(&past).unwrap();
    match log_files(&[&dir]) {
        Err(WalkError::TooDeep { path }) => assert_eq!(path, past),
        other => panic!("expected TooDeep, got {other:?}"),
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// In NDJSON, an object that is no record is named by its own line, blank lines and records
/// spread over several lines counted.
#[test]
fn an_ndjson_line_that_is_no_record_is_named_by_its_line() {
    use polcheck_core::cloudtrail::RecordError;
    let text =
        "{\"eventName\": \"GetObject\"}\n\n{\"eventName\":\n \"PutObject\"}\n  {\"other\": 1}\n";
    assert_eq!(parse(text).unwrap_err(), RecordError::Shape { line: 5 });
    let text = "{\"other\": 1}\n{\"eventName\": \"GetObject\"}\n";
    assert_eq!(parse(text).unwrap_err(), RecordError::Shape { line: 1 });
    let ok = "{\"eventName\": \"A\"}\n{\"eventName\": \"B\"}\n{\"eventName\": \"C\"}\n";
    assert_eq!(parse(ok).unwrap().len(), 3);
}
