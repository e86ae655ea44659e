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

/// GitHub's trust policy needs the token's `aud` and `sub` together: who-can names both,
/// rather than leaving the provider out.
#[test]
fn claims_needed_together_are_listed_together() {
    let world = fixture("audience-and-subject.json");
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
            "  {GITHUB}  (allowed if token.actions.githubusercontent.com:aud is sts.amazonaws.com \
             and token.actions.githubusercontent.com:sub is repo:octo-org/octo-repo:*)"
        )),
        "{out}"
    );
    assert!(
        out.contains("0 allowed, 1 allowed only with a condition key"),
        "{out}"
    );
}

/// A misspelt identity provider is refused with a did-you-mean, like a misspelt user: the
/// world knows the providers its trust policies name and those `aws iam
/// list-open-id-connect-providers` / `list-saml-providers` list
/// (https://docs.aws.amazon.com/cli/latest/reference/iam/list-open-id-connect-providers.html,
/// https://docs.aws.amazon.com/cli/latest/reference/iam/list-saml-providers.html).
#[test]
fn a_misspelt_provider_is_refused_and_a_listed_one_is_known() {
    let world = fixture("unconditional.json");
    let typo = GITHUB.replace("githubusercontent", "githubusercontnt");
    let ask = |world: &str, caller: &str, extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--world",
            world,
            "--principal",
            caller,
            "--action",
            "sts:AssumeRoleWithWebIdentity",
            "--resource",
            ROLE,
        ];
        args.extend_from_slice(extra);
        polcheck(&args)
    };
    let (code, out, err) = ask(&world, &typo, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&format!(
            "the world holds no principal `{typo}` (did you mean `{GITHUB}`?)"
        )),
        "{err}"
    );
    let (code, out, err) = ask(&world, &typo, &["--allow-unknown-principal"]);
    assert_eq!(code, 1, "{out}{err}");
    let (code, out, err) = ask(&world, GITHUB, &[]);
    assert_eq!(code, 0, "{out}{err}");

    // A provider no trust policy names, but the export lists: known, and implicitly denied.
    let dir = std::env::temp_dir().join(format!("polcheck-providers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::copy(&world, dir.join("iam.json")).expect("copy");
    let gitlab = "arn:aws:iam::111122223333:oidc-provider/gitlab.com";
    std::fs::write(
        dir.join("oidc.json"),
        format!(r#"{{"OpenIDConnectProviderList": [{{"Arn": "{gitlab}"}}]}}"#),
    )
    .expect("write");
    std::fs::write(
        dir.join("saml.json"),
        r#"{"SAMLProviderList": [{"Arn": "arn:aws:iam::111122223333:saml-provider/Okta", "ValidUntil": "2030-01-01T00:00:00Z", "CreateDate": "2026-01-01T00:00:00Z"}]}"#,
    )
    .expect("write");
    let d = dir.to_str().expect("utf-8 path");
    let (code, out, err) = ask(d, gitlab, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("IMPLICIT DENY"), "{out}");
    let (code, out, err) = ask(d, "arn:aws:iam::111122223333:saml-provider/Okta", &[]);
    assert_eq!(code, 1, "{out}{err}");
    let (code, _, err) = ask(d, "arn:aws:iam::111122223333:saml-provider/Otka", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("did you mean `arn:aws:iam::111122223333:saml-provider/Okta`?"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
