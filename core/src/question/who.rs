//! Who can: every principal a world's policies and the resource's policy name, with how.
//!
//! The callers asked about are the world's users and role sessions, and every principal the
//! resource's own policy (a bucket policy, a role's trust policy, a key policy) names: service
//! principals, other accounts (as their root, standing for any principal of that account),
//! users and roles the world does not hold, and everyone (`"*"`, asked as an anonymous
//! caller). Each is decided by the [`Engine`]; a caller denied only for a missing condition key
//! is listed as conditional, with the values that would allow it ([`super::if_context`]).

use serde::Serialize;

use std::collections::BTreeSet;

use super::whatif::if_context_where;
use super::{if_context, IfContext};
use crate::context::Context;
use crate::decide::{Decision, Outcome, PolicyKind};
use crate::engine::Engine;
use crate::policy::PrincipalKind;
use crate::principal::Principal;
use crate::request::Request;

/// How a principal can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Access {
    /// Allowed as asked.
    Allowed,
    /// Allowed only with a condition key the question does not carry (see
    /// [`WhoCan::if_context`]).
    Conditional,
    /// A principal of another account the resource's policy allows: its own account's
    /// identity policies (not in the world) must allow too.
    External,
}

/// One principal that can.
#[derive(Debug, Clone)]
pub struct WhoCan {
    /// The caller, as asked (`arn:...`, `ec2.amazonaws.com`, or `*` for everyone).
    pub principal: String,
    /// How.
    pub access: Access,
    /// The decision for the caller as asked.
    pub decision: Decision,
    /// For [`Access::Conditional`]: the key values that allow; for [`Access::External`], the
    /// key values with which the resource's side allows (empty when it allows as asked).
    pub if_context: Vec<IfContext>,
    /// `true` when the world does not hold the caller (named only by the resource's policy).
    pub named_by_resource_policy: bool,
}

/// Every principal that can, and what was asked.
#[derive(Debug, Clone, Default)]
pub struct WhoCanReport {
    /// The principals that can, the world's first (in its order), then those the resource's
    /// policy names.
    pub found: Vec<WhoCan>,
    /// How many callers were asked.
    pub asked: usize,
    /// Principals of the world that are not callers polcheck reads (an unusual ARN in an
    /// export), skipped: where the export holds each (`file:line:col: JSON path`) and why.
    pub skipped: Vec<String>,
}

impl WhoCanReport {
    /// `N allowed, M conditional, K external (of A asked)`.
    pub fn summary(&self) -> String {
        let count = |a: Access| self.found.iter().filter(|w| w.access == a).count();
        let mut s = format!(
            "{} allowed, {} allowed only with a condition key, {} of other accounts (their own account must allow too), of {} principals asked",
            count(Access::Allowed),
            count(Access::Conditional),
            count(Access::External),
            self.asked
        );
        if !self.skipped.is_empty() {
            s.push_str(&format!("; {} skipped", self.skipped.len()));
        }
        s
    }
}

/// Who can perform `action` on `resource`: see the module's documentation.
pub fn who_can(
    engine: &Engine,
    action: &str,
    resource: &str,
    context: &Context,
    resource_account: Option<&str>,
) -> WhoCanReport {
    let mut report = WhoCanReport::default();
    let mut callers: Vec<(String, Principal, bool)> = Vec::new();
    if let Some(world) = engine.world() {
        for p in world.principals() {
            match Principal::parse(Some(&p)) {
                Ok(pr) => callers.push((p, pr, false)),
                Err(e) => report.skipped.push(match world.principal_at(&p) {
                    Some(at) => format!("{at}: {e}"),
                    None => format!("{p}: {e}"),
                }),
            }
        }
    }
    for (text, p) in named_by_resource_policy(engine, action, resource, context, resource_account) {
        if !callers.iter().any(|(t, _, _)| *t == text) {
            callers.push((text, p, true));
        }
    }
    for (text, p, named) in callers {
        let Ok(mut req) = Request::for_principal(p, action, resource, context.clone()) else {
            continue;
        };
        req.set_resource_account(resource_account.map(str::to_string));
        report.asked += 1;
        let d = engine.authorize(&req);
        let external = named
            && req.principal().account().is_some()
            && req.principal().account() != req.effective_resource_account();
        let (access, alt) = if d.is_allowed() {
            (
                if external && matches!(req.principal(), Principal::Root { .. }) {
                    Access::External
                } else {
                    Access::Allowed
                },
                Vec::new(),
            )
        } else if external && only_identity(d.outcome, &d.blocked_by) {
            // Only its own identity policies, which the world does not hold, are missing.
            (Access::External, Vec::new())
        } else if external {
            // What the resource's side would allow with a key the question lacks.
            let alt = if_context_where(engine, &req, &d, |o, b| {
                only_identity(o, b).then_some(Outcome::Allowed)
            });
            if alt.is_empty() {
                continue;
            }
            (Access::External, alt)
        } else {
            let alt: Vec<IfContext> = if_context(engine, &req, &d)
                .into_iter()
                .filter(|c| c.outcome == Outcome::Allowed)
                .collect();
            if alt.is_empty() {
                continue;
            }
            (Access::Conditional, alt)
        };
        report.found.push(WhoCan {
            principal: text,
            access,
            decision: d,
            if_context: alt,
            named_by_resource_policy: named,
        });
    }
    report
}

/// Denied only for want of the caller's identity policies (`blockedBy` = identity).
fn only_identity(outcome: Outcome, blocked: &BTreeSet<PolicyKind>) -> bool {
    outcome == Outcome::ImplicitDeny && blocked.iter().all(|k| *k == PolicyKind::Identity)
}

/// The callers the resource's own policy names (not negated): services, accounts (as their
/// root), users and roles (a role as a session of it), and everyone (`*`, as `"*"`).
fn named_by_resource_policy(
    engine: &Engine,
    action: &str,
    resource: &str,
    context: &Context,
    resource_account: Option<&str>,
) -> Vec<(String, Principal)> {
    let Ok(mut probe) =
        Request::for_principal(Principal::Anonymous, action, resource, context.clone())
    else {
        return Vec::new();
    };
    probe.set_resource_account(resource_account.map(str::to_string));
    engine.prepare(&mut probe);
    let layers = engine.layers(&probe);
    let Some(set) = &layers.resource else {
        return Vec::new();
    };
    let mut out: Vec<(String, Principal)> = Vec::new();
    let mut add = |text: String, p: Principal| {
        if !out.iter().any(|(t, _)| *t == text) {
            out.push((text, p));
        }
    };
    for np in set.policies() {
        for st in &np.policy().statements {
            let Some(clause) = &st.principal else {
                continue;
            };
            if clause.negated {
                continue;
            }
            if clause.everyone {
                add("*".into(), Principal::Anonymous);
            }
            for (kind, value) in &clause.entries {
                match kind {
                    PrincipalKind::Service => {
                        if let Ok(p) = Principal::parse(Some(value)) {
                            add(value.clone(), p);
                        }
                    }
                    PrincipalKind::Federated => {
                        let text = if value.starts_with("arn:") {
                            value.clone()
                        } else {
                            format!("federated:{value}")
                        };
                        if let Ok(p) = Principal::parse(Some(&text)) {
                            add(text, p);
                        }
                    }
                    PrincipalKind::Aws if value == "*" => add("*".into(), Principal::Anonymous),
                    PrincipalKind::Aws => {
                        let Ok(p) = Principal::parse(Some(value)) else {
                            continue;
                        };
                        let text = match &p {
                            // The resource's own account: its principals are the world's.
                            Principal::Root { account }
                                if Some(account.as_str()) == probe.effective_resource_account() =>
                            {
                                continue;
                            }
                            Principal::Root { account } => format!("arn:aws:iam::{account}:root"),
                            Principal::AssumedRole {
                                account,
                                role,
                                session,
                                ..
                            } if session.is_empty() => {
                                format!("arn:aws:sts::{account}:assumed-role/{role}/polcheck")
                            }
                            _ => value.clone(),
                        };
                        if let Ok(p) = Principal::parse(Some(&text)) {
                            add(text, p);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}
