//! Statements of a world are placed in their file: `at FILE:LINE:COL`, and for a policy stored
//! as a JSON string (as IAM's API returns policies), the string's place in the file and the
//! statement's place inside its text (issue #15: "positions of world policies print as `at
//! 168:15` with no file").

mod common;

use common::polcheck;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const RELEASE: &str = "arn:aws:s3:::demo-artifacts/releases/v1.zip";

#[test]
fn a_world_statement_names_its_file() {
    let (code, out, err) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        RELEASE,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("`ArtifactsReadWrite`"))
        .unwrap_or_default();
    assert!(
        line.ends_with(" at corpus/worlds/demo/iam.json:241:15"),
        "{out}"
    );
}

#[test]
fn a_policy_held_as_a_json_string_names_the_string_and_the_place_inside_it() {
    // The bucket policy of `demo-artifacts` is a JSON string in the export; its second
    // statement refuses uploads to releases/ by anyone but the deploy role.
    let (code, out, err) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--action",
        "s3:PutObject",
        "--resource",
        RELEASE,
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("`ReleasesOnlyFromDeploy`"))
        .unwrap_or_default();
    assert!(
        line.contains(" at corpus/worlds/demo/iam.json:368:")
            && line.contains("(the policy is a JSON string there; the statement is at 1:"),
        "{out}"
    );
}
