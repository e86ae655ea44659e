//! `polcheck paths`, `polcheck escalation` and `eval --transitive` through the real binary,
//! on the bundled demo estate and the escalation worlds.

mod common;

use common::{polcheck, workspace};

#[test]
fn escalation_on_the_demo_finds_dave_and_exits_1() {
    let (code, out, err) = polcheck(&["escalation", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v["Escalations"].as_array().unwrap();
    let dave = list
        .iter()
        .find(|e| e["Principal"] == "arn:aws:iam::111122223333:user/dave")
        .expect("dave escalates");
    assert_eq!(
        dave["Methods"],
        serde_json::json!(["assume-role", "passrole-codebuild"])
    );
    assert!(list
        .iter()
        .all(|e| e["Principal"] != "arn:aws:iam::111122223333:user/alice"));
}

#[test]
fn escalation_exits_0_when_every_path_is_closed() {
    // A world without principals: nobody escalates.
    let world = workspace().join("corpus/worlds/demo/network.json");
    let (code, out, err) = polcheck(&["escalation", "--world", world.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 of 0 principals can escalate"), "{out}");
}

#[test]
fn paths_prints_each_hop_with_its_statements_and_conditions() {
    let (code, out, _) = polcheck(&["paths", "--from", "dave", "--to", "admin"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("--assume-role--> becomes arn:aws:iam::111122223333:role/OpsRole"),
        "{out}"
    );
    assert!(
        out.contains("allowed by `PassBuildRole` in role inline OpsRole/RunBuilds"),
        "{out}"
    );
    let (code, out, _) = polcheck(&[
        "paths",
        "--from",
        "arn:aws:iam::444455556666:role/ci-runner",
        "--to",
        "DeployRole",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("[conditional]") && out.contains("when sts:ExternalId=demo-ci"),
        "{out}"
    );
    let (code, _, _) = polcheck(&["paths", "--from", "alice", "--to", "admin"]);
    assert_eq!(code, 1);
    let (code, _, err) = polcheck(&["paths", "--from", "nobody"]);
    assert_eq!(code, 2);
    assert!(err.contains("--from `nobody`"), "{err}");
}

#[test]
fn all_paths_and_json() {
    let world = workspace().join("corpus/worlds/escalation/attach-role-policy.json");
    let (code, out, _) = polcheck(&[
        "paths",
        "--world",
        world.to_str().unwrap(),
        "--from",
        "open-user",
        "--all",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hop = &v["Paths"][0]["hops"][0];
    assert_eq!(hop["method"], "attach-role-policy");
    assert_eq!(hop["elevates"], true);
    assert_eq!(hop["then"][0]["method"], "assume-role");
}

#[test]
fn eval_transitive_lists_principals_through_paths() {
    let (code, out, _) = polcheck(&[
        "eval",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::demo-public-site/index.html",
        "--transitive",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("user/dave  --assume-role--> arn:aws:iam::111122223333:role/OpsRole --passrole-codebuild-->"), "{out}");
    assert!(out.contains("role/DeployRole  (directly)"), "{out}");
    // Without --transitive, dave is not among who can.
    let (_, plain, _) = polcheck(&[
        "eval",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::demo-public-site/index.html",
    ]);
    assert!(!plain.contains("user/dave"), "{plain}");
}

/// README's "Access paths" section shows the commands' real output: each `$ polcheck paths`
/// line of its console block is run, and what follows it (up to the next `$ ` line) must be
/// exactly what the binary prints.
#[test]
fn readme_access_paths_output_is_the_binarys() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let section = readme
        .split("## Access paths")
        .nth(1)
        .and_then(|s| s.split("```console\n").nth(1))
        .and_then(|s| s.split("\n```").next())
        .expect("README has an Access paths console block");
    let mut blocks = Vec::new();
    for line in section.lines() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            blocks.push((cmd.to_string(), String::new()));
        } else if let Some((_, out)) = blocks.last_mut() {
            out.push_str(line);
            out.push('\n');
        }
    }
    let mut ran = 0;
    for (cmd, shown) in &blocks {
        let Some(args) = cmd.strip_prefix("polcheck paths ") else {
            continue;
        };
        let mut argv = vec!["paths"];
        argv.extend(args.split_whitespace());
        let (code, out, err) = polcheck(&argv);
        assert_eq!(code, 0, "{cmd}: {err}");
        assert_eq!(&out, shown, "README shows other output for `{cmd}`");
        ran += 1;
    }
    assert_eq!(ran, 2, "{blocks:?}");
    // The escalation line: the principals and methods `escalation --format json` gives.
    let (code, out, _) = polcheck(&["escalation", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let lines: String = v["Escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let methods: Vec<&str> = e["Methods"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            format!(
                "{}  {}\n",
                e["Principal"].as_str().unwrap(),
                methods.join(" -> ")
            )
        })
        .collect();
    let shown = &blocks
        .iter()
        .find(|(c, _)| c.starts_with("polcheck escalation"))
        .unwrap()
        .1;
    assert_eq!(&lines, shown);
}
