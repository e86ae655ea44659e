//! The decision and its explanation: which statements matched, which kinds of policy
//! allowed, which blocked, and which context keys the policies wanted.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::Layers;
use crate::compile::{LayerMatches, PolicySet};
use crate::json::Position;
use crate::policy::Effect;
use crate::request::Request;

/// The answer: AWS's three `EvalDecision` values, and `unknown` when the inputs lack what the
/// decision depends on (the reasons are in [`Decision::unknown`] and [`Layers::missing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Outcome {
    /// Allowed.
    Allowed,
    /// A Deny statement applied.
    ExplicitDeny,
    /// No needed allow.
    ImplicitDeny,
    /// The inputs lack something the decision depends on (a KMS key's key policy, a role's
    /// trust policy...): polcheck does not guess.
    Unknown,
}

impl Outcome {
    /// `allowed`, `explicitDeny`, `implicitDeny` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::ExplicitDeny => "explicitDeny",
            Outcome::ImplicitDeny => "implicitDeny",
            Outcome::Unknown => "unknown",
        }
    }

    /// Reads `allowed`, `explicitDeny`, `implicitDeny` or `unknown`.
    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Allowed,
            Outcome::ExplicitDeny,
            Outcome::ImplicitDeny,
            Outcome::Unknown,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// AWS's `EvalDecision`, which has no unknown: an unknown answer is not an allow, so it
    /// reads `implicitDeny` there (the unknown is in polcheck's own object).
    pub fn aws_decision(self) -> &'static str {
        match self {
            Outcome::Unknown => "implicitDeny",
            o => o.as_str(),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of policy: the `blockedBy` vocabulary of the test format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum PolicyKind {
    /// Identity-based policies.
    Identity,
    /// The resource-based policy.
    Resource,
    /// The permissions boundary.
    Boundary,
    /// The session policy.
    Session,
    /// Service control policies.
    Scp,
    /// Resource control policies.
    Rcp,
    /// A service-side rule no policy can override (see `decide/service.rs`): an action that
    /// needs no permission, or one AWS refuses on a reserved resource.
    Service,
}

impl PolicyKind {
    /// `identity`, `resource`, `boundary`, `session`, `scp` or `rcp`.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Service => "service",
        }
    }

    /// Reads `identity`, `resource`, ...
    pub fn parse(s: &str) -> Option<PolicyKind> {
        [
            PolicyKind::Identity,
            PolicyKind::Resource,
            PolicyKind::Boundary,
            PolicyKind::Session,
            PolicyKind::Scp,
            PolicyKind::Rcp,
            PolicyKind::Service,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// AWS's `SourcePolicyType` for this kind.
    pub fn aws_type(self) -> &'static str {
        match self {
            PolicyKind::Identity => "IAM Policy",
            PolicyKind::Resource => "Resource Policy",
            PolicyKind::Boundary => "Permissions Boundary",
            PolicyKind::Session => "Session Policy",
            PolicyKind::Scp => "Service Control Policy",
            PolicyKind::Rcp => "Resource Control Policy",
            PolicyKind::Service => "Service Rule",
        }
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement that applied to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedStatement {
    /// The kind of policy it belongs to.
    pub kind: PolicyKind,
    /// For SCPs and RCPs: the level, 0 being the organization root.
    pub level: Option<usize>,
    /// The policy's name (where it came from).
    pub policy: Arc<str>,
    /// Index of the statement in its policy.
    pub statement: usize,
    /// The statement's Sid.
    pub sid: Option<String>,
    /// The statement in one line (`Deny s3:PutObject on arn:aws:s3:::b/* when ...`), rendered
    /// when it is printed or serialised, not when the decision is made.
    pub summary: StatementSummary,
    /// Allow or Deny.
    #[serde(serialize_with = "effect_str")]
    pub effect: Effect,
    /// Start of the statement in its document.
    #[serde(skip)]
    pub start: Position,
    /// End of the statement in its document.
    #[serde(skip)]
    pub end: Position,
    /// The world file that holds the policy, when it came from one (`start` and `end` are in
    /// it, or inside the JSON string at `outer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<Arc<str>>,
    /// For a policy stored as a JSON string: the string's position in `file`.
    #[serde(skip)]
    pub outer: Option<Position>,
}

/// A matched statement in one line (`Deny s3:PutObject on arn:aws:s3:::b/* when ...`), as
/// its policy writes it: [`PolicySet::statement_text`], rendered on demand (`Display`,
/// `Serialize` as a string, [`StatementSummary::text`]), so a decision costs nothing for the
/// summaries it never prints. Two summaries are equal when their texts are.
#[derive(Clone)]
pub struct StatementSummary {
    set: PolicySet,
    statement: usize,
}

impl StatementSummary {
    pub(crate) fn new(set: &PolicySet, statement: usize) -> StatementSummary {
        StatementSummary {
            set: set.clone(),
            statement,
        }
    }

    /// The text (empty for a statement its set does not hold, which a decision never makes).
    pub fn text(&self) -> String {
        self.set.statement_text(self.statement).unwrap_or_default()
    }
}

impl fmt::Display for StatementSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl fmt::Debug for StatementSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text(), f)
    }
}

impl PartialEq for StatementSummary {
    fn eq(&self, other: &StatementSummary) -> bool {
        (self.statement == other.statement && self.set.same_as(&other.set))
            || self.text() == other.text()
    }
}

impl Eq for StatementSummary {}

impl PartialEq<str> for StatementSummary {
    fn eq(&self, other: &str) -> bool {
        self.text() == other
    }
}

impl PartialEq<&str> for StatementSummary {
    fn eq(&self, other: &&str) -> bool {
        self.text() == *other
    }
}

impl Serialize for StatementSummary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

fn effect_str<S: serde::Serializer>(e: &Effect, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match e {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    })
}

/// A decision with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The answer.
    pub outcome: Outcome,
    /// For a deny, the kinds of policy that decided it: those with a matching Deny, or those
    /// whose allow was needed and missing.
    pub blocked_by: BTreeSet<PolicyKind>,
    /// The kinds of policy with a matching Allow.
    pub allowed_by: BTreeSet<PolicyKind>,
    /// The statements that applied, layer by layer: every Deny, and the Allows up to the
    /// bound of the [`super::Detail`] asked for (every one with [`super::Detail::All`]).
    pub matched: Vec<MatchedStatement>,
    /// The allowing statements that applied but `matched` does not list (with
    /// [`super::Detail::Bounded`]): counted up to a bound, and said so when the count stopped
    /// there.
    pub omitted: Omitted,
    /// Condition keys the matching policies read that the request did not carry.
    pub missing_context: Vec<String>,
    /// `Some(allowed)` when the caller has a permissions boundary.
    pub allowed_by_boundary: Option<bool>,
    /// `Some(allowed)` when SCPs apply: every level allows and none denies.
    pub allowed_by_organizations: Option<bool>,
    /// The service-side rule that bore on the request, in one line, when one did (the
    /// `service` kind of `blocked_by` and `allowed_by`).
    pub service_rule: Option<String>,
    /// For an [`Outcome::Unknown`]: what the inputs lack (empty otherwise).
    pub unknown: Vec<super::Missing>,
}

impl Decision {
    /// `true` when allowed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    /// `true` when some layer had more allowing statements than `matched` lists.
    pub fn truncated(&self) -> bool {
        self.omitted.allows > 0
    }
}

/// Allowing statements an explanation leaves out ([`Decision::omitted`]).
///
/// A bounded explanation lists at most [`super::Detail::ALLOWS_SHOWN`] Allows per layer and
/// counts at most [`super::Detail::ALLOWS_COUNTED`] more, so its cost does not grow with the
/// policies: `allows` is then the exact number left out when `exact`, else a lower bound
/// ("at least"). [`super::Detail::All`] leaves nothing out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Omitted {
    /// How many allowing statements applied beyond those listed (over every layer).
    pub allows: usize,
    /// `true` when `allows` is the exact number; `false` when at least that many more
    /// applied (the count stopped at the bound in some layer).
    pub exact: bool,
}

impl Default for Omitted {
    fn default() -> Omitted {
        Omitted {
            allows: 0,
            exact: true,
        }
    }
}

impl fmt::Display for Omitted {
    /// `3 more` or `at least 4 more`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exact {
            write!(f, "{} more", self.allows)
        } else {
            write!(f, "at least {} more", self.allows)
        }
    }
}

fn layer_set(layers: &Layers, kind: PolicyKind, level: Option<usize>) -> Option<&PolicySet> {
    match kind {
        PolicyKind::Identity => Some(&layers.identity),
        PolicyKind::Resource => layers.resource.as_ref(),
        PolicyKind::Boundary => layers.boundary.as_ref(),
        PolicyKind::Session => layers.session.as_ref(),
        PolicyKind::Scp => layers.scp.as_ref()?.get(level?),
        PolicyKind::Rcp => layers.rcp.as_ref()?.get(level?),
        PolicyKind::Service => None,
    }
}

/// How much an explanation lists.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shown {
    /// Allowing statements per layer.
    pub allows: usize,
    /// Allowing statements per layer gathered at most (those past `allows` are counted, not
    /// listed); `usize::MAX` for all.
    pub counted: usize,
}

/// What one layer contributed: its matches and the condition keys its set read that the
/// request lacks (sorted).
pub(super) struct Gathered<'a> {
    pub kind: PolicyKind,
    pub level: Option<usize>,
    pub matches: &'a LayerMatches,
    pub keys: &'a [String],
    /// The Allow search stopped at its bound of candidates: more may have applied.
    pub cut: bool,
}

pub(super) fn build(
    layers: &Layers,
    req: &Request,
    gathered: &[Gathered<'_>],
    outcome: Outcome,
    blocked_by: std::collections::BTreeSet<PolicyKind>,
    shown: Shown,
) -> Decision {
    let mut matched = Vec::with_capacity(
        gathered
            .iter()
            .map(|g| g.matches.denies.len() + g.matches.allows.len().min(shown.allows))
            .sum(),
    );
    let mut missing: Vec<String> = Vec::new();
    let mut allowed_by = BTreeSet::new();
    let mut omitted = Omitted::default();
    for g in gathered {
        let (kind, level, m) = (g.kind, g.level, g.matches);
        let Some(set) = layer_set(layers, kind, level) else {
            continue;
        };
        if !m.allows.is_empty() {
            allowed_by.insert(kind);
        }
        omitted.allows += m.allows.len().saturating_sub(shown.allows);
        // The search stopped at the bound: there may be more than were counted.
        omitted.exact &= m.allows.len() < shown.counted && !g.cut;
        for sm in m.denies.iter().chain(m.allows.iter().take(shown.allows)) {
            let Some(src) = set.statement_source(sm.statement) else {
                continue;
            };
            let (policy, sid, start, end) = (src.policy, src.sid, src.start, src.end);
            let Some(cs) = set.statement(sm.statement) else {
                continue;
            };
            matched.push(MatchedStatement {
                kind,
                level,
                policy: Arc::clone(policy),
                statement: cs.statement,
                sid: sid.map(str::to_string),
                summary: StatementSummary::new(set, sm.statement),
                effect: cs.effect,
                start,
                end,
                file: src.file.map(|f| f.file.clone()),
                outer: src.file.and_then(|f| f.outer),
            });
        }
        for k in g.keys {
            if !missing.contains(k) {
                missing.push(k.clone());
            }
        }
    }
    missing.retain(|k| action_can_carry(req.action(), k));
    missing.sort();
    let allowed_by_boundary = layers.boundary.as_ref().map(|_| {
        gathered
            .iter()
            .find(|g| g.kind == PolicyKind::Boundary)
            .is_some_and(|g| !g.matches.allows.is_empty() && g.matches.denies.is_empty())
    });
    let allowed_by_organizations = layers.scp.as_ref().map(|_| {
        gathered
            .iter()
            .filter(|g| g.kind == PolicyKind::Scp)
            .all(|g| !g.matches.allows.is_empty() && g.matches.denies.is_empty())
    });
    Decision {
        outcome,
        blocked_by,
        allowed_by,
        matched,
        omitted,
        missing_context: missing,
        allowed_by_boundary,
        allowed_by_organizations,
        service_rule: None,
        unknown: if outcome == Outcome::Unknown {
            layers.missing.clone()
        } else {
            Vec::new()
        },
    }
}

/// Without the catalogue every key may matter.
#[cfg(not(feature = "catalogue"))]
fn action_can_carry(_action: &str, _key: &str) -> bool {
    true
}

/// Whether the catalogue says `action` can carry condition key `key` (global keys always can;
/// an action the catalogue does not know keeps every key).
#[cfg(feature = "catalogue")]
fn action_can_carry(action: &str, key: &str) -> bool {
    let Some((service, name)) = action.split_once(':') else {
        return true;
    };
    if key.to_ascii_lowercase().starts_with("aws:") {
        return true;
    }
    let Some(keys) = crate::catalogue::Catalogue::get()
        .ok()
        .and_then(|c| c.action_condition_keys(service, name))
    else {
        return true;
    };
    let key = key.to_ascii_lowercase();
    keys.iter().any(|info| {
        let known = info.name.to_ascii_lowercase();
        match known.find(['$', '<']) {
            // A templated key such as `s3:ExistingObjectTag/<key>`: the part before the
            // template must match and something must follow it.
            Some(i) => key.len() > i && key.starts_with(&known[..i]),
            None => known == key,
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::compile::{NamedPolicy, PolicySet};
    use crate::context::Context;
    use crate::decide::{decide_with, Detail, Layers, Omitted};
    use crate::policy::Policy;
    use crate::request::Request;

    fn layers(allows: usize) -> Layers {
        let stmts: Vec<String> = (0..allows)
            .map(|i| {
                format!(
                    r#"{{"Sid":"S{i}","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            stmts.join(",")
        );
        Layers {
            identity: PolicySet::compile(vec![NamedPolicy::new(
                "p",
                Policy::parse(&text).unwrap(),
            )]),
            ..Layers::default()
        }
    }

    fn req() -> Request {
        Request::new(
            Some("arn:aws:iam::111122223333:user/a"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Context::new(),
        )
        .unwrap()
    }

    /// One identity policy of the statements given as JSON objects.
    fn policy_of(stmts: &[String]) -> Layers {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            stmts.join(",")
        );
        Layers {
            identity: PolicySet::compile(vec![NamedPolicy::new(
                "p",
                Policy::parse(&text).unwrap(),
            )]),
            ..Layers::default()
        }
    }

    /// `Effect` on `s3:GetObject`, applying when `team` is the caller's tag (`blue`).
    fn stmt(sid: &str, effect: &str, team: &str) -> String {
        format!(
            r#"{{"Sid":"{sid}","Effect":"{effect}","Action":"s3:GetObject","Resource":"*",
                "Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"{team}"}}}}}}"#
        )
    }

    fn blue() -> Request {
        let mut ctx = Context::new();
        ctx.insert("aws:PrincipalTag/team", crate::ContextValue::single("blue"));
        Request::new(
            Some("arn:aws:iam::111122223333:user/a"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            ctx,
        )
        .unwrap()
    }

    fn sids(d: &crate::decide::Decision) -> Vec<(crate::policy::Effect, Option<String>)> {
        d.matched
            .iter()
            .map(|m| (m.effect, m.sid.clone()))
            .collect()
    }

    #[test]
    fn many_denies_that_do_not_apply_leave_the_explanation_as_the_full_one() {
        // Far more Deny candidates than any bound, none applying; a few Allows that do.
        let mut stmts: Vec<String> = (0..200)
            .map(|i| stmt(&format!("D{i}"), "Deny", "red"))
            .collect();
        stmts.extend((0..3).map(|i| stmt(&format!("A{i}"), "Allow", "blue")));
        let layers = policy_of(&stmts);
        let bounded = decide_with(&layers, &blue(), Detail::Bounded);
        let all = decide_with(&layers, &blue(), Detail::All);
        assert_eq!(bounded.outcome, crate::decide::Outcome::Allowed);
        assert_eq!(sids(&bounded), sids(&all));
        assert_eq!(bounded.matched.len(), 3);
        assert_eq!(bounded.omitted, Omitted::default());
        assert_eq!(bounded.missing_context, all.missing_context);
    }

    #[test]
    fn an_explicit_deny_lists_every_deciding_deny_past_every_bound() {
        let past = Detail::KEY_SCAN + Detail::ALLOWS_SCAN + Detail::ALLOWS_COUNTED + 5;
        let mut stmts: Vec<String> = Vec::new();
        for i in 0..past {
            // Denies that apply among Denies that do not.
            stmts.push(stmt(&format!("D{i}"), "Deny", "blue"));
            stmts.push(stmt(&format!("N{i}"), "Deny", "red"));
        }
        stmts.push(stmt("A", "Allow", "blue"));
        let layers = policy_of(&stmts);
        let bounded = decide_with(&layers, &blue(), Detail::Bounded);
        let all = decide_with(&layers, &blue(), Detail::All);
        assert_eq!(bounded.outcome, crate::decide::Outcome::ExplicitDeny);
        let denies = |d: &crate::decide::Decision| {
            sids(d)
                .into_iter()
                .filter(|(e, _)| *e == crate::policy::Effect::Deny)
                .collect::<Vec<_>>()
        };
        assert_eq!(denies(&bounded).len(), past);
        assert_eq!(denies(&bounded), denies(&all));
        assert_eq!(sids(&bounded), sids(&all));
    }

    #[test]
    fn an_allow_search_stopped_by_its_bound_says_at_least() {
        // One Allow that applies, then more candidates than the search tries, then more
        // Allows that apply: the bounded search lists the first and cannot count the rest.
        let mut stmts = vec![stmt("A0", "Allow", "blue")];
        stmts.extend((0..Detail::ALLOWS_SCAN + 10).map(|i| stmt(&format!("N{i}"), "Allow", "red")));
        stmts.extend((1..4).map(|i| stmt(&format!("A{i}"), "Allow", "blue")));
        let layers = policy_of(&stmts);
        let bounded = decide_with(&layers, &blue(), Detail::Bounded);
        let all = decide_with(&layers, &blue(), Detail::All);
        assert_eq!(bounded.outcome, all.outcome);
        assert_eq!(all.matched.len(), 4);
        let shown = sids(&bounded);
        assert!(!shown.is_empty());
        assert!(shown.iter().all(|s| sids(&all).contains(s)), "{shown:?}");
        assert!(shown.len() < 4);
        assert!(!bounded.omitted.exact, "{:?}", bounded.omitted);
        // With few candidates the same search is exact.
        let few = policy_of(&[stmt("A0", "Allow", "blue"), stmt("N", "Allow", "red")]);
        let d = decide_with(&few, &blue(), Detail::Bounded);
        assert_eq!(d.omitted, Omitted::default());
        assert_eq!(sids(&d), sids(&decide_with(&few, &blue(), Detail::All)));
    }

    /// The Allow search's bound leaves room for every Allow a bounded answer lists and
    /// counts: a set whose candidates all apply reaches the count's bound, not the scan's.
    #[test]
    fn the_scan_reaches_the_count() {
        const { assert!(Detail::ALLOWS_SCAN >= Detail::ALLOWS_SHOWN + Detail::ALLOWS_COUNTED) };
        let d = decide_with(&layers(Detail::ALLOWS_SCAN + 50), &req(), Detail::Bounded);
        assert_eq!(d.matched.len(), Detail::ALLOWS_SHOWN);
        assert_eq!(d.omitted.allows, Detail::ALLOWS_COUNTED);
    }

    #[test]
    fn a_bounded_explanation_counts_what_it_leaves_out() {
        let shown = Detail::ALLOWS_SHOWN;
        let few = decide_with(&layers(shown + 3), &req(), Detail::Bounded);
        assert_eq!(few.matched.len(), shown);
        assert_eq!(
            few.omitted,
            Omitted {
                allows: 3,
                exact: true
            }
        );
        assert_eq!(few.omitted.to_string(), "3 more");
        let none = decide_with(&layers(shown), &req(), Detail::Bounded);
        assert_eq!(none.omitted, Omitted::default());
        assert!(!none.truncated());
        // Past the bound the count stops and says so.
        let many = decide_with(&layers(200), &req(), Detail::Bounded);
        assert_eq!(many.matched.len(), shown);
        assert_eq!(
            many.omitted,
            Omitted {
                allows: Detail::ALLOWS_COUNTED,
                exact: false
            }
        );
        assert_eq!(many.omitted.to_string(), "at least 4 more");
        let all = decide_with(&layers(200), &req(), Detail::All);
        assert_eq!(all.matched.len(), 200);
        assert_eq!(all.omitted, Omitted::default());
        // Exactly at the bound: every statement was seen, so the count is exact.
        let edge = decide_with(
            &layers(shown + Detail::ALLOWS_COUNTED - 1),
            &req(),
            Detail::Bounded,
        );
        assert_eq!(
            edge.omitted,
            Omitted {
                allows: Detail::ALLOWS_COUNTED - 1,
                exact: true
            }
        );
    }
}
