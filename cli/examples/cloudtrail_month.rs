//! Generates a month of CloudTrail for the demo world (account 111122223333), deterministic
//! for a seed, and measures replay throughput on it.
//!
//! ```text
//! # the committed sample: one gzip log file per day in the S3 layout
//! cargo run -p polcheck --example cloudtrail_month -- --out corpus/cloudtrail/demo-month --events 3000
//! # throughput: generate on the fly (not timed), then parse, map and decide (timed), one core
//! cargo run --release -p polcheck --example cloudtrail_month -- --measure --events 10000000
//! # the same through `map_record` + `Decider::check` (no `Replayer`), for comparison
//! cargo run --release -p polcheck --example cloudtrail_month -- --measure --slow --events 1000000
//! # a month on disk for `polcheck replay`, written as generated (memory stays small):
//! # 288 files a day as CloudTrail delivers them, gzip level 6
//! cargo run --release -p polcheck --example cloudtrail_month -- --out DIR --events 10000000 --files-per-day 288 --level 6
//! # a month of 10^8 events: generated in chunks of 100,000, so memory stays constant
//! cargo run --release -p polcheck --example cloudtrail_month -- --measure --events 100000000
//! ```
//!
//! The mix (by weight): developers alice and bob reading and writing build artifacts, listing
//! the bucket, describing instances and writing their logs; carol (MFA) listing users and
//! decrypting; AppRole sessions reading releases and reading and writing `app-sessions`;
//! DeployRole sessions publishing the site; anonymous reads of the public site; a federated
//! user denied on SQS; bob denied on Lambda; console sign-ins and CloudFront invalidations
//! (which polcheck does not map: sign-ins are not API calls, invalidations name no resource it
//! can read). Against `corpus/worlds/demo-after/` (developers lose `s3:PutObject` on the
//! artifacts, AppRole loses `dynamodb:PutItem`), alice's and bob's `s3:PutObject` and
//! AppRole's `dynamodb:PutItem` flip to `implicitDeny`, and nothing else does.

use std::io::Write;
use std::time::Instant;

use polcheck_core::cloudtrail::{map_record, parse, Decider, Replayer, Tally};
use polcheck_core::Engine;

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const ACCOUNT: &str = "111122223333";

fn user(name: &str, id: &str, mfa: Option<&str>) -> String {
    let session = match mfa {
        Some(created) => format!(
            r#","sessionContext":{{"attributes":{{"creationDate":"{created}","mfaAuthenticated":"true"}}}}"#
        ),
        None => String::new(),
    };
    format!(
        r#"{{"type":"IAMUser","principalId":"{id}","arn":"arn:aws:iam::{ACCOUNT}:user/{name}","accountId":"{ACCOUNT}","accessKeyId":"AKIAEXAMPLE{id}","userName":"{name}"{session}}}"#
    )
}

fn role(name: &str, id: &str, session: &str, created: &str) -> String {
    format!(
        r#"{{"type":"AssumedRole","principalId":"{id}:{session}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}","accountId":"{ACCOUNT}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{id}","arn":"arn:aws:iam::{ACCOUNT}:role/{name}","accountId":"{ACCOUNT}","userName":"{name}"}},"attributes":{{"creationDate":"{created}","mfaAuthenticated":"false"}}}}}}"#
    )
}

struct Call {
    identity: String,
    source: &'static str,
    name: &'static str,
    params: String,
    resources: String,
    error: Option<&'static str>,
    event_type: &'static str,
    region: &'static str,
}

/// One event of the mix, at second `t` of the month.
fn event(rng: &mut Rng, n: u64, t: u64) -> String {
    let day = 1 + t / 86_400;
    let (h, m, s) = ((t % 86_400) / 3600, (t % 3600) / 60, t % 60);
    let time = format!("2026-11-{day:02}T{h:02}:{m:02}:{s:02}Z");
    let created = format!("2026-11-{day:02}T{:02}:00:00Z", h);
    let build = rng.below(40);
    let s3 = |bucket: &str, key: &str| {
        format!(
            r#"{{"bucketName":"{bucket}","key":"{key}","Host":"{bucket}.s3.us-east-1.amazonaws.com"}}"#
        )
    };
    let alice = || user("alice", "AIDAEXAMPLEALICE01", None);
    let bob = || user("bob", "AIDAEXAMPLEBOB0001", None);
    let instance = format!("i-0{:016x}", rng.below(6));
    let call = |identity: String, source, name, params: String| Call {
        identity,
        source,
        name,
        params,
        resources: String::new(),
        error: None,
        event_type: "AwsApiCall",
        region: "us-east-1",
    };
    let w = rng.below(100);
    let c = match w {
        0..=11 => call(
            alice(),
            "s3.amazonaws.com",
            "GetObject",
            s3("demo-artifacts", &format!("builds/web-{build}.tgz")),
        ),
        12..=15 => call(
            alice(),
            "s3.amazonaws.com",
            "PutObject",
            s3("demo-artifacts", &format!("builds/web-{build}.tgz")),
        ),
        16..=19 => call(
            alice(),
            "s3.amazonaws.com",
            "ListObjectsV2",
            r#"{"bucketName":"demo-artifacts","list-type":"2"}"#.to_string(),
        ),
        20..=23 => call(
            alice(),
            "ec2.amazonaws.com",
            "DescribeInstances",
            r#"{"instancesSet":{},"filterSet":{}}"#.to_string(),
        ),
        24..=31 => call(
            bob(),
            "s3.amazonaws.com",
            "GetObject",
            s3("demo-artifacts", &format!("builds/etl-{build}.tgz")),
        ),
        32..=34 => call(
            bob(),
            "s3.amazonaws.com",
            "PutObject",
            s3("demo-artifacts", &format!("builds/etl-{build}.tgz")),
        ),
        35..=41 => {
            let mut c = call(
                bob(),
                "logs.amazonaws.com",
                "PutLogEvents",
                r#"{"logGroupName":"/dev/etl","logStreamName":"run"}"#.to_string(),
            );
            c.region = "eu-west-1";
            c
        }
        42 => {
            let mut c = call(
                bob(),
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                r#"{"functionName":"etl-runner"}"#.to_string(),
            );
            c.error = Some("AccessDeniedException");
            c
        }
        43..=45 => call(
            user("carol", "AIDAEXAMPLECAROL01", Some(&created)),
            "iam.amazonaws.com",
            "ListUsers",
            "{}".to_string(),
        ),
        46..=47 => {
            let mut c = call(
                user("carol", "AIDAEXAMPLECAROL01", Some(&created)),
                "kms.amazonaws.com",
                "Decrypt",
                r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}"#.to_string(),
            );
            c.resources = format!(
                r#","resources":[{{"accountId":"{ACCOUNT}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}]"#
            );
            c
        }
        48..=61 => call(
            role("AppRole", "AROAEXAMPLEAPPROLE", &instance, &created),
            "s3.amazonaws.com",
            "GetObject",
            s3("demo-artifacts", &format!("releases/app-{build}.tgz")),
        ),
        62..=71 => call(
            role("AppRole", "AROAEXAMPLEAPPROLE", &instance, &created),
            "dynamodb.amazonaws.com",
            "GetItem",
            r#"{"tableName":"app-sessions","key":{"id":{}}}"#.to_string(),
        ),
        72..=76 => call(
            role("AppRole", "AROAEXAMPLEAPPROLE", &instance, &created),
            "dynamodb.amazonaws.com",
            "PutItem",
            r#"{"tableName":"app-sessions","item":{}}"#.to_string(),
        ),
        77..=79 => call(
            role("AppRole", "AROAEXAMPLEAPPROLE", &instance, &created),
            "dynamodb.amazonaws.com",
            "Query",
            r#"{"tableName":"app-sessions"}"#.to_string(),
        ),
        80..=82 => call(
            role(
                "DeployRole",
                "AROAEXAMPLEDEPLOY1",
                &format!("ci-build-{build}"),
                &created,
            ),
            "s3.amazonaws.com",
            "PutObject",
            s3("demo-public-site", "index.html"),
        ),
        83 => call(
            role(
                "DeployRole",
                "AROAEXAMPLEDEPLOY1",
                &format!("ci-build-{build}"),
                &created,
            ),
            "s3.amazonaws.com",
            "PutObject",
            s3("demo-artifacts", &format!("releases/app-{build}.tgz")),
        ),
        84 => call(
            role(
                "DeployRole",
                "AROAEXAMPLEDEPLOY1",
                &format!("ci-build-{build}"),
                &created,
            ),
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            r#"{"distributionId":"EDFDVBD6EXAMPLE"}"#.to_string(),
        ),
        85..=95 => call(
            r#"{"type":"AWSAccount","principalId":"","accountId":"ANONYMOUS_PRINCIPAL"}"#
                .to_string(),
            "s3.amazonaws.com",
            "GetObject",
            s3(
                "demo-public-site",
                ["index.html", "app.js", "style.css"]
                    .get(build as usize % 3)
                    .copied()
                    .unwrap_or("index.html"),
            ),
        ),
        96 => {
            let mut c = call(
                format!(
                    r#"{{"type":"FederatedUser","principalId":"{ACCOUNT}:dana","arn":"arn:aws:sts::{ACCOUNT}:federated-user/dana","accountId":"{ACCOUNT}"}}"#
                ),
                "sqs.amazonaws.com",
                "SendMessage",
                format!(r#"{{"queueUrl":"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders"}}"#),
            );
            c.error = Some("AccessDenied");
            c
        }
        _ => {
            let mut c = call(
                alice(),
                "signin.amazonaws.com",
                "ConsoleLogin",
                "null".to_string(),
            );
            c.event_type = "AwsConsoleSignIn";
            c
        }
    };
    let error = c
        .error
        .map(|e| format!(r#","errorCode":"{e}","errorMessage":"not authorized""#))
        .unwrap_or_default();
    let tls = if c.source == "s3.amazonaws.com" {
        r#","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256"},"additionalEventData":{"SignatureVersion":"SigV4","AuthenticationMethod":"AuthHeader"}"#
    } else {
        ""
    };
    let ip = format!("198.51.100.{}", 1 + rng.below(200));
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{},"eventTime":"{time}","eventSource":"{}","eventName":"{}","awsRegion":"{}","sourceIPAddress":"{ip}","userAgent":"aws-cli/2.17.0 Python/3.12.4","requestParameters":{},"responseElements":null,"requestID":"REQ{n:012}","eventID":"00000000-0000-4000-8000-{n:012}","readOnly":false,"eventType":"{}","managementEvent":false,"recipientAccountId":"{ACCOUNT}"{error}{tls}{}}}"#,
        c.identity, c.source, c.name, c.region, c.params, c.event_type, c.resources
    )
}

fn arg(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let events: u64 = arg(&args, "--events").map_or(Ok(3000), |s| s.parse())?;
    let seed: u64 = arg(&args, "--seed").map_or(Ok(2026), |s| s.parse())?;
    let mut rng = Rng(seed | 1);
    let month = 30 * 86_400;
    if args.iter().any(|a| a == "--measure") {
        let slow = args.iter().any(|a| a == "--slow");
        return measure(&mut rng, events, month, slow);
    }
    let out = arg(&args, "--out").ok_or("--out DIR or --measure")?;
    // Files per day (CloudTrail delivers one about every five minutes per region: 288);
    // each is written as it is generated, so memory stays small whatever the month's size.
    let files_per_day: u64 = arg(&args, "--files-per-day").map_or(Ok(1), |s| s.parse())?;
    let level: u32 = arg(&args, "--level").map_or(Ok(9), |s| s.parse())?;
    let per_day = events.div_ceil(30);
    let per_file = per_day.div_ceil(files_per_day.max(1));
    let mut n = 0;
    for day in 0..30u64 {
        let dir = format!(
            "{out}/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/{:02}",
            day + 1
        );
        std::fs::create_dir_all(&dir)?;
        let today = per_day.min(events - n);
        let mut i = 0;
        for f in 0..files_per_day.max(1) {
            let name = if files_per_day <= 1 {
                format!(
                    "{dir}/{ACCOUNT}_CloudTrail_us-east-1_202611{:02}T2355Z_demo{:02}.json.gz",
                    day + 1,
                    day + 1
                )
            } else {
                let minute = f * 1440 / files_per_day;
                format!(
                    "{dir}/{ACCOUNT}_CloudTrail_us-east-1_202611{:02}T{:02}{:02}Z_demo{f:04}.json.gz",
                    day + 1,
                    minute / 60,
                    minute % 60
                )
            };
            let file = std::io::BufWriter::new(std::fs::File::create(&name)?);
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::new(level));
            gz.write_all(b"{\"Records\":[")?;
            let mut first = true;
            while i < today && (i < per_file * (f + 1) || files_per_day <= 1) {
                let t = day * 86_400 + (i * 86_400) / per_day;
                if !first {
                    gz.write_all(b",")?;
                }
                first = false;
                gz.write_all(event(&mut rng, n, t).as_bytes())?;
                n += 1;
                i += 1;
            }
            gz.write_all(b"]}")?;
            gz.finish()?.flush()?;
        }
    }
    eprintln!("wrote {n} events under {out}");
    Ok(())
}

/// Generates `events` in chunks (not timed) and times parsing, then mapping, deciding and
/// counting each chunk on one core: through one [`Replayer`], or with `slow` through
/// `map_record` then `Decider::check` and `Tally::add` (mapping timed apart).
fn measure(
    rng: &mut Rng,
    events: u64,
    month: u64,
    slow: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let world = include_str!("../demo/iam.json");
    let engine = Engine::builder().world_file("iam.json", world).build()?;
    let chunk = 100_000u64;
    let (mut parse_s, mut map_s, mut decide_s, mut bytes) = (0f64, 0f64, 0f64, 0usize);
    let mut tally = Tally::default();
    let mut decider = Decider::new(&engine);
    let mut replayer = Replayer::new(&engine, None);
    let mut n = 0;
    let mut text = String::new();
    while n < events {
        let k = chunk.min(events - n);
        text.clear();
        text.push_str("{\"Records\":[");
        for i in 0..k {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&event(rng, n + i, ((n + i) * month) / events.max(1)));
        }
        text.push_str("]}");
        bytes += text.len();
        let t0 = Instant::now();
        let records = parse(&text)?;
        let t1 = Instant::now();
        if slow {
            let mapped: Vec<_> = records.iter().map(map_record).collect();
            let t2 = Instant::now();
            for m in &mapped {
                match m {
                    Ok(ev) => {
                        let b = decider.check(&ev.request);
                        tally.add(ev, b, None);
                    }
                    Err(why) => tally.unmapped(why),
                }
            }
            let t3 = Instant::now();
            map_s += (t2 - t1).as_secs_f64();
            decide_s += (t3 - t2).as_secs_f64();
        } else {
            for r in &records {
                replayer.replay(r, &mut tally);
            }
            decide_s += t1.elapsed().as_secs_f64();
        }
        parse_s += (t1 - t0).as_secs_f64();
        n += k;
    }
    let s = tally.summary();
    println!(
        "{n} events ({:.0} MB of JSON), {} mapped, match rate {:.4}",
        bytes as f64 / 1e6,
        s.mapped,
        s.agreement.match_rate.unwrap_or(0.0)
    );
    println!(
        "parse:  {:>12.0} events/s ({:.0} MB/s)",
        n as f64 / parse_s,
        bytes as f64 / 1e6 / parse_s
    );
    if slow {
        println!("map:    {:>12.0} events/s", n as f64 / map_s);
        println!(
            "decide: {:>12.0} events/s (cloudtrail::Decider + tally, one core)",
            s.mapped as f64 / decide_s
        );
    } else {
        println!(
            "map + decide + tally: {:>12.0} events/s (cloudtrail::Replayer, one core)",
            n as f64 / decide_s
        );
    }
    Ok(())
}
