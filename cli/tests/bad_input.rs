//! Hostile and broken input through every command of the real binary: each case checks the
//! exit code, that the message names the file, the JSON path and the line:column where they
//! exist, and that nothing panics (no `panicked`, no backtrace on standard error).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

/// A fresh directory under the system temp dir, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("polcheck-bad-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> &Dir {
        std::fs::write(self.0.join(name), bytes).unwrap();
        self
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: i32,
    out: String,
    err: String,
    took: Duration,
}

/// Runs the binary in `dir` (so file names print as given).
fn polcheck(dir: &Dir, args: &[&str]) -> Run {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: start.elapsed(),
    };
    assert!(
        !run.err.contains("panicked") && !run.err.contains("stack backtrace"),
        "{args:?} panicked:\n{}",
        run.err
    );
    run
}

/// Asserts the exit code and that standard error holds every fragment.
fn expect(run: &Run, code: i32, fragments: &[&str]) {
    assert_eq!(run.code, code, "stdout:\n{}\nstderr:\n{}", run.out, run.err);
    for f in fragments {
        assert!(
            run.err.contains(f),
            "`{f}` missing from stderr:\n{}",
            run.err
        );
    }
}

fn eval_policy(dir: &Dir, file: &str) -> Run {
    polcheck(
        dir,
        &[
            "eval",
            "--policy",
            file,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
            "--principal",
            ALICE,
        ],
    )
}

fn eval_world(dir: &Dir, world: &str) -> Run {
    polcheck(
        dir,
        &[
            "eval",
            "--world",
            world,
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::b/k",
        ],
    )
}

const POLICY_MALFORMED: &str =
    "{\"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\" \"Action\": \"s3:*\"}]}";
const POLICY_WRONG_TYPE: &str =
    "{\"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": 5, \"Resource\": \"*\"}]}";
const POLICY_BAD_DATE: &str = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n\"Condition\": {\"DateGreaterThan\": {\"aws:CurrentTime\": \"2024-13-45\"}}}}";

/// `{"Version": ... "s3:<0xff>*" ...}`: invalid UTF-8 on line 2, column 50.
fn invalid_utf8() -> Vec<u8> {
    let mut b = b"{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:".to_vec();
    b.push(0xff);
    b.extend_from_slice(b"*\", \"Resource\": \"*\"}]}");
    b
}

/// Every broken file, with the fragments its message must hold whatever reads it.
fn broken_files(dir: &Dir) -> Vec<(&'static str, Vec<&'static str>)> {
    dir.file("malformed.json", POLICY_MALFORMED)
        .file("utf8.json", invalid_utf8())
        .file("empty.json", "")
        .file("deep.json", "[".repeat(100_000));
    std::fs::create_dir_all(dir.path().join("adir")).unwrap();
    vec![
        (
            "malformed.json",
            vec!["malformed.json:3:21", "invalid JSON: expected comma"],
        ),
        ("utf8.json", vec!["utf8.json:2:50:", "invalid UTF-8"]),
        ("empty.json", vec!["empty.json:1:1", "empty input"]),
        (
            "deep.json",
            vec!["deep.json:1:129", "nesting deeper than 128 levels"],
        ),
    ]
}

/// A 100 MB file, sparse: refused from its size without being read.
fn huge(dir: &Dir) -> &'static str {
    let f = std::fs::File::create(dir.path().join("huge.json")).unwrap();
    f.set_len(100 * 1000 * 1000).unwrap();
    "huge.json"
}

const HUGE_MESSAGE: &str =
    "huge.json: file is 100000000 bytes, larger than the limit of 67108864 bytes";

// ---- eval with policies ----------------------------------------------------------------------

#[test]
fn eval_refuses_broken_policy_files() {
    let dir = Dir::new("eval-files");
    for (file, fragments) in broken_files(&dir) {
        let run = eval_policy(&dir, file);
        expect(&run, 2, &fragments);
        assert!(run.err.starts_with("error: "), "{}", run.err);
    }
    expect(
        &eval_policy(&dir, "malformed.json"),
        2,
        &["malformed.json:3:21: $: invalid JSON"],
    );
    expect(
        &eval_policy(&dir, "adir"),
        2,
        &["adir: is a directory, expected a file"],
    );
    expect(
        &eval_policy(&dir, "missing.json"),
        2,
        &["missing.json: cannot read: no such file"],
    );
}

#[test]
fn eval_refuses_a_huge_policy_quickly() {
    let dir = Dir::new("eval-huge");
    let run = eval_policy(&dir, huge(&dir));
    expect(&run, 2, &[HUGE_MESSAGE]);
    assert!(run.took < Duration::from_secs(5), "{:?}", run.took);
}

/// A device reports a length of 0: the read itself must stop at the limit.
#[cfg(unix)]
#[test]
fn eval_refuses_an_endless_device() {
    let dir = Dir::new("eval-device");
    let run = eval_policy(&dir, "/dev/zero");
    expect(
        &run,
        2,
        &["/dev/zero: larger than the limit of 67108864 bytes"],
    );
}

#[test]
fn eval_names_the_path_of_a_wrong_type_in_a_policy() {
    let dir = Dir::new("eval-type");
    dir.file("p.json", POLICY_WRONG_TYPE);
    expect(
        &eval_policy(&dir, "p.json"),
        2,
        &["error: p.json:3:33: Statement[0].Action: expected a string or an array of strings, found a number"],
    );
}

#[test]
fn eval_refuses_an_invalid_date_in_a_condition() {
    let dir = Dir::new("eval-date");
    dir.file("p.json", POLICY_BAD_DATE);
    expect(
        &eval_policy(&dir, "p.json"),
        2,
        &["p.json:2:54: Statement.Condition.DateGreaterThan.aws:CurrentTime: `2024-13-45` is not a valid date"],
    );
}

#[test]
fn eval_refuses_an_invalid_principal_arn() {
    let dir = Dir::new("eval-principal");
    dir.file(
        "p.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    for bad in [
        "arn:aws:iam:user",
        "arn:aws:iam::111122223333:policy/p",
        "not an arn",
    ] {
        let run = polcheck(
            &dir,
            &[
                "eval",
                "--policy",
                "p.json",
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--principal",
                bad,
            ],
        );
        expect(&run, 2, &["--principal", bad, "is not a caller"]);
    }
}

#[test]
fn eval_refuses_a_policy_on_standard_input_that_is_not_one() {
    let dir = Dir::new("eval-stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args([
            "eval",
            "--policy",
            "-",
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"{\"Statement\": [}").unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: -:1:16"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_pathological_pattern_against_a_long_arn_finishes_fast() {
    let dir = Dir::new("eval-redos");
    dir.file(
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*a*a*a*a*a*a*a*a*b"},
          {"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
           "Condition":{"StringLike":{"aws:userid":"*a*a*a*a*a*a*a*a*b"}}}]}"#,
    );
    // An object ARN (`s3:GetObject` takes objects, not buckets).
    let arn = format!("arn:aws:s3:::{}/k", "a".repeat(10_000));
    let ctx = format!("aws:userid={}", "a".repeat(10_000));
    let run = polcheck(
        &dir,
        &[
            "eval",
            "--policy",
            "p.json",
            "--action",
            "s3:GetObject",
            "--resource",
            &arn,
            "--principal",
            ALICE,
            "--context",
            &ctx,
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    assert!(run.out.contains("IMPLICIT DENY"), "{}", run.out);
    assert!(run.took < Duration::from_secs(5), "{:?}", run.took);
    // The same against `actions`: no action matches, quickly.
    let run = polcheck(&dir, &["actions", "s3:*a*a*a*a*a*a*a*a*b"]);
    expect(&run, 1, &["`s3:*a*a*a*a*a*a*a*a*b` matches no action"]);
    assert!(run.took < Duration::from_secs(5), "{:?}", run.took);
}

// ---- worlds: eval --world and exposure --------------------------------------------------------

const WORLD_BAD_CIDR: &str =
    "{\"Vpcs\": [{\"VpcId\": \"vpc-1\", \"CidrBlock\": \"10.0.0.0/33\"}],\n \"Subnets\": []}";
const WORLD_WRONG_TYPE: &str =
    "{\"AccountId\": \"111122223333\",\n \"UserDetailList\": {\"UserName\": \"alice\"}}";
const WORLD_UNKNOWN_KEY: &str = "{\"AccountId\": \"111122223333\",\n  \"Vpcz\": []}";

#[test]
fn worlds_refuse_broken_files_in_eval_and_exposure() {
    let dir = Dir::new("world-files");
    for (file, fragments) in broken_files(&dir) {
        expect(&eval_world(&dir, file), 2, &fragments);
        expect(
            &polcheck(&dir, &["exposure", "--world", file]),
            2,
            &fragments,
        );
    }
    let huge = huge(&dir);
    expect(&eval_world(&dir, huge), 2, &[HUGE_MESSAGE]);
    expect(
        &polcheck(&dir, &["exposure", "--world", huge]),
        2,
        &[HUGE_MESSAGE],
    );
    // A directory stands for its `*.json` files: an empty one is an error.
    expect(
        &eval_world(&dir, "adir"),
        2,
        &["adir: directory holds no .json file"],
    );
}

#[test]
fn worlds_name_the_path_of_an_invalid_cidr_and_a_wrong_type() {
    let dir = Dir::new("world-values");
    dir.file("cidr.json", WORLD_BAD_CIDR)
        .file("type.json", WORLD_WRONG_TYPE);
    let cidr = "error: cidr.json:1:43: Vpcs[0].CidrBlock: invalid IPv4 cidr block `10.0.0.0/33`";
    expect(&eval_world(&dir, "cidr.json"), 2, &[cidr]);
    expect(
        &polcheck(&dir, &["exposure", "--world", "cidr.json"]),
        2,
        &[cidr],
    );
    let ty = "error: type.json:2:20: UserDetailList: expected an array, found an object";
    expect(&eval_world(&dir, "type.json"), 2, &[ty]);
    expect(
        &polcheck(&dir, &["exposure", "--world", "type.json"]),
        2,
        &[ty],
    );
}

#[test]
fn an_unknown_top_level_key_in_a_world_is_a_warning() {
    let dir = Dir::new("world-unknown");
    dir.file("w.json", WORLD_UNKNOWN_KEY);
    let warning = "warning: w.json:2:3: Vpcz: unknown key `Vpcz` ignored";
    // The world then holds no network data: exposure says so and exits 3 (unknown, #15).
    let run = polcheck(&dir, &["exposure", "--world", "w.json"]);
    expect(&run, 3, &[warning, "the world holds no network data"]);
    let run = polcheck(
        &dir,
        &[
            "eval",
            "--world",
            "w.json",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::b/k",
        ],
    );
    assert!(run.err.contains(warning), "{}", run.err);
    assert_ne!(run.code, 2, "{}", run.err);
}

#[test]
fn flows_refuse_invalid_ports_protocols_and_unknown_instances() {
    let dir = Dir::new("flows");
    let flow = |extra: &[&str]| {
        let mut args = vec!["eval", "--from", "internet", "--to", "i-0bastion"];
        args.extend_from_slice(extra);
        polcheck(&dir, &args)
    };
    expect(
        &flow(&["--protocol", "tcp", "--port", "70000"]),
        2,
        &["invalid value '70000' for '--port <PORT>'"],
    );
    expect(
        &flow(&["--protocol", "tcp", "--port", "ssh"]),
        2,
        &["'--port <PORT>'"],
    );
    expect(
        &flow(&["--protocol", "tcpx", "--port", "22"]),
        2,
        &["invalid flow: protocol `tcpx` is not `tcp`, `udp`, `icmp`, `icmpv6` or a number from 0 to 255"],
    );
    expect(
        &flow(&["--protocol", "300", "--port", "22"]),
        2,
        &["protocol `300`"],
    );
    expect(
        &flow(&["--protocol", "icmp", "--port", "22"]),
        2,
        &["only tcp and udp flows take `port`"],
    );
    let run = polcheck(
        &dir,
        &[
            "eval",
            "--from",
            "internet",
            "--to",
            "i-doesnotexist",
            "--protocol",
            "tcp",
            "--port",
            "22",
        ],
    );
    expect(
        &run,
        2,
        &["unknown endpoint `i-doesnotexist`: no instance or network interface of the world has this id"],
    );
    let run = polcheck(
        &dir,
        &[
            "eval",
            "--from",
            "nowhere",
            "--to",
            "i-0bastion",
            "--protocol",
            "tcp",
            "--port",
            "22",
        ],
    );
    expect(&run, 2, &["endpoint `nowhere` is not `internet`"]);
}

// ---- test suites -----------------------------------------------------------------------------

/// `test` exits 1 on a suite it cannot read, like a failed test (README).
#[test]
fn test_reports_broken_suite_files() {
    let dir = Dir::new("suite-files");
    for (file, fragments) in broken_files(&dir) {
        let run = polcheck(&dir, &["test", file]);
        expect(&run, 1, &fragments);
        assert!(run.out.contains("0 passed, 1 failed"), "{}", run.out);
    }
    expect(
        &polcheck(&dir, &["test", "adir"]),
        1,
        &["adir: is a directory, expected a file"],
    );
    let run = polcheck(&dir, &["test", huge(&dir)]);
    expect(&run, 1, &[HUGE_MESSAGE]);
    assert!(run.took < Duration::from_secs(5), "{:?}", run.took);
}

#[test]
fn test_refuses_wrong_types_and_unknown_keys_in_a_suite() {
    let dir = Dir::new("suite-values");
    dir.file("unknown.json", "{\"policies\": {},\n \"tests\": [], \"bogus\": 1}")
        .file("type.json", "{\"tests\": \"x\"}")
        .file(
            "policy.json",
            r#"{"policies": {"identity": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": 7}}]}, "tests": []}"#,
        );
    expect(
        &polcheck(&dir, &["test", "unknown.json"]),
        1,
        &["unknown.json:2:15: bogus: unknown key `bogus` (expected one of"],
    );
    expect(
        &polcheck(&dir, &["test", "type.json"]),
        1,
        &["type.json:1:11: tests: expected an array, found a string"],
    );
    expect(
        &polcheck(&dir, &["test", "policy.json"]),
        1,
        &["policy.json:1:114: policies.identity[0].Statement.Resource: expected a string or an array of strings, found a number"],
    );
}

// ---- validate --------------------------------------------------------------------------------

#[test]
fn validate_reports_broken_files_with_positions() {
    let dir = Dir::new("validate-files");
    for (file, fragments) in broken_files(&dir) {
        let run = polcheck(&dir, &["validate", file]);
        expect(&run, 2, &[fragments[0]]);
        assert!(run.err.contains("error:"), "{}", run.err);
    }
    dir.file("type.json", POLICY_WRONG_TYPE)
        .file("date.json", POLICY_BAD_DATE);
    expect(
        &polcheck(&dir, &["validate", "type.json"]),
        2,
        &["type.json:3:33: error: expected a string or an array of strings, found a number (at Statement[0].Action)"],
    );
    expect(
        &polcheck(&dir, &["validate", "date.json"]),
        2,
        &["date.json:2:54: error: `2024-13-45` is not a valid date value for `DateGreaterThan`"],
    );
    expect(
        &polcheck(&dir, &["validate", "adir"]),
        2,
        &["adir: error: is a directory, expected a file"],
    );
    let run = polcheck(&dir, &["validate", huge(&dir)]);
    expect(
        &run,
        2,
        &["huge.json: error: file is 100000000 bytes, larger than the limit"],
    );
    assert!(run.took < Duration::from_secs(5), "{:?}", run.took);
    // A broken world given to validate is reported like a broken policy file.
    expect(
        &polcheck(
            &dir,
            &["validate", "type.json", "--world", "malformed.json"],
        ),
        2,
        &["malformed.json:3:21: error: invalid JSON: expected comma"],
    );
}

// ---- actions ---------------------------------------------------------------------------------

#[test]
fn actions_refuses_malformed_patterns() {
    let dir = Dir::new("actions");
    for bad in ["notapattern", "*a*a*a*a*a*a*a*a*b", ""] {
        let run = polcheck(&dir, &["actions", bad]);
        expect(&run, 2, &["error: malformed action pattern"]);
    }
    expect(
        &polcheck(&dir, &["actions", "s3:Nope*"]),
        1,
        &["`s3:Nope*` matches no action"],
    );
}

#[test]
fn test_names_the_flow_of_a_test_with_an_invalid_port_protocol_or_instance() {
    let dir = Dir::new("suite-flows");
    dir.file(
        "flows.json",
        r#"{"world": {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]},
 "tests": [
  {"name": "bad port", "flow": {"from": "internet", "to": "i-1", "protocol": "tcp", "port": 70000}, "expect": "allowed"},
  {"name": "bad proto", "flow": {"from": "internet", "to": "i-1", "protocol": "tcpx", "port": 22}, "expect": "allowed"},
  {"name": "unknown instance", "flow": {"from": "internet", "to": "i-404", "protocol": "tcp", "port": 22}, "expect": "denied"}
 ]}"#,
    );
    let run = polcheck(&dir, &["test", "flows.json"]);
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    let all = format!("{}{}", run.out, run.err);
    for line in [
        "flows.json:3:3: bad port: expected allowed, got an error: tests[0].flow: invalid flow: `port` must be an integer from 0 to 65535",
        "flows.json:4:3: bad proto: expected allowed, got an error: tests[1].flow: invalid flow: protocol `tcpx`",
        "flows.json:5:3: unknown instance: expected denied, got an error: unknown endpoint `i-404`",
        "0 passed, 3 failed",
    ] {
        assert!(all.contains(line), "`{line}` missing from:\n{all}");
    }
}

#[test]
fn eval_requests_reports_each_broken_line_and_goes_on() {
    let dir = Dir::new("batch");
    dir.file(
        "p.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    )
    .file(
        "r.ndjson",
        "{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}\n{\"principal\": 5}\nnot json\n",
    );
    let run = polcheck(
        &dir,
        &["eval", "--policy", "p.json", "--requests", "r.ndjson"],
    );
    assert_eq!(run.code, 2, "{}{}", run.out, run.err);
    let lines: Vec<serde_json::Value> = run
        .out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{}", run.out);
    assert_eq!(lines[0]["EvalDecision"], "allowed");
    assert_eq!(lines[1]["Line"], 2);
    assert!(lines[1]["Error"]
        .as_str()
        .unwrap()
        .contains("missing `action`"));
    assert_eq!(lines[2]["Line"], 3);
    assert!(lines[2]["Error"].as_str().unwrap().contains("invalid JSON"));
}
