//! Security findings: grants wider than they look, as IAM Access Analyzer's policy
//! validation and Parliament report them.
//!
//! * `full-admin` (warning): `Allow` of `*` on `*`.
//! * `passrole-star` (warning): `Allow` of `iam:PassRole` on `*`: the caller can hand any
//!   role to a service (*Granting a user permissions to pass a role to an AWS service*, IAM
//!   User Guide).
//! * `privilege-escalation` (warning): the policy grants, on `*`, a set of actions known to
//!   let a caller raise their own permissions (`iam:CreatePolicyVersion`,
//!   `iam:AttachUserPolicy`, `iam:PassRole` with `lambda:CreateFunction` and
//!   `lambda:InvokeFunction`, ...); one finding per set, at the statement granting its first
//!   action.
//! * `allow-notaction` / `allow-notresource` (warning): `Allow` with `NotAction` (on
//!   resources other than `*`, which `allow-notaction-star-resource` reports) or
//!   `NotResource`: it grants everything not listed, including what AWS adds later.
//! * `public-resource-policy` (warning): a resource or trust policy that allows
//!   `Principal: "*"` without a condition on who the caller is or where it comes from.
//! * `cross-account-trust-without-external-id` (warning): a trust policy letting another
//!   account's principals call `sts:AssumeRole` without an `sts:ExternalId` condition (the
//!   confused-deputy guard for third parties, *The confused deputy problem*, IAM User Guide).
//! * `deprecated-global-key` (warning): `aws:ARN`, which is not a supported key; use
//!   `aws:PrincipalArn` or `aws:SourceArn`.

use super::{Finding, PolicyType, Severity, StatementCtx};
use crate::pattern::Glob;
use crate::policy::{Effect, PrincipalKind};

/// Keys whose condition narrows who a public statement lets in.
const NARROWING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "aws:vpcsourceip",
    "aws:calledvia",
    "aws:resourceorgid",
    "kms:calleraccount",
    "kms:viaservice",
    "lambda:eventsourcetoken",
    "sns:endpoint",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
];

/// Deprecated or unsupported global keys, with their replacement.
const DEPRECATED_KEYS: &[(&str, &str)] = &[("aws:arn", "`aws:PrincipalArn` or `aws:SourceArn`")];

/// The action sets that let a caller raise their own permissions.
const ESCALATIONS: &[&[&str]] = &[
    &["iam:CreatePolicyVersion"],
    &["iam:SetDefaultPolicyVersion"],
    &["iam:AttachUserPolicy"],
    &["iam:AttachGroupPolicy"],
    &["iam:AttachRolePolicy"],
    &["iam:PutUserPolicy"],
    &["iam:PutGroupPolicy"],
    &["iam:PutRolePolicy"],
    &["iam:AddUserToGroup"],
    &["iam:CreateAccessKey"],
    &["iam:CreateLoginProfile"],
    &["iam:UpdateLoginProfile"],
    &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
    &["iam:PassRole", "ec2:RunInstances"],
    &[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
    ],
    &[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:CreateEventSourceMapping",
    ],
    &["iam:PassRole", "glue:CreateDevEndpoint"],
    &["iam:PassRole", "cloudformation:CreateStack"],
    &[
        "iam:PassRole",
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
    ],
    &["lambda:UpdateFunctionCode"],
    &["glue:UpdateDevEndpoint"],
];

/// The statement's `Action` patterns, lowercased and compiled (none for `NotAction`).
fn action_globs(ctx: &StatementCtx) -> Vec<Glob> {
    if ctx.statement.action.negated {
        return Vec::new();
    }
    ctx.statement
        .action
        .patterns
        .iter()
        .map(|p| Glob::parse(&p.to_ascii_lowercase()))
        .collect()
}

/// Whether compiled `Action` patterns name `action`.
fn names_in(globs: &[Glob], action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    globs.iter().any(|g| g.is_match(&action))
}

/// Whether the statement's `Action` (not `NotAction`) names `action`.
fn names(ctx: &StatementCtx, action: &str) -> bool {
    names_in(&action_globs(ctx), action)
}

/// Whether the statement allows on `Resource` `*`.
fn allows_on_star(ctx: &StatementCtx) -> bool {
    let st = ctx.statement;
    st.effect == Effect::Allow
        && st
            .resource
            .as_ref()
            .is_some_and(|r| !r.negated && r.patterns.iter().any(|p| p == "*"))
}

fn is_full_admin(ctx: &StatementCtx) -> bool {
    allows_on_star(ctx)
        && !ctx.statement.action.negated
        && ctx
            .statement
            .action
            .patterns
            .iter()
            .any(|a| a == "*" || a == "*:*")
}

/// The per-statement security findings.
pub(crate) fn check_statement(ctx: &StatementCtx, out: &mut Vec<Finding>) {
    let st = ctx.statement;
    if is_full_admin(ctx) {
        out.push(
            Finding::new(
                "full-admin",
                Severity::Warning,
                ctx.element("Action"),
                "the statement allows every action on every resource".into(),
            )
            .with_fix("list the actions and resources the principal needs"),
        );
    } else if allows_on_star(ctx) && names(ctx, "iam:PassRole") {
        out.push(
            Finding::new(
                "passrole-star",
                Severity::Warning,
                ctx.element("Resource"),
                "`iam:PassRole` on `*` lets the caller pass any role, with its permissions, to \
                 a service"
                    .into(),
            )
            .with_fix("name the roles in `Resource` and add an `iam:PassedToService` condition"),
        );
    }
    if st.effect == Effect::Allow {
        let star = st
            .resource
            .as_ref()
            .is_some_and(|r| !r.negated && r.patterns.iter().any(|p| p == "*"));
        if st.action.negated && !star {
            out.push(
                Finding::new(
                    "allow-notaction",
                    Severity::Warning,
                    ctx.element("NotAction"),
                    "`Allow` with `NotAction` grants every action not listed, including actions \
                     AWS adds later"
                        .into(),
                )
                .with_fix("list the allowed actions in `Action`"),
            );
        }
        if st.resource.as_ref().is_some_and(|r| r.negated) {
            out.push(
                Finding::new(
                    "allow-notresource",
                    Severity::Warning,
                    ctx.element("NotResource"),
                    "`Allow` with `NotResource` grants on every resource not listed, in every \
                     service"
                        .into(),
                )
                .with_fix("list the allowed resources in `Resource`"),
            );
        }
    }
    let narrowed = st
        .conditions
        .iter()
        .any(|c| NARROWING_KEYS.contains(&c.key.to_ascii_lowercase().as_str()));
    if st.effect == Effect::Allow
        && matches!(ctx.policy_type, PolicyType::Resource | PolicyType::Trust)
        && st
            .principal
            .as_ref()
            .is_some_and(|p| !p.negated && p.everyone)
        && !narrowed
    {
        out.push(
            Finding::new(
                "public-resource-policy",
                Severity::Warning,
                ctx.element("Principal"),
                "`Principal` `*` without a condition on the caller lets anyone, anonymous \
                 callers included, in"
                    .into(),
            )
            .with_fix(
                "name the principals, or add an `aws:PrincipalOrgID` or `aws:SourceArn` condition",
            ),
        );
    }
    if ctx.policy_type == PolicyType::Trust
        && st.effect == Effect::Allow
        && names(ctx, "sts:AssumeRole")
    {
        let external = st.principal.as_ref().and_then(|p| {
            p.entries.iter().find(|(k, v)| {
                *k == PrincipalKind::Aws
                    && is_account_principal(v)
                    && ctx.account.is_none_or(|own| account_of(v) != Some(own))
            })
        });
        let has_external_id = st
            .conditions
            .iter()
            .any(|c| c.key.eq_ignore_ascii_case("sts:ExternalId"));
        if let (Some((_, who)), false) = (external, has_external_id || narrowed) {
            out.push(
                Finding::new(
                    "cross-account-trust-without-external-id",
                    Severity::Warning,
                    ctx.element("Principal"),
                    format!(
                        "`{who}` may assume the role without an `sts:ExternalId` condition; a \
                         third party's account needs one against the confused deputy"
                    ),
                )
                .with_fix("add `\"StringEquals\": {\"sts:ExternalId\": \"...\"}`"),
            );
        }
    }
    if let Some(cond) = ctx.node.get("Condition").and_then(|c| c.members()) {
        for op in cond {
            for k in op.value.members().unwrap_or_default() {
                let lower = k.key.to_ascii_lowercase();
                if let Some((_, instead)) = DEPRECATED_KEYS.iter().find(|(d, _)| *d == lower) {
                    let path = ctx.path.key("Condition").key(&op.key).key(&k.key);
                    out.push(
                        Finding::new(
                            "deprecated-global-key",
                            Severity::Warning,
                            ctx.at.at(k.key_span.start, &path),
                            format!("condition key `{}` is not supported", k.key),
                        )
                        .with_fix(format!("use {instead}")),
                    );
                }
            }
        }
    }
}

/// An account id or an IAM ARN of an account's principal (not `*`, not a service).
/// The account a principal value names: a bare account id, or an ARN's account field.
fn account_of(v: &str) -> Option<&str> {
    if v.len() == 12 && v.chars().all(|c| c.is_ascii_digit()) {
        return Some(v);
    }
    crate::arn::Arn::parse(v).map(|a| a.account)
}

fn is_account_principal(v: &str) -> bool {
    (v.len() == 12 && v.chars().all(|c| c.is_ascii_digit())) || v.starts_with("arn:")
}

/// The policy-wide finding: privilege-escalation sets granted on `*`.
pub(crate) fn check_policy(ctxs: &[StatementCtx], out: &mut Vec<Finding>) {
    if ctxs.iter().any(is_full_admin) {
        return; // `full-admin` says it all
    }
    // Only statements that allow on `*` count, each with its patterns compiled once.
    let on_star: Vec<(&StatementCtx, Vec<Glob>)> = ctxs
        .iter()
        .filter(|c| allows_on_star(c))
        .map(|c| (c, action_globs(c)))
        .collect();
    if on_star.is_empty() {
        return;
    }
    for set in ESCALATIONS {
        let granting: Vec<&StatementCtx> = set
            .iter()
            .filter_map(|a| {
                on_star
                    .iter()
                    .find(|(_, globs)| names_in(globs, a))
                    .map(|(c, _)| *c)
            })
            .collect();
        if granting.len() != set.len() {
            continue;
        }
        let Some(first) = granting.first() else {
            continue;
        };
        let list: Vec<String> = set.iter().map(|a| format!("`{a}`")).collect();
        out.push(
            Finding::new(
                "privilege-escalation",
                Severity::Warning,
                first.element("Action"),
                format!(
                    "the policy allows {} on `*`, which lets the caller raise their own \
                     permissions",
                    list.join(" and ")
                ),
            )
            .with_fix("limit these actions to named resources, or remove them"),
        );
    }
}
