//! Callers from identity providers through the real binary: `eval` as the provider, and
//! who-can listing the providers a role's trust policy names with `Federated` (IAM User
//! Guide, *Create a role for OpenID Connect federation*).

#![expect(clippy::expect_used, reason = "test helpers")]

mod common;

use common::{polcheck, workspace};

const GITHUB: &str = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
const ROLE: &str = "arn:aws:iam::111122223333:role/Deploy";

fn fixture(name: &str) -> String {
    workspace()
        .join("cli/tests/fixtures/federation")
        .join(name)
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

#[test]
fn who_can_lists_the_trusted_provider() {
    let world = fixture("unconditional.json");
    let (code, out, err) = polcheck(&[
        "eval",
        "--world",
        &world,
        "--action",
        "sts:AssumeRoleWithWebIdentity",
        "--resource",
        ROLE,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "  {GITHUB}  (allowed by trust policy of role Deploy)"
        )),
        "{out}"
    );
    assert!(
        out.contains("1 allowed, 0 allowed only with a condition key"),
        "{out}"
    );
}

#[test]
fn a_condition_on_the_token_is_shown_as_what_would_allow() {
    let world = fixture("audience.json");
    let (_, out, _) = polcheck(&[
        "eval",
        "--world",
        &world,
        "--action",
        "sts:AssumeRoleWithWebIdentity",
        "--resource",
        ROLE,
    ]);
    assert!(
        out.contains(&format!(
            "  {GITHUB}  (allowed if token.actions.githubusercontent.com:aud is sts.amazonaws.com)"
        )),
        "{out}"
    );
    let (code, out, err) = polcheck(&[
        "eval",
        "--world",
        &world,
        "--principal",
        GITHUB,
        "--action",
        "sts:AssumeRoleWithWebIdentity",
        "--resource",
        ROLE,
        "--context",
        "token.actions.githubusercontent.com:aud=sts.amazonaws.com",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ALLOWED"), "{out}");
    // The provider is not an AWS principal: `sts:AssumeRole` is not what its trust allows.
    let (code, out, _) = polcheck(&[
        "eval",
        "--world",
        &world,
        "--principal",
        GITHUB,
        "--action",
        "sts:AssumeRole",
        "--resource",
        ROLE,
    ]);
    assert_eq!(code, 1, "{out}");
}
