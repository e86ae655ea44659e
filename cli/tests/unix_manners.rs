//! Unix manners through the real binary: a standard output closed before the command writes
//! (`polcheck eval ... | head -1`) ends every command quietly with status 141 (128 + SIGPIPE,
//! what a shell reports for a process a closed pipe ended), never with a panic; and a batch
//! line whose evaluation fails loses no other line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the binary with its standard output a pipe whose reading end is already closed.
fn closed_stdout(args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .current_dir(workspace())
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut input) = child.stdin.take() {
        // The command may end before it reads everything: a failed write is fine here.
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("the binary ends");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_ends_quietly_on_a_closed_pipe() {
    let policy = "corpus/policies/developer.json";
    // A policy with a finding, so that `validate` has something to print.
    let odd = std::env::temp_dir().join(format!("polcheck-pipe-{}.json", std::process::id()));
    std::fs::write(&odd, r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}}"#).expect("written");
    let odd = odd.display().to_string();
    let suite = "../shared/conformance/iam/basics.json";
    let request = r#"{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"}"#;
    let cases: &[&[&str]] = &[
        &["eval", "--policy", policy, "--action", "s3:GetObject"],
        &[
            "eval",
            "--policy",
            policy,
            "--action",
            "s3:GetObject",
            "--format",
            "json",
        ],
        &[
            "eval",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::demo-artifacts/x",
        ],
        &["eval", "--policy", policy, "--requests", "-"],
        &[
            "eval",
            "--policy",
            policy,
            "--requests",
            "-",
            "--outcome-only",
        ],
        &[
            "eval",
            "--from",
            "internet",
            "--to",
            "i-0web01a2b3c4d5e6f",
            "--port",
            "443",
        ],
        &["test", suite],
        &["exposure"],
        &["validate", &odd],
        &["actions", "s3:Get*"],
        &["catalogue"],
    ];
    let lines = format!("{request}\n").repeat(100);
    for args in cases {
        let (code, err) = closed_stdout(args, &lines);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(code, Some(141), "{args:?}: {err}");
    }
}

#[cfg(debug_assertions)]
#[test]
fn a_failing_batch_line_is_reported_and_no_other_line_is_lost() {
    let request = r#"{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"}"#;
    let input = format!("{request}\n").repeat(50);
    let mut child = Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args([
            "eval",
            "--policy",
            "corpus/policies/developer.json",
            "--requests",
            "-",
            "--outcome-only",
        ])
        .current_dir(workspace())
        .env("POLCHECK_FAIL_AT_LINE", "17")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("the binary ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(out.status.code(), Some(70), "{stdout}");
    assert_eq!(lines.len(), 50, "{stdout}");
    for (i, line) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(v["Line"], i + 1, "{line}");
        assert_eq!(v.get("Error").is_some(), i + 1 == 17, "{line}");
    }
}
