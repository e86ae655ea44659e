//! `polcheck eval --requests`: the batch face, through the real binary. Each test can fail:
//! it checks the lines written, not only the exit code.

mod common;

use common::polcheck;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("polcheck-batch-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A request line's malformed action is refused by the core's request check, with the
/// message `--action GetObject` gives, naming the line; the other lines still run.
#[test]
fn a_malformed_action_is_a_request_error_naming_its_line() {
    let input = file(
        "action.ndjson",
        &format!(
            "{{\"principal\":\"{ALICE}\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/a\"}}\n\
             {{\"principal\":\"{ALICE}\",\"action\":\"GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/a\"}}\n\
             {{\"principal\":\"{ALICE}\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/b\"}}\n"
        ),
    );
    for extra in [&[][..], &["--outcome-only"][..]] {
        let mut args = vec!["eval", "--requests", &input];
        args.extend_from_slice(extra);
        let (code, out, _) = polcheck(&args);
        assert_eq!(code, 2, "{out}");
        let got = lines(&out);
        assert_eq!(got.len(), 3, "{out}");
        assert_eq!(got[1]["Line"], 2);
        let e = got[1]["Error"].as_str().unwrap();
        assert!(
            e.contains("action `GetObject` is not `service:Action`"),
            "{e}"
        );
        assert_eq!(got[0]["EvalDecision"], "allowed", "{out}");
        assert_eq!(got[2]["Line"], 3);
        assert_eq!(got[2]["EvalDecision"], "allowed", "{out}");
    }
    let (_, _, err) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--action",
        "GetObject",
        "--resource",
        "arn:aws:s3:::demo-artifacts/a",
    ]);
    assert!(
        err.contains("action `GetObject` is not `service:Action`"),
        "{err}"
    );
}

/// Lines that the fast reader leaves to the located one (numbers, escapes, odd spacing, a
/// CRLF ending), blank lines, an over-long line and many chunks: every line is answered once,
/// in input order, as the located reader reads it.
#[test]
fn every_line_once_in_order_whatever_its_form() {
    let mut text = String::new();
    let mut want = Vec::new();
    for i in 0..70_000 {
        let line = match i % 5 {
            0 => format!("{{\"principal\":\"{ALICE}\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/k{i}\",\"context\":{{\"aws:SourceIp\":\"10.0.0.1\"}}}}"),
            1 => format!("{{ \"action\" : \"s3:DeleteObject\", \"principal\" : \"{ALICE}\", \"resource\" : \"arn:aws:s3:::demo-artifacts/k{i}\" }}\r"),
            2 => format!("{{\"principal\":\"{ALICE}\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/\\u006b{i}\",\"context\":{{\"s3:max-keys\":5}}}}"),
            3 => String::new(),
            _ => format!("{{\"principal\":\"{ALICE}\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/k{i}\"}}"),
        };
        text.push_str(&line);
        text.push('\n');
        match i % 5 {
            3 => {}
            1 => want.push((i + 1, "implicitDeny")),
            _ => want.push((i + 1, "allowed")),
        }
    }
    let long = format!(
        "{{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/{}\"}}\n",
        "x".repeat(1024 * 1024 + 10)
    );
    text.push_str(&long);
    text.push_str(&format!("{{\"principal\":\"{ALICE}\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::demo-artifacts/last\"}}"));
    let input = file("order.ndjson", &text);
    let (code, out, err) = polcheck(&["eval", "--requests", &input, "--outcome-only"]);
    assert_eq!(code, 2, "an over-long line is an input error: {err}");
    let got = lines(&out);
    assert_eq!(got.len(), want.len() + 2);
    for (g, (line, decision)) in got.iter().zip(&want) {
        assert_eq!(g["Line"], *line, "{g}");
        assert_eq!(g["EvalDecision"], *decision, "{g}");
    }
    let over = &got[want.len()];
    assert_eq!(over["Line"], 70_001);
    assert!(
        over["Error"].as_str().unwrap().contains("longer than"),
        "{over}"
    );
    assert_eq!(got[want.len() + 1]["Line"], 70_002);
    assert_eq!(got[want.len() + 1]["EvalDecision"], "allowed");
}
