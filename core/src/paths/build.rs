//! Building the graph: nodes from the world, then the act-as edges (assume role, pass role,
//! user credentials, trust rewrites), then the elevating edges (policy changes), each step
//! decided by the engine.
//!
//! Which pairs are asked: for `sts:AssumeRole`, the principals a trust policy names (an
//! account stands for each of its principals; `*` and `NotPrincipal` for everyone); for the
//! other methods, only callers whose identity policies have an Allow statement whose
//! `Action` matches each needed action (every IAM action here needs an identity allow, so
//! this skips only requests the engine would deny), and only targets in the caller's account
//! (IAM changes and `iam:PassRole` stay in one account).

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::compile::NamedPolicy;
use crate::decide::{decide_outcome, Outcome, PolicyKind};
use crate::engine::Engine;
use crate::inputs::PolicyInputs;
use crate::pattern::Glob;
use crate::policy::{Effect, PrincipalKind};
use crate::principal::Principal;
use crate::world::{PrincipalInfo, PrincipalType, World};

use super::methods::{fill, Method, Shape, Target, METHODS};
use super::witness::{self, Tolerated};
use super::{Edge, Graph, Node, NodeKind, Options, PathError, Step};

const NONE: Tolerated = &[];
const IDENTITY: Tolerated = &[PolicyKind::Identity];
const TRUST_REWRITTEN: Tolerated = &[PolicyKind::Resource, PolicyKind::Identity];

struct Builder<'a> {
    engine: &'a Engine,
    world: &'a World,
    region: String,
    graph: Graph,
    /// For each node, the needed actions (lowercased) its identity policies may allow.
    may: Vec<HashSet<&'static str>>,
    /// Roles each service principal may assume, with the step that says so.
    service_roles: HashMap<String, Vec<(usize, Step)>>,
    ambiguous: HashSet<String>,
}

impl Graph {
    /// Builds the principal graph of the engine's world.
    pub fn build(engine: &Engine, options: &Options) -> Result<Graph, PathError> {
        let world = engine.world().ok_or(PathError::NoWorld)?;
        let infos = world.principal_infos();
        let mut b = Builder {
            engine,
            world,
            region: options.region.clone(),
            graph: Graph::default(),
            may: Vec::new(),
            service_roles: HashMap::new(),
            ambiguous: HashSet::new(),
        };
        for info in &infos {
            b.add_world_node(info);
        }
        b.assume_role_edges(&infos);
        b.pass_role_edges();
        b.credential_edges();
        b.elevating_edges(&infos);
        Ok(b.graph)
    }
}

/// Every action a method needs.
fn needed_actions() -> BTreeSet<&'static str> {
    METHODS
        .iter()
        .flat_map(|m| m.needs.iter().copied())
        .collect()
}

/// The needed actions some Allow statement of these policies names (by `Action` alone).
fn may_allow<'p>(policies: impl IntoIterator<Item = &'p NamedPolicy>) -> HashSet<&'static str> {
    let needed = needed_actions();
    let mut out = HashSet::new();
    for np in policies {
        for s in &np.policy.statements {
            if s.effect != Effect::Allow {
                continue;
            }
            let globs: Vec<Glob> = s
                .action
                .patterns
                .iter()
                .map(|p| Glob::parse(&p.to_ascii_lowercase()))
                .collect();
            for a in &needed {
                let lower = a.to_ascii_lowercase();
                let named = globs.iter().any(|g| g.is_match(&lower));
                if named != s.action.negated {
                    out.insert(*a);
                }
            }
        }
    }
    out
}

impl Builder<'_> {
    fn push_node(&mut self, node: Node, names: &[String], may: HashSet<&'static str>) -> usize {
        let id = self.graph.nodes.len();
        for n in names {
            if self.graph.by_name.insert(n.clone(), id).is_some() && !n.contains(':') {
                self.ambiguous.insert(n.clone());
            }
        }
        for n in &self.ambiguous {
            self.graph.by_name.remove(n);
        }
        self.graph.nodes.push(node);
        self.graph.out.push(Vec::new());
        self.may.push(may);
        id
    }

    fn add_world_node(&mut self, info: &PrincipalInfo<'_>) {
        let kind = match info.kind {
            PrincipalType::User => NodeKind::User,
            PrincipalType::Role => NodeKind::Role,
        };
        let admin = self.step(&info.caller, "*", "*", &[], NONE);
        let elevated_admin =
            admin.is_some() || self.step(&info.caller, "*", "*", &[], IDENTITY).is_some();
        let may = witness::request(&info.caller, "iam:PassRole", "*", &[])
            .map(|mut req| {
                self.world.prepare(&mut req);
                let layers = self.world.layers_for(&req);
                let identity: Vec<NamedPolicy> = layers.identity.policies().cloned().collect();
                may_allow(&identity)
            })
            .unwrap_or_default();
        let node = Node {
            arn: info.arn.to_string(),
            caller: info.caller.clone(),
            name: info.name.to_string(),
            account: info.account.to_string(),
            kind,
            admin: admin.map(|s| s.conditions),
            elevated_admin,
        };
        let names = [
            info.arn.to_string(),
            info.caller.clone(),
            info.name.to_string(),
        ];
        self.push_node(node, &names, may);
    }

    /// A principal outside the world named by a trust policy: `None` when it is not one.
    fn external_node(&mut self, arn: &str) -> Option<usize> {
        if let Some(&i) = self.graph.by_name.get(arn) {
            return Some(i);
        }
        let p = Principal::parse(Some(arn)).ok()?;
        let (caller, name) = match &p {
            Principal::Root { account } => (arn.to_string(), format!("root of {account}")),
            Principal::User { name, .. } => (arn.to_string(), name.clone()),
            Principal::AssumedRole { account, role, .. } => (
                format!("arn:aws:sts::{account}:assumed-role/{role}/polcheck"),
                role.clone(),
            ),
            _ => return None,
        };
        let node = Node {
            arn: arn.to_string(),
            caller,
            name,
            account: p.account().unwrap_or_default().to_string(),
            kind: NodeKind::External,
            admin: None,
            elevated_admin: false,
        };
        Some(self.push_node(node, &[arn.to_string()], HashSet::new()))
    }

    /// One step decided by the engine.
    fn step(
        &self,
        caller: &str,
        action: &str,
        resource: &str,
        given: &[(String, String)],
        tolerated: Tolerated,
    ) -> Option<Step> {
        let req = witness::request(caller, action, resource, given)?;
        let conditions = witness::decide(self.engine, self.world, &req, tolerated)?;
        Some(Step {
            caller: caller.to_string(),
            action: action.to_string(),
            resource: resource.to_string(),
            given: given.to_vec(),
            conditions,
            may_lack: tolerated,
        })
    }

    fn world_nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind != NodeKind::External)
            .map(|(i, _)| i)
    }

    fn node_of(&self, i: usize) -> Option<&Node> {
        self.graph.nodes.get(i)
    }

    /// Whether node `i` may be allowed every one of `actions`. Admins (unconditional) are
    /// left out: they can already do anything, so their escalation edges add nothing.
    fn may(&self, i: usize, actions: &[&str]) -> bool {
        let admin = self
            .node_of(i)
            .is_some_and(|n| n.admin.as_ref().is_some_and(Vec::is_empty));
        !admin
            && self
                .may
                .get(i)
                .is_some_and(|m| actions.iter().all(|a| m.contains(a)))
    }

    /// The nodes a trust policy statement's principal names, and the services it names.
    fn trusted(&mut self, info: &PrincipalInfo<'_>) -> (Vec<usize>, Vec<String>) {
        let Some(trust) = info.trust else {
            return (Vec::new(), Vec::new());
        };
        let mut nodes = BTreeSet::new();
        let mut services = Vec::new();
        let everyone = |b: &Self, nodes: &mut BTreeSet<usize>| nodes.extend(b.world_nodes());
        for s in &trust.policy.statements {
            let Some(p) = &s.principal else { continue };
            if s.effect != Effect::Allow {
                continue;
            }
            if p.negated || p.everyone {
                everyone(self, &mut nodes);
                continue;
            }
            for (kind, value) in &p.entries {
                match kind {
                    PrincipalKind::Service => services.push(value.clone()),
                    PrincipalKind::Aws if value == "*" => everyone(self, &mut nodes),
                    PrincipalKind::Aws => self.named(value, &mut nodes),
                    _ => {}
                }
            }
        }
        (nodes.into_iter().collect(), services)
    }

    /// The nodes an `AWS` principal entry names: an account's principals (or its root, when
    /// the world holds none of them), a user, a role, a session's role.
    fn named(&mut self, value: &str, nodes: &mut BTreeSet<usize>) {
        let account = match Principal::parse(Some(value)) {
            Ok(Principal::Root { account }) => Some(account),
            _ => None,
        };
        if let Some(account) = account {
            let before = nodes.len();
            // A trust policy naming an account allows nothing alone: only the account's
            // principals whose identity policies may allow `sts:AssumeRole` are asked.
            let members: Vec<usize> = self
                .world_nodes()
                .filter(|&i| {
                    self.node_of(i).is_some_and(|n| n.account == account)
                        && self
                            .may
                            .get(i)
                            .is_some_and(|m| m.contains("sts:AssumeRole"))
                })
                .collect();
            let any_member = self
                .world_nodes()
                .any(|i| self.node_of(i).is_some_and(|n| n.account == account));
            nodes.extend(members);
            if nodes.len() == before && !any_member {
                let root = format!("arn:aws:iam::{account}:root");
                nodes.extend(self.external_node(&root));
            }
            return;
        }
        let role_arn = match Principal::parse(Some(value)) {
            Ok(Principal::AssumedRole { .. }) if value.starts_with("arn:aws:sts:") => {
                Principal::parse(Some(value))
                    .ok()
                    .and_then(|p| p.principal_arn())
            }
            _ => None,
        };
        let arn = role_arn.unwrap_or_else(|| value.to_string());
        match self.graph.by_name.get(&arn) {
            Some(&i) => {
                nodes.insert(i);
            }
            None => nodes.extend(self.external_node(&arn)),
        }
    }

    fn assume_role_edges(&mut self, infos: &[PrincipalInfo<'_>]) {
        let method = method("assume-role");
        for info in infos.iter().filter(|i| i.kind == PrincipalType::Role) {
            let Some(&role) = self.graph.by_name.get(info.arn) else {
                continue;
            };
            let (callers, services) = self.trusted(info);
            for c in callers.into_iter().filter(|&c| c != role) {
                let Some(from) = self.node_of(c).cloned() else {
                    continue;
                };
                let external = from.kind == NodeKind::External;
                let tolerated = if external { IDENTITY } else { NONE };
                let Some(step) =
                    self.step(&from.caller, "sts:AssumeRole", info.arn, &[], tolerated)
                else {
                    continue;
                };
                let note = (external && !matches!(Principal::parse(Some(&from.caller)), Ok(Principal::Root { .. })))
                    .then(|| format!("needs an identity allow in account {}, whose policies are not in the world", from.account));
                let note = note.or_else(|| {
                    (external).then(|| {
                        format!(
                            "any principal of account {} that its own policies allow",
                            from.account
                        )
                    })
                });
                self.graph.add_edge(Edge {
                    from: c,
                    to: role,
                    elevates: false,
                    method,
                    steps: vec![step],
                    then: Vec::new(),
                    note,
                });
            }
            for service in services {
                if let Some(step) = self.step(&service, "sts:AssumeRole", info.arn, &[], NONE) {
                    self.service_roles
                        .entry(service.to_ascii_lowercase())
                        .or_default()
                        .push((role, step));
                }
            }
        }
    }

    fn pass_role_edges(&mut self) {
        for m in METHODS {
            let Shape::PassRole { service, create } = m.shape else {
                continue;
            };
            let Some(roles) = self.service_roles.get(service).cloned() else {
                continue;
            };
            let callers: Vec<usize> = self
                .world_nodes()
                .filter(|&i| self.may(i, m.needs))
                .collect();
            for p in callers {
                let Some(from) = self.node_of(p).cloned() else {
                    continue;
                };
                let creates: Option<Vec<Step>> = create
                    .iter()
                    .map(|(a, t)| {
                        let resource = fill(t, &from.account, &self.region);
                        self.step(&from.caller, a, &resource, &[], NONE)
                    })
                    .collect();
                let Some(creates) = creates else { continue };
                let given = [("iam:PassedToService".to_string(), service.to_string())];
                for (r, assumed) in &roles {
                    let Some(role) = self.node_of(*r).cloned() else {
                        continue;
                    };
                    if *r == p || role.account != from.account {
                        continue;
                    }
                    let Some(pass) =
                        self.step(&from.caller, "iam:PassRole", &role.arn, &given, NONE)
                    else {
                        continue;
                    };
                    let mut steps = vec![pass];
                    steps.extend(creates.iter().cloned());
                    steps.push(assumed.clone());
                    self.graph.add_edge(Edge {
                        from: p,
                        to: *r,
                        elevates: false,
                        method: m,
                        steps,
                        then: Vec::new(),
                        note: None,
                    });
                }
            }
        }
    }

    fn credential_edges(&mut self) {
        for m in METHODS {
            let user_target = matches!(m.shape, Shape::UserCredentials);
            if !user_target && !matches!(m.shape, Shape::UpdateTrust) {
                continue;
            }
            let Some(&action) = m.needs.first() else {
                continue;
            };
            let callers: Vec<usize> = self
                .world_nodes()
                .filter(|&i| self.may(i, &[action]))
                .collect();
            for p in callers {
                let Some(from) = self.node_of(p).cloned() else {
                    continue;
                };
                let wanted = if user_target {
                    NodeKind::User
                } else {
                    NodeKind::Role
                };
                let targets: Vec<usize> = self
                    .world_nodes()
                    .filter(|&t| {
                        t != p
                            && self
                                .node_of(t)
                                .is_some_and(|n| n.kind == wanted && n.account == from.account)
                    })
                    .collect();
                for t in targets {
                    let Some(to) = self.node_of(t).cloned() else {
                        continue;
                    };
                    let Some(first) = self.step(&from.caller, action, &to.arn, &[], NONE) else {
                        continue;
                    };
                    let mut steps = vec![first];
                    if !user_target {
                        let Some(assume) = self.step(
                            &from.caller,
                            "sts:AssumeRole",
                            &to.arn,
                            &[],
                            TRUST_REWRITTEN,
                        ) else {
                            continue;
                        };
                        steps.push(assume);
                    }
                    self.graph.add_edge(Edge {
                        from: p,
                        to: t,
                        elevates: false,
                        method: m,
                        steps,
                        then: Vec::new(),
                        note: (!user_target).then(|| {
                            "the trust policy is rewritten to name the caller first".to_string()
                        }),
                    });
                }
            }
        }
    }

    /// The act-as edges from `from` to `to`, shortest first (breadth-first).
    fn act_as_path(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        if from == to {
            return Some(Vec::new());
        }
        let mut parent: HashMap<usize, usize> = HashMap::new();
        let mut seen = HashSet::from([from]);
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            for &e in self.graph.edges_from(n) {
                let Some(edge) = self.graph.edges.get(e) else {
                    continue;
                };
                if edge.elevates || !seen.insert(edge.to) {
                    continue;
                }
                parent.insert(edge.to, e);
                if edge.to == to {
                    let mut path = vec![e];
                    let mut at = n;
                    while at != from {
                        let pe = *parent.get(&at)?;
                        path.push(pe);
                        at = self.graph.edges.get(pe)?.from;
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(edge.to);
            }
        }
        None
    }

    fn elevating_edges(&mut self, infos: &[PrincipalInfo<'_>]) {
        // Who holds each customer-managed policy, directly or through a group.
        let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
        for info in infos {
            let Some(&i) = self.graph.by_name.get(info.arn) else {
                continue;
            };
            for m in info
                .managed
                .iter()
                .chain(info.groups.iter().flat_map(|g| g.managed.iter()))
            {
                holders.entry(m.as_str()).or_default().push(i);
            }
            for g in &info.groups {
                members.entry(g.arn).or_default().push(i);
            }
        }
        let groups = self.world.group_infos();
        let mut facts: Vec<(usize, usize, &'static Method, Step)> = Vec::new();
        let callers: Vec<usize> = self.world_nodes().collect();
        for m in METHODS {
            let Some(&action) = m.needs.first() else {
                continue;
            };
            for &q in &callers {
                if !self.may(q, &[action]) {
                    continue;
                }
                let Some(from) = self.node_of(q).cloned() else {
                    continue;
                };
                // (resource, the principals that gain) for this method.
                let mut asks: Vec<(String, Vec<usize>)> = Vec::new();
                match m.shape {
                    Shape::Modify { target } => {
                        let kind = match target {
                            Target::User => NodeKind::User,
                            Target::Role => NodeKind::Role,
                        };
                        for t in self.world_nodes() {
                            if let Some(n) = self
                                .node_of(t)
                                .filter(|n| n.kind == kind && n.account == from.account)
                            {
                                asks.push((n.arn.clone(), vec![t]));
                            }
                        }
                    }
                    Shape::ModifyGroup => {
                        for g in groups
                            .iter()
                            .filter(|g| account_of(g.arn) == Some(from.account.as_str()))
                        {
                            asks.push((
                                g.arn.to_string(),
                                members.get(g.arn).cloned().unwrap_or_default(),
                            ));
                        }
                    }
                    Shape::CreatePolicyVersion => {
                        for (policy, who) in &holders {
                            if account_of(policy) == Some(from.account.as_str()) {
                                asks.push((policy.to_string(), who.clone()));
                            }
                        }
                    }
                    Shape::SetDefaultPolicyVersion => {
                        for (policy, who) in &holders {
                            let versions = self.world.other_policy_versions(policy);
                            let admin_version = versions.iter().any(|(name, v, p)| {
                                allows_everything(&[NamedPolicy {
                                    name: format!("{name} {v}"),
                                    policy: std::sync::Arc::new((*p).clone()),
                                }])
                            });
                            if admin_version && account_of(policy) == Some(from.account.as_str()) {
                                asks.push((policy.to_string(), who.clone()));
                            }
                        }
                    }
                    Shape::AddUserToGroup => {
                        let mut users: Vec<usize> = Vec::new();
                        if from.kind == NodeKind::User {
                            users.push(q);
                        }
                        for g in groups
                            .iter()
                            .filter(|g| account_of(g.arn) == Some(from.account.as_str()))
                        {
                            if allows_everything(g.policies) {
                                asks.push((g.arn.to_string(), users.clone()));
                            }
                        }
                    }
                    _ => {}
                }
                for (resource, gainers) in asks {
                    let gainers: Vec<usize> = gainers
                        .into_iter()
                        .filter(|&g| {
                            self.node_of(g)
                                .is_some_and(|n| n.elevated_admin && n.admin.is_none())
                        })
                        .collect();
                    if gainers.is_empty() {
                        continue;
                    }
                    let Some(step) = self.step(&from.caller, action, &resource, &[], NONE) else {
                        continue;
                    };
                    for g in gainers {
                        facts.push((q, g, m, step.clone()));
                    }
                }
            }
        }
        for (q, x, m, step) in facts {
            let Some(then) = self.act_as_path(q, x) else {
                continue;
            };
            self.graph.add_edge(Edge {
                from: q,
                to: x,
                elevates: true,
                method: m,
                steps: vec![step],
                then,
                note: None,
            });
        }
    }
}

fn method(id: &str) -> &'static Method {
    super::methods::method(id).unwrap_or(&ASSUME_FALLBACK)
}

/// Never used: `assume-role` is in the catalogue (checked by a test).
const ASSUME_FALLBACK: Method = Method {
    id: "assume-role",
    needs: &["sts:AssumeRole"],
    grants: "acts as the role",
    shape: Shape::AssumeRole,
};

fn account_of(arn: &str) -> Option<&str> {
    crate::arn::Arn::parse(arn).map(|a| a.account)
}

/// Whether these policies alone (no boundary, no SCP: those of the principal that gains them
/// are checked by its `elevated_admin`) allow `*` on `*`, decided as `simulate-custom-policy`
/// would.
fn allows_everything(policies: &[NamedPolicy]) -> bool {
    let inputs = PolicyInputs {
        identity: Some(policies.to_vec()),
        ..PolicyInputs::default()
    };
    let Ok(req) = crate::request::Request::new(
        Some("arn:aws:iam::000000000000:user/polcheck"),
        "*",
        "*",
        Default::default(),
    ) else {
        return false;
    };
    decide_outcome(&inputs.compile().alone(), &req).0 == Outcome::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assume_role_is_in_the_catalogue() {
        assert!(super::super::methods::method("assume-role").is_some());
        assert_eq!(method("assume-role").id, "assume-role");
    }

    #[test]
    fn may_allow_reads_action_and_not_action() {
        let p = crate::policy::Policy::parse(
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:Put*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}"#,
        )
        .unwrap();
        let may = may_allow(&[NamedPolicy::new("p", p)]);
        assert!(may.contains("iam:PutUserPolicy"));
        assert!(may.contains("lambda:CreateFunction"));
        assert!(!may.contains("iam:PassRole"));
    }
}
