//! The grammar rules of each policy type, the `Resource` format, `Sid`s, size and `Version`.
//!
//! From the IAM User Guide's *IAM JSON policy element reference*: `Principal` is not used in
//! identity-based policies and is required in resource-based ones (*Principal*);
//! `NotPrincipal` must be used with `Deny`, and not in identity policies, trust policies,
//! SCPs or RCPs (*NotPrincipal*); `Resource` (or `NotResource`) is required except in trust
//! policies, and must be `*` or in ARN format (*Resource*); `Sid` holds ASCII letters and
//! digits and is unique within the policy (*Sid*); policy variables need `Version`
//! `2012-10-17` (*Version*). From the AWS Organizations User Guide's *RCP syntax*: `Allow`
//! only in `RCPFullAWSAccess`, `Principal` `*`, no `NotAction` or `NotPrincipal`.

use std::collections::HashMap;

use super::{string_nodes, Finding, Locator, Options, PolicyType, Severity, StatementCtx};
use crate::json::Json;
use crate::policy::{Effect, Policy, Version};

/// Every per-statement rule of the policy type, plus the `Resource` and `Sid` formats.
pub(crate) fn check_statement(ctx: &StatementCtx, out: &mut Vec<Finding>) {
    let st = ctx.statement;
    let ty = ctx.policy_type;
    let node = ctx.node;
    let has = |k: &str| node.get(k).is_some();
    let here = || ctx.at.at(node.span.start, &ctx.path);
    if let Some(sid) = node.get("Sid").and_then(Json::as_str) {
        // IAM JSON policy element reference, "Sid": ASCII letters and digits in IAM policies;
        // resource-based policies follow their service's rules (KMS's default key policy is
        // "Enable IAM User Permissions"), so the rule is not applied to them.
        let iam_policy = !matches!(ty, PolicyType::Resource);
        if iam_policy && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            let severity = match ty {
                PolicyType::Resource | PolicyType::Scp | PolicyType::Rcp => Severity::Warning,
                _ => Severity::Error,
            };
            out.push(
                Finding::new(
                    "invalid-sid",
                    severity,
                    ctx.element("Sid"),
                    format!("`Sid` `{sid}` holds characters other than ASCII letters and digits"),
                )
                .with_fix(format!(
                    "rename it `{}`",
                    sid.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                )),
            );
        }
    }
    if ty.forbids_principal() {
        for key in ["Principal", "NotPrincipal"] {
            if has(key) {
                out.push(
                    Finding::new(
                        "principal-not-allowed",
                        Severity::Error,
                        ctx.element(key),
                        format!("`{key}` is not allowed in {} policies", describe(ty)),
                    )
                    .with_fix(format!(
                        "remove `{key}`: the policy applies to whoever it is attached to"
                    )),
                );
            }
        }
    } else if has("NotPrincipal") && matches!(ty, PolicyType::Trust | PolicyType::Rcp) {
        out.push(
            Finding::new(
                "principal-not-allowed",
                Severity::Error,
                ctx.element("NotPrincipal"),
                format!("`NotPrincipal` is not allowed in {} policies", describe(ty)),
            )
            .with_fix("use `Principal` with an `aws:PrincipalArn` condition"),
        );
    }
    if ty.requires_principal() && !has("Principal") && !has("NotPrincipal") {
        out.push(
            Finding::new(
                "missing-principal",
                Severity::Error,
                here(),
                format!(
                    "a statement of a {} policy must name a `Principal`",
                    describe(ty)
                ),
            )
            .with_fix("add `Principal` naming who the statement applies to"),
        );
    }
    if has("NotPrincipal") && st.effect == Effect::Allow {
        out.push(
            Finding::new(
                "notprincipal-with-allow",
                Severity::Error,
                ctx.element("NotPrincipal"),
                "`NotPrincipal` with `Allow` is not supported (it must be used with `Deny`)".into(),
            )
            .with_fix("use `Principal` instead, or `Deny`"),
        );
    }
    let resource_key = ["Resource", "NotResource"].into_iter().find(|k| has(k));
    match (ty, resource_key) {
        (PolicyType::Trust, Some(k)) => out.push(
            Finding::new(
                "resource-not-allowed",
                Severity::Error,
                ctx.element(k),
                format!("`{k}` is not allowed in a trust policy (the resource is the role)"),
            )
            .with_fix(format!("remove `{k}`")),
        ),
        (PolicyType::Trust, None) => {}
        (_, None) => out.push(
            Finding::new(
                "missing-resource",
                Severity::Error,
                here(),
                "the statement has no `Resource` or `NotResource`".into(),
            )
            .with_fix("add `Resource` with the ARNs the statement is about"),
        ),
        (_, Some(k)) => {
            if let Some(n) = node.get(k) {
                for (arn, n, path) in string_nodes(n, &ctx.path.key(k)) {
                    if arn != "*" && !arn.starts_with("arn:") && !arn.starts_with("${") {
                        out.push(
                            Finding::new(
                                "resource-not-arn",
                                Severity::Error,
                                ctx.at.at(n.span.start, &path),
                                format!("resource `{arn}` must be `*` or an ARN"),
                            )
                            .with_fix("write the ARN, e.g. `arn:aws:s3:::bucket`"),
                        );
                    }
                }
            }
        }
    }
    if ty == PolicyType::Rcp {
        check_rcp(ctx, out);
    }
    if ty == PolicyType::Trust {
        check_trust_actions(ctx, out);
    }
}

/// The actions a role's trust policy may name. IAM refuses any other with
/// "AssumeRole policy may only specify STS AssumeRole actions" (`MalformedPolicyDocument`,
/// as AWS answered in <https://github.com/hashicorp/terraform-provider-aws/issues/32872>
/// for a misspelt `sts:TagSessions`). The three beyond the `AssumeRole*` calls are the ones
/// the IAM User Guide puts in trust policies: *Passing session tags in AWS STS*
/// (`sts:TagSession`), *Monitor and control actions taken with assumed roles*
/// (`sts:SetSourceIdentity`) and trusted identity propagation's `sts:SetContext`.
const TRUST_ACTIONS: [&str; 6] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

/// `trust-action-not-allowed`: an `Action` pattern of a trust policy that names none of
/// [`TRUST_ACTIONS`] (`sts:*` and `*` name them all).
fn check_trust_actions(ctx: &StatementCtx, out: &mut Vec<Finding>) {
    let Some(node) = ctx.node.get("Action") else {
        return;
    };
    for (pattern, n, path) in string_nodes(node, &ctx.path.key("Action")) {
        let glob = crate::pattern::Glob::parse(&pattern.to_ascii_lowercase());
        if TRUST_ACTIONS.iter().any(|a| glob.is_match(a)) {
            continue;
        }
        let fix = pattern
            .split_once(':')
            .filter(|(svc, _)| svc.eq_ignore_ascii_case("sts"))
            .and_then(|(_, name)| {
                let name = name.to_ascii_lowercase();
                TRUST_ACTIONS
                    .iter()
                    .map(|a| (strsim::levenshtein(&name, a.trim_start_matches("sts:")), a))
                    .filter(|(d, _)| *d <= 4)
                    .min_by_key(|(d, _)| *d)
                    .map(|(_, a)| a)
            });
        let fix = match fix {
            Some(a) => format!("did you mean `{}`?", trust_action_name(a)),
            None => "grant it in the role's permissions policy; a trust policy says who may \
                     assume the role (`sts:AssumeRole`, `sts:AssumeRoleWithSAML`, \
                     `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, \
                     `sts:SetSourceIdentity`, `sts:SetContext`)"
                .to_string(),
        };
        out.push(
            Finding::new(
                "trust-action-not-allowed",
                Severity::Error,
                ctx.at.at(n.span.start, &path),
                format!(
                    "action `{pattern}` is not allowed in a trust policy (IAM: \"AssumeRole \
                     policy may only specify STS AssumeRole actions\")"
                ),
            )
            .with_fix(fix),
        );
    }
}

/// The AWS spelling of one of [`TRUST_ACTIONS`].
fn trust_action_name(lower: &str) -> &'static str {
    match lower {
        "sts:assumerolewithsaml" => "sts:AssumeRoleWithSAML",
        "sts:assumerolewithwebidentity" => "sts:AssumeRoleWithWebIdentity",
        "sts:tagsession" => "sts:TagSession",
        "sts:setsourceidentity" => "sts:SetSourceIdentity",
        "sts:setcontext" => "sts:SetContext",
        _ => "sts:AssumeRole",
    }
}

/// The RCP restrictions of *RCP syntax*.
fn check_rcp(ctx: &StatementCtx, out: &mut Vec<Finding>) {
    let st = ctx.statement;
    if ctx.node.get("NotAction").is_some() {
        out.push(
            Finding::new(
                "rcp-notaction",
                Severity::Error,
                ctx.element("NotAction"),
                "RCPs do not support `NotAction`".into(),
            )
            .with_fix("list the actions in `Action`"),
        );
    }
    if let Some(p) = &st.principal {
        if !p.negated && !p.everyone {
            out.push(
                Finding::new(
                    "rcp-principal-not-star",
                    Severity::Error,
                    ctx.element("Principal"),
                    "the `Principal` of an RCP must be `*`".into(),
                )
                .with_fix("use `\"Principal\": \"*\"` and narrow it with conditions"),
            );
        }
    }
    let full_access = st.action.patterns.iter().all(|a| a == "*")
        && st
            .resource
            .as_ref()
            .is_some_and(|r| !r.negated && r.patterns.iter().all(|p| p == "*"))
        && st.conditions.is_empty();
    if st.effect == Effect::Allow && !full_access {
        out.push(
            Finding::new(
                "rcp-allow",
                Severity::Error,
                ctx.element("Effect"),
                "RCPs support `Allow` only in `RCPFullAWSAccess` (all actions on all resources)"
                    .into(),
            )
            .with_fix("write the restriction as a `Deny` statement"),
        );
    }
}

/// How a policy type is called in messages.
fn describe(ty: PolicyType) -> &'static str {
    match ty {
        PolicyType::Identity => "identity-based",
        PolicyType::Resource => "resource-based",
        PolicyType::Trust => "trust",
        PolicyType::Boundary => "permissions boundary",
        PolicyType::Scp => "service control",
        PolicyType::Rcp => "resource control",
        PolicyType::Session => "session",
    }
}

/// Policy-wide rules: duplicate `Sid`s, the size quota, policy variables without `Version`.
pub(crate) fn check_policy(
    root: &Json,
    policy: &Policy,
    ctxs: &[StatementCtx],
    at: &Locator,
    ty: PolicyType,
    options: &Options,
    out: &mut Vec<Finding>,
) {
    let mut sids: HashMap<&str, ()> = HashMap::new();
    for ctx in ctxs {
        if let Some(sid) = ctx.node.get("Sid").and_then(Json::as_str) {
            if sids.insert(sid, ()).is_some() {
                out.push(
                    Finding::new(
                        "duplicate-sid",
                        Severity::Error,
                        ctx.element("Sid"),
                        format!("`Sid` `{sid}` is used by an earlier statement"),
                    )
                    .with_fix("give each statement its own `Sid`"),
                );
            }
        }
    }
    let limit = options.size_limit.unwrap_or_else(|| ty.size_limit());
    let size = compact_len(root);
    if size > limit {
        out.push(
            Finding::new(
                "policy-too-large",
                Severity::Error,
                at.at(root.span.start, &crate::json::JsonPath::root()),
                format!(
                    "the policy has {size} characters without whitespace, more than the {limit} \
                     AWS stores for a {ty} policy"
                ),
            )
            .with_fix("split it into several policies or use wildcards"),
        );
    }
    if policy.version != Version::V2012_10_17 {
        let uses = ctxs.iter().find(|c| {
            c.statement
                .resource
                .iter()
                .flat_map(|r| &r.patterns)
                .chain(c.statement.conditions.iter().flat_map(|k| &k.values))
                .any(|v| v.contains("${"))
        });
        if let Some(ctx) = uses {
            let what = match policy.version {
                Version::Unspecified => "has no `Version`",
                _ => "has `Version` `2008-10-17`",
            };
            out.push(
                Finding::new(
                    "policy-variables-without-version",
                    Severity::Warning,
                    ctx.at.at(ctx.node.span.start, &ctx.path),
                    format!(
                        "the policy {what}, so `${{...}}` is literal text, not a policy variable"
                    ),
                )
                .with_fix("add `\"Version\": \"2012-10-17\"`"),
            );
        }
    }
}

/// The document's length in characters as AWS counts it: without whitespace outside strings.
fn compact_len(node: &Json) -> usize {
    serde_json::to_string(&node.to_serde()).map_or(0, |s| s.chars().count())
}
