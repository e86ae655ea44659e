//! `polcheck diff`, `polcheck check` and diff suites through `polcheck test`, run as the real
//! binary: exit codes, the JSON shape, and every printed witness decided again by
//! `polcheck eval` (allowed under NEW, denied under OLD).

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

fn polcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .current_dir(dir())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// `polcheck eval` of a witness against one identity policy file: its exit code.
fn eval(policy: &str, w: &Value) -> i32 {
    let mut args: Vec<String> = vec!["eval".into(), "--policy".into(), policy.into()];
    for (flag, key) in [
        ("--principal", "principal"),
        ("--action", "action"),
        ("--resource", "resource"),
        ("--resource-account", "resourceAccount"),
    ] {
        if let Some(v) = w.get(key).and_then(Value::as_str) {
            args.push(flag.into());
            args.push(v.into());
        }
    }
    if let Some(ctx) = w.get("context").and_then(Value::as_object) {
        for (k, v) in ctx {
            args.push("--context".into());
            args.push(format!("{k}={}", v.as_str().unwrap_or_default()));
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    code(&polcheck(&refs))
}

#[test]
fn fail_lists_new_access_with_witnesses_the_evaluator_confirms() {
    let o = polcheck(&["diff", "old.json", "new.json", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"], "FAIL");
    let regions = v["newAccess"].as_array().unwrap();
    assert!(!regions.is_empty());
    for r in regions {
        for k in [
            "actions",
            "resources",
            "conditions",
            "statements",
            "witness",
        ] {
            assert!(r.get(k).is_some(), "missing {k}");
        }
        assert_eq!(
            eval("new.json", &r["witness"]),
            0,
            "NEW allows {}",
            r["witness"]
        );
        assert_eq!(
            eval("old.json", &r["witness"]),
            1,
            "OLD denies {}",
            r["witness"]
        );
    }
    // New: PutObject anywhere, and GetObject without the address condition.
    let text = v.to_string();
    assert!(text.contains("s3:PutObject"));
    assert!(text.contains("does not hold"));
}

#[test]
fn pass_removed_text_and_bad_input() {
    let o = polcheck(&["diff", "new.json", "old.json"]);
    assert_eq!(code(&o), 0, "OLD allows nothing NEW does not");
    let o = polcheck(&["diff", "new.json", "new.json"]);
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("PASS"));
    let o = polcheck(&[
        "diff",
        "--removed",
        "old.json",
        "new.json",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "NEW keeps everything OLD had");
    assert_eq!(
        code(&polcheck(&["diff", "--removed", "new.json", "old.json"])),
        1
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"], "PASS");
    assert!(v["removedAccess"].as_array().unwrap().is_empty());
    let o = polcheck(&["diff", "old.json", "broken.json"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("broken.json:1:"));
    let o = polcheck(&["diff", "old.json", "missing.json"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn unknown_names_the_construct() {
    let o = polcheck(&["diff", "old.json", "variable.json", "--format", "json"]);
    assert_eq!(code(&o), 3);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"], "UNKNOWN");
    assert!(v["unknown"].as_str().unwrap().contains("${aws:username}"));
}

#[test]
fn check_not_granted_and_public_access() {
    assert_eq!(
        code(&polcheck(&[
            "check",
            "new.json",
            "--not-granted",
            "s3:PutObject"
        ])),
        1
    );
    assert_eq!(
        code(&polcheck(&[
            "check",
            "old.json",
            "--not-granted",
            "s3:PutObject"
        ])),
        0
    );
    assert_eq!(
        code(&polcheck(&[
            "check",
            "new.json",
            "--not-granted",
            "s3:PutObject",
            "--resources",
            "arn:aws:s3:::other/*"
        ])),
        0
    );
    let o = polcheck(&[
        "check",
        "public.json",
        "--no-public-access",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let w = &v["publicAccess"][0]["witness"];
    assert!(
        w.get("principal").is_none() || w["principal"].as_str().unwrap().contains("9000"),
        "{w}"
    );
    assert_eq!(
        code(&polcheck(&[
            "check",
            "old.json",
            "--no-public-access",
            "--kind",
            "identity"
        ])),
        2
    );
}

#[test]
fn diff_suites_run_under_polcheck_test() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for s in [
        "corpus/suites/diff-basics.json",
        "corpus/suites/diff-aws-access-analyzer.json",
    ] {
        let o = polcheck(&["test", root.join(s).to_str().unwrap()]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(code(&o), 0, "{out}");
        assert!(out.contains(" passed, 0 failed"));
    }
}

#[test]
fn findings_on_the_demo_world() {
    let o = polcheck(&["findings", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    let public = f
        .iter()
        .find(|x| x["resource"] == "arn:aws:s3:::demo-public-site")
        .expect("the public bucket");
    // Anonymous access: the witness has no principal.
    assert!(public["access"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["witness"].get("principal").is_none()));
    assert!(f
        .iter()
        .all(|x| !x["access"].as_array().unwrap().is_empty()));
    // A world compared with itself gains nothing.
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/worlds/demo");
    let d = demo.to_str().unwrap();
    assert_eq!(
        code(&polcheck(&["findings", "--world", d, "--baseline", d])),
        0
    );
}

/// README's GitHub Actions step, run as written on a scratch repository: a pull request that
/// narrows one policy, deletes one and adds an empty one passes; one that widens a policy
/// fails.
#[test]
fn readme_github_actions_step() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .expect("README.md");
    let start = readme
        .find("polcheck diff every changed policy against the base branch")
        .expect("the step is in README");
    let body = readme
        .get(start..)
        .and_then(|s| s.split_once("run: |\n"))
        .map(|(_, s)| s)
        .expect("the step has a run block");
    let script: String = body
        .lines()
        .take_while(|l| !l.starts_with("```"))
        .map(|l| l.strip_prefix("          ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("${{ github.base_ref }}", "main");
    assert!(script.contains("polcheck diff"), "{script}");

    let repo = std::env::temp_dir().join(format!("polcheck-readme-step-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(repo.join("policies")).expect("scratch dir");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs");
        assert!(o.status.success(), "git {args:?}: {o:?}");
    };
    let write = |name: &str, action: &str| {
        std::fs::write(
            repo.join("policies").join(name),
            format!(
                r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"{action}","Resource":"arn:aws:s3:::reports/*"}}}}"#
            ),
        )
        .expect("write policy");
    };
    let step = || {
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_polcheck"));
        let path = format!(
            "{}:{}",
            bin.parent().expect("bin dir").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let o = Command::new("bash")
            .args(["-e", "-c", &script])
            .current_dir(&repo)
            .env("PATH", path)
            .env("RUNNER_TEMP", &repo)
            .env("NO_COLOR", "1")
            .output()
            .expect("bash runs");
        (code(&o), String::from_utf8_lossy(&o.stdout).to_string())
    };
    git(&["init", "-q"]);
    git(&["checkout", "-q", "-b", "main"]);
    write("reports.json", "s3:GetObject");
    write("writer.json", "s3:*");
    write("gone.json", "s3:*");
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(&["checkout", "-q", "-b", "pr"]);
    write("writer.json", "s3:PutObject");
    std::fs::remove_file(repo.join("policies/gone.json")).expect("delete");
    std::fs::write(
        repo.join("policies/empty.json"),
        r#"{"Version":"2012-10-17","Statement":[]}"#,
    )
    .expect("write");
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "narrow"]);
    let (status, out) = step();
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("== policies/writer.json") && !out.contains("gone.json"),
        "{out}"
    );
    write("reports.json", "s3:Get*");
    git(&["commit", "-q", "-am", "widen"]);
    let (status, out) = step();
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("FAIL"), "{out}");
    let _ = std::fs::remove_dir_all(&repo);
}
