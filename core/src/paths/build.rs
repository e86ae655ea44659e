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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::arn::ArnPattern;
use crate::compile::{NamedPolicy, PolicySet};
use crate::context::Context;
use crate::decide::{decide_outcome, Outcome, PolicyKind};
use crate::engine::Engine;
use crate::inputs::PolicyInputs;
use crate::policy::{Effect, PrincipalClause, PrincipalKind};
use crate::principal::{Principal, PrincipalMatch};
use crate::request::Caller;
use crate::world::{PrincipalInfo, PrincipalType, World};

use super::methods::{fill, Method, Shape, Target, METHODS};
use super::witness::{self, Tolerated};
use super::{Edge, Graph, Node, NodeKind, Options, PathError, Step};

const NONE: Tolerated = &[];
const IDENTITY: Tolerated = &[PolicyKind::Identity];
const TRUST_REWRITTEN: Tolerated = &[PolicyKind::Resource, PolicyKind::Identity];

/// What [`Builder::world_node`] computes for one principal.
type WorldNode = (
    Node,
    [String; 3],
    HashSet<&'static str>,
    Option<(Principal, PolicySet)>,
    Option<Caller>,
);

/// `f` over `items` on every core (std threads, in chunks), in order; one thread where
/// threads are unavailable (wasm) or not worth it.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads > 1 && items.len() > 1 {
            let size = items.len().div_ceil(threads);
            let f = &f;
            return std::thread::scope(|s| {
                let handles: Vec<_> = items
                    .chunks(size)
                    .map(|chunk| {
                        (
                            chunk,
                            s.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()),
                        )
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|(chunk, h)| {
                        // A thread that panicked is redone here (and panics here, as it would
                        // have without threads).
                        h.join()
                            .unwrap_or_else(|_| chunk.iter().map(f).collect::<Vec<R>>())
                    })
                    .collect()
            });
        }
    }
    items.iter().map(f).collect()
}

/// A running instance with an instance profile whose role EC2 may assume
/// ([`Builder::profiled_instances`]).
struct ProfiledInstance {
    arn: String,
    region: String,
    account: String,
    role: usize,
    /// `ec2.amazonaws.com` assuming the role.
    assumed: Step,
}

struct Builder<'a> {
    engine: &'a Engine,
    world: &'a World,
    region: String,
    graph: Graph,
    /// Skip the requests that [`Builder::may_assume`] shows the engine would deny (always,
    /// except in the test that compares the graph with and without it).
    prune: bool,
    /// For each node, the needed actions (lowercased) its identity policies may allow.
    may: Vec<HashSet<&'static str>>,
    /// For each world node, the caller and the identity set the engine decides it with.
    callers: Vec<Option<(Principal, PolicySet)>>,
    /// Each node's caller as [`Engine::caller`] reads it, by its `caller` string: read once,
    /// so the node's many requests skip reading and looking up the caller again.
    prepared: HashMap<String, Caller>,
    /// Roles each service principal may assume, with the step that says so.
    service_roles: HashMap<String, Vec<(usize, Step)>>,
    ambiguous: HashSet<String>,
}

impl Graph {
    /// Builds the principal graph of the engine's world.
    pub fn build(engine: &Engine, options: &Options) -> Result<Graph, PathError> {
        Graph::build_with(engine, options, true)
    }

    /// [`Graph::build`], asking the engine every candidate pair when `prune` is `false` (the
    /// reference the pruned build is tested against).
    pub(super) fn build_with(
        engine: &Engine,
        options: &Options,
        prune: bool,
    ) -> Result<Graph, PathError> {
        let world = engine.world().ok_or(PathError::NoWorld)?;
        let infos = world.principal_infos();
        let mut b = Builder {
            engine,
            world,
            region: options.region.clone(),
            graph: Graph::default(),
            prune,
            may: Vec::new(),
            callers: Vec::new(),
            prepared: HashMap::new(),
            service_roles: HashMap::new(),
            ambiguous: HashSet::new(),
        };
        let needed = needed_lowercase();
        let nodes = par_map(&infos, |info| b.world_node(info, &needed));
        for (node, names, may, caller, prepared) in nodes {
            if let Some(p) = prepared {
                b.prepared.insert(node.caller.clone(), p);
            }
            b.push_node(node, &names, may, caller);
        }
        b.assume_role_edges(&infos);
        b.pass_role_edges();
        b.instance_command_edges(&infos);
        b.credential_edges();
        b.elevating_edges(&infos);
        Ok(b.graph)
    }
}

/// Whether some Allow statement of `set` names `action` (lowercased) and `resource`, whatever
/// the context: conditions are not read, and a resource pattern with a policy variable counts
/// as naming every resource. `false` means no context makes the set allow the request.
fn may_apply(set: &PolicySet, action: &str, resource: &str) -> bool {
    let empty = Context::new();
    (0..set.len())
        .filter_map(|i| set.statement(i))
        .filter(|s| s.effect == Effect::Allow && s.action_matches(action))
        .any(|s| match s.resource_patterns() {
            None => true,
            Some((negated, patterns)) => {
                patterns.iter().any(ArnPattern::has_variables)
                    || patterns.iter().any(|p| p.is_match(resource, &empty)) != negated
            }
        })
}

/// Every action a method needs, with its lowercased form (how compiled statements match).
fn needed_lowercase() -> Vec<(&'static str, String)> {
    let needed: BTreeSet<&'static str> = METHODS
        .iter()
        .flat_map(|m| m.needs.iter().copied())
        .collect();
    needed
        .into_iter()
        .map(|a| (a, a.to_ascii_lowercase()))
        .collect()
}

/// The needed actions some Allow statement of this compiled identity set names (by `Action`
/// or `NotAction` alone: resources and conditions are not read).
fn may_allow(set: &PolicySet, needed: &[(&'static str, String)]) -> HashSet<&'static str> {
    let allows: Vec<_> = (0..set.len())
        .filter_map(|i| set.statement(i))
        .filter(|s| s.effect == Effect::Allow)
        .collect();
    needed
        .iter()
        .filter(|(_, lower)| allows.iter().any(|s| s.action_matches(lower)))
        .map(|(a, _)| *a)
        .collect()
}

impl Builder<'_> {
    fn push_node(
        &mut self,
        node: Node,
        names: &[String],
        may: HashSet<&'static str>,
        caller: Option<(Principal, PolicySet)>,
    ) -> usize {
        let id = self.graph.nodes.len();
        // A plain name held by two principals finds neither (an ARN finds the last holder).
        // Each name is looked at once: no pass over every ambiguous name per node, which on
        // an estate of many accounts with the same role names would grow with their product.
        for n in names {
            let plain = !n.contains(':');
            if plain && self.ambiguous.contains(n) {
                continue;
            }
            if self.graph.by_name.insert(n.clone(), id).is_some() && plain {
                self.graph.by_name.remove(n);
                self.ambiguous.insert(n.clone());
            }
        }
        self.graph.nodes.push(node);
        self.graph.out.push(Vec::new());
        self.may.push(may);
        self.callers.push(caller);
        id
    }

    /// A world principal's node, with its names, the needed actions it may be allowed and
    /// what the engine decides it with.
    fn world_node(&self, info: &PrincipalInfo<'_>, needed: &[(&'static str, String)]) -> WorldNode {
        let kind = match info.kind {
            PrincipalType::User => NodeKind::User,
            PrincipalType::Role => NodeKind::Role,
        };
        let prepared = self.engine.caller(Some(&info.caller)).ok();
        let request = |action: &str| {
            prepared
                .as_ref()
                .and_then(|c| witness::request_as(self.engine, c, action, "*", &[]))
        };
        // Admin, and admin once given any identity policy: one request, two tolerances.
        let (admin, elevated_admin) = match request("*") {
            Some(req) => {
                let mut both =
                    witness::decide_each(self.engine, self.world, &req, &[NONE, IDENTITY])
                        .into_iter();
                let admin = both.next().flatten();
                let elevated = admin.is_some() || both.next().flatten().is_some();
                (admin, elevated)
            }
            None => (None, false),
        };
        // The caller's identity set as the engine decides it (the world's policies of the
        // caller, with the engine's own on top).
        let mut caller = None;
        let may = request("iam:PassRole")
            .map(|req| {
                let identity = self.engine.layers(&req).identity.clone();
                let may = may_allow(&identity, needed);
                caller = Some((req.principal().clone(), identity));
                may
            })
            .unwrap_or_default();
        let node = Node {
            arn: info.arn.to_string(),
            caller: info.caller.clone(),
            name: info.name.to_string(),
            account: info.account.to_string(),
            kind,
            admin,
            elevated_admin,
        };
        let names = [
            info.arn.to_string(),
            info.caller.clone(),
            info.name.to_string(),
        ];
        (node, names, may, caller, prepared)
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
        Some(self.push_node(node, &[arn.to_string()], HashSet::new(), None))
    }

    /// The node of an identity provider a trust policy names with `Federated`.
    fn provider_node(&mut self, value: &str) -> Option<usize> {
        let caller = if value.starts_with("arn:") {
            value.to_string()
        } else {
            format!("federated:{value}")
        };
        if let Some(&i) = self.graph.by_name.get(&caller) {
            return Some(i);
        }
        let p = Principal::parse(Some(&caller)).ok()?;
        let Principal::IdentityProvider { provider } = &p else {
            return None;
        };
        let arn = crate::arn::Arn::parse(provider);
        let name = arn
            .as_ref()
            .and_then(|a| a.resource.split_once('/'))
            .map_or(provider.as_str(), |(_, rest)| rest)
            .to_string();
        let node = Node {
            arn: provider.clone(),
            caller: caller.clone(),
            name,
            account: arn.map(|a| a.account.to_string()).unwrap_or_default(),
            kind: NodeKind::IdentityProvider,
            admin: None,
            elevated_admin: false,
        };
        let mut names = vec![caller];
        if !names.contains(provider) {
            names.push(provider.clone());
        }
        Some(self.push_node(node, &names, HashSet::new(), None))
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
        let req = match self.prepared.get(caller) {
            Some(c) => witness::request_as(self.engine, c, action, resource, given)?,
            None => witness::request(self.engine, caller, action, resource, given)?,
        };
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
            .filter(|(_, n)| matches!(n.kind, NodeKind::User | NodeKind::Role))
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

    /// The `Principal` elements of the Allow statements of the policies the engine reads as
    /// the role's trust policy; `None` when the request cannot be made.
    fn trust_grants(&self, info: &PrincipalInfo<'_>) -> Option<Vec<PrincipalClause>> {
        let req = witness::request(self.engine, &info.caller, "sts:AssumeRole", info.arn, &[])?;
        let layers = self.engine.layers(&req);
        Some(
            layers
                .resource
                .iter()
                .flat_map(|set| set.policies())
                .flat_map(|np| np.policy().statements.iter())
                .filter(|s| s.effect == Effect::Allow)
                .filter_map(|s| s.principal.clone())
                .collect(),
        )
    }

    /// `false` only when the engine is sure to refuse world node `c` `sts:AssumeRole` on the
    /// role, whatever context is tried: no Allow of the trust policy (`grants`) names the
    /// caller more strongly than by its account, so the decision needs an identity allow
    /// (IAM User Guide, "Cross-account policy evaluation logic" and "Policy evaluation logic",
    /// which `decide::outcome` follows), and no identity Allow statement of the caller names
    /// the action and the role (conditions aside: context can only meet them). Callers outside
    /// the world, and patterns with policy variables, are always asked.
    ///
    /// `strong` is [`names_more_than_accounts`] of `grants`: when `false`, no clause can name
    /// a user or role more strongly than by its account, and the clauses are not matched
    /// against each caller (a trust policy naming only accounts is asked of every principal
    /// of them).
    fn may_assume(
        &self,
        c: usize,
        grants: Option<&[PrincipalClause]>,
        strong: bool,
        role_arn: &str,
    ) -> bool {
        let (Some(grants), Some(Some((caller, identity)))) = (grants, self.callers.get(c)) else {
            return true;
        };
        let named = strong
            && grants.iter().any(|clause| {
                caller
                    .matched_by(clause)
                    .is_some_and(|m| m > PrincipalMatch::Account)
            });
        named || may_apply(identity, "sts:assumerole", role_arn)
    }

    /// The nodes a trust policy statement's principal names, and the services it names.
    fn trusted(&mut self, info: &PrincipalInfo<'_>) -> (Vec<usize>, Vec<String>) {
        let Some(trust) = info.trust else {
            return (Vec::new(), Vec::new());
        };
        let mut nodes = BTreeSet::new();
        let mut services = Vec::new();
        let everyone = |b: &Self, nodes: &mut BTreeSet<usize>| nodes.extend(b.world_nodes());
        for s in &trust.policy().statements {
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
                    PrincipalKind::Federated => nodes.extend(self.provider_node(value)),
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
        // Who each trust policy names (this adds the external nodes, in order), then every
        // decision on every core, then the edges in the same order.
        let mut work = Vec::new();
        for info in infos.iter().filter(|i| i.kind == PrincipalType::Role) {
            let Some(&role) = self.graph.by_name.get(info.arn) else {
                continue;
            };
            let (callers, services) = self.trusted(info);
            work.push((info, role, callers, services));
        }
        let decided = par_map(&work, |(info, role, callers, services)| {
            let grants = if self.prune {
                self.trust_grants(info)
            } else {
                None
            };
            let strong = grants.as_deref().is_none_or(names_more_than_accounts);
            let edges: Vec<Edge> = callers
                .iter()
                .copied()
                .filter(|&c| c != *role && self.may_assume(c, grants.as_deref(), strong, info.arn))
                .filter_map(|c| self.assume_edge(method, c, *role, info.arn))
                .collect();
            let assumed: Vec<(String, Step)> = services
                .iter()
                .filter_map(|service| {
                    let step = self.step(service, "sts:AssumeRole", info.arn, &[], NONE)?;
                    Some((service.to_ascii_lowercase(), step))
                })
                .collect();
            (*role, edges, assumed)
        });
        for (role, edges, assumed) in decided {
            for edge in edges {
                self.graph.add_edge(edge);
            }
            for (service, step) in assumed {
                self.service_roles
                    .entry(service)
                    .or_default()
                    .push((role, step));
            }
        }
    }

    /// The edge `c` → `role` when the engine lets `c` assume it.
    fn assume_edge(
        &self,
        method: &'static Method,
        c: usize,
        role: usize,
        arn: &str,
    ) -> Option<Edge> {
        let from = self.node_of(c)?;
        if from.kind == NodeKind::IdentityProvider {
            let (id, action) = if from.caller.contains(":saml-provider/") {
                ("assume-role-saml", "sts:AssumeRoleWithSAML")
            } else {
                ("assume-role-web-identity", "sts:AssumeRoleWithWebIdentity")
            };
            let step = self.step(&from.caller, action, arn, &[], NONE)?;
            return Some(Edge {
                from: c,
                to: role,
                elevates: false,
                method: self::method(id),
                steps: vec![step],
                then: Vec::new(),
                note: None,
            });
        }
        let external = from.kind == NodeKind::External;
        let tolerated = if external { IDENTITY } else { NONE };
        let step = self.step(&from.caller, "sts:AssumeRole", arn, &[], tolerated)?;
        let note = (external
            && !matches!(
                Principal::parse(Some(&from.caller)),
                Ok(Principal::Root { .. })
            ))
        .then(|| {
            format!(
                "needs an identity allow in account {}, whose policies are not in the world",
                from.account
            )
        });
        let note = note.or_else(|| {
            (external).then(|| {
                format!(
                    "any principal of account {} that its own policies allow",
                    from.account
                )
            })
        });
        Some(Edge {
            from: c,
            to: role,
            elevates: false,
            method,
            steps: vec![step],
            then: Vec::new(),
            note,
        })
    }

    fn pass_role_edges(&mut self) {
        for m in METHODS {
            let Shape::PassRole { service, create } = m.shape else {
                continue;
            };
            let Some(roles) = self.service_roles.get(service) else {
                continue;
            };
            let callers: Vec<usize> = self
                .world_nodes()
                .filter(|&i| self.may(i, m.needs))
                .collect();
            let edges = par_map(&callers, |&p| {
                self.pass_role_from(m, service, create, roles, p)
            });
            for edge in edges.into_iter().flatten() {
                self.graph.add_edge(edge);
            }
        }
    }

    /// The edges of pass-role method `m` from node `p`, in the order of `roles`.
    fn pass_role_from(
        &self,
        m: &'static Method,
        service: &str,
        create: &[(&str, &str)],
        roles: &[(usize, Step)],
        p: usize,
    ) -> Vec<Edge> {
        let Some(from) = self.node_of(p) else {
            return Vec::new();
        };
        let creates: Option<Vec<Step>> = create
            .iter()
            .map(|(a, t)| {
                let resource = fill(t, &from.account, &self.region);
                self.step(&from.caller, a, &resource, &[], NONE)
            })
            .collect();
        let Some(creates) = creates else {
            return Vec::new();
        };
        let given = [("iam:PassedToService".to_string(), service.to_string())];
        let mut out = Vec::new();
        for (r, assumed) in roles {
            let Some(role) = self.node_of(*r) else {
                continue;
            };
            if *r == p || role.account != from.account {
                continue;
            }
            let Some(pass) = self.step(&from.caller, "iam:PassRole", &role.arn, &given, NONE)
            else {
                continue;
            };
            let mut steps = Vec::with_capacity(creates.len() + 2);
            steps.push(pass);
            steps.extend(creates.iter().cloned());
            steps.push(assumed.clone());
            out.push(Edge {
                from: p,
                to: *r,
                elevates: false,
                method: m,
                steps,
                then: Vec::new(),
                note: None,
            });
        }
        out
    }

    /// The running EC2 instances whose instance profile's role is in the world and lets
    /// `ec2.amazonaws.com` assume it: the instance's ARN, region and account, the role's node,
    /// and the step by which EC2 assumes the role. The join is the network export's
    /// `IamInstanceProfile.Arn` against the roles' `InstanceProfileList[].Arn`.
    #[cfg(not(feature = "network"))]
    fn profiled_instances(&self, _infos: &[PrincipalInfo<'_>]) -> Vec<ProfiledInstance> {
        Vec::new()
    }

    /// The running EC2 instances whose instance profile's role is in the world and lets
    /// `ec2.amazonaws.com` assume it (see the other cfg of this function).
    #[cfg(feature = "network")]
    fn profiled_instances(&self, infos: &[PrincipalInfo<'_>]) -> Vec<ProfiledInstance> {
        let mut role_of: HashMap<&str, usize> = HashMap::new();
        for info in infos.iter().filter(|i| i.kind == PrincipalType::Role) {
            if let Some(&r) = self.graph.by_name.get(info.arn) {
                for p in info.instance_profiles {
                    role_of.insert(p.as_str(), r);
                }
            }
        }
        if role_of.is_empty() {
            return Vec::new();
        }
        let assumed_by_ec2: HashMap<usize, &Step> = self
            .service_roles
            .get("ec2.amazonaws.com")
            .map(|roles| roles.iter().map(|(r, step)| (*r, step)).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        if let Some(network) = self.engine.network() {
            for instance in network.instances() {
                let running = instance
                    .state
                    .as_deref()
                    .is_none_or(|s| !crate::network::model::NOT_RUNNING.contains(&s));
                let Some(&role) = instance
                    .instance_profile
                    .as_deref()
                    .and_then(|p| role_of.get(p))
                else {
                    continue;
                };
                let (Some(node), Some(assumed), true) =
                    (self.node_of(role), assumed_by_ec2.get(&role), running)
                else {
                    continue;
                };
                // `us-east-1a` is in `us-east-1`; without a zone, the graph's region.
                let region = instance.availability_zone.as_deref().map_or_else(
                    || self.region.clone(),
                    |z| {
                        z.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                            .to_string()
                    },
                );
                let account = instance
                    .owner_id
                    .clone()
                    .unwrap_or_else(|| node.account.clone());
                out.push(ProfiledInstance {
                    arn: format!("arn:aws:ec2:{region}:{account}:instance/{}", instance.id),
                    region,
                    account,
                    role,
                    assumed: (*assumed).clone(),
                });
            }
        }
        out
    }

    /// The edges of the methods that run commands on an instance (`ssm-send-command`,
    /// `ssm-start-session`): caller → the instance profile's role.
    fn instance_command_edges(&mut self, infos: &[PrincipalInfo<'_>]) {
        let instances = self.profiled_instances(infos);
        if instances.is_empty() {
            return;
        }
        for m in METHODS {
            let Shape::InstanceCommand { action, document } = m.shape else {
                continue;
            };
            let callers: Vec<usize> = self
                .world_nodes()
                .filter(|&i| self.may(i, m.needs))
                .collect();
            let edges = par_map(&callers, |&p| {
                self.instance_command_from(m, action, document, &instances, p)
            });
            for edge in edges.into_iter().flatten() {
                self.graph.add_edge(edge);
            }
        }
    }

    /// The edges of instance-command method `m` from node `p`: one per role, by the first
    /// instance (in export order) of the caller's account that the engine lets it reach.
    /// Steps: the action on the instance, the action on the document, EC2 assuming the role.
    fn instance_command_from(
        &self,
        m: &'static Method,
        action: &str,
        document: &str,
        instances: &[ProfiledInstance],
        p: usize,
    ) -> Vec<Edge> {
        let Some(from) = self.node_of(p) else {
            return Vec::new();
        };
        let mut documents: HashMap<&str, Option<Step>> = HashMap::new();
        let mut reached = HashSet::new();
        let mut out = Vec::new();
        for inst in instances {
            if inst.role == p || inst.account != from.account || reached.contains(&inst.role) {
                continue;
            }
            let Some(on_instance) = self.step(&from.caller, action, &inst.arn, &[], NONE) else {
                continue;
            };
            let on_document = documents
                .entry(inst.region.as_str())
                .or_insert_with(|| {
                    let arn = fill(document, &from.account, &inst.region);
                    self.step(&from.caller, action, &arn, &[], NONE)
                })
                .clone();
            let Some(on_document) = on_document else {
                continue;
            };
            reached.insert(inst.role);
            out.push(Edge {
                from: p,
                to: inst.role,
                elevates: false,
                method: m,
                steps: vec![on_instance, on_document, inst.assumed.clone()],
                then: Vec::new(),
                note: None,
            });
        }
        out
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

    /// For each node, the act-as edge by which a breadth-first walk from `from` first reaches
    /// it: the tree [`Builder::act_as_path`] walks, whole.
    fn act_as_tree(&self, from: usize) -> Vec<Option<usize>> {
        let mut parent: Vec<Option<usize>> = vec![None; self.graph.nodes.len()];
        let mut seen = vec![false; self.graph.nodes.len()];
        if let Some(s) = seen.get_mut(from) {
            *s = true;
        }
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            for &e in self.graph.edges_from(n) {
                let Some(edge) = self.graph.edges.get(e) else {
                    continue;
                };
                let Some(s) = seen.get_mut(edge.to) else {
                    continue;
                };
                if edge.elevates || *s {
                    continue;
                }
                *s = true;
                if let Some(p) = parent.get_mut(edge.to) {
                    *p = Some(e);
                }
                queue.push_back(edge.to);
            }
        }
        parent
    }

    /// The path from `from` to `to` in a tree of [`Builder::act_as_tree`]: what
    /// [`Builder::act_as_path`] finds.
    fn path_in(&self, tree: &[Option<usize>], from: usize, to: usize) -> Option<Vec<usize>> {
        if from == to {
            return Some(Vec::new());
        }
        let mut path = Vec::new();
        let mut at = to;
        while at != from {
            let e = (*tree.get(at)?)?;
            path.push(e);
            at = self.graph.edges.get(e)?.from;
        }
        path.reverse();
        Some(path)
    }

    /// The act-as edges from `from` to `to`, shortest first (breadth-first).
    #[cfg(test)]
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
        // In name order, so the edges come out in the same order on every run.
        let mut holders: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
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
                                allows_everything(&[NamedPolicy::new(
                                    format!("{name} {v}"),
                                    (*p).clone(),
                                )])
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
        // One breadth-first tree per caller serves all its facts (elevating edges, added
        // below, are not walked, so the trees stay as they were).
        let mut trees: HashMap<usize, Vec<Option<usize>>> = HashMap::new();
        for (q, x, m, step) in facts {
            let tree = trees.entry(q).or_insert_with(|| self.act_as_tree(q));
            let Some(then) = self.path_in(tree, q, x) else {
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

/// Whether some clause can name a user or a role (or one of its sessions) more strongly than
/// by its account (`Principal::matched_by` above `PrincipalMatch::Account`): a `NotPrincipal`,
/// `*`, or an `AWS` entry that is neither an account id nor an account's `root` ARN. Those two
/// name only the account identity; `Service`, `Federated` and `CanonicalUser` entries name no
/// user or role at all.
fn names_more_than_accounts(grants: &[PrincipalClause]) -> bool {
    grants.iter().any(|clause| {
        clause.negated
            || clause.everyone
            || clause
                .entries
                .iter()
                .any(|(kind, value)| *kind == PrincipalKind::Aws && !is_account_form(value))
    })
}

/// `123456789012` or `arn:aws:iam::123456789012:root`.
fn is_account_form(value: &str) -> bool {
    let id = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    id(value)
        || value
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.strip_suffix(":root"))
            .is_some_and(id)
}

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

    include!("../../../benches/src/paths_estate.rs");

    /// The graph with and without pruning, as text: nodes and edges in order, steps, their
    /// conditions and notes included.
    fn both(files: &[(&str, String)]) -> (String, String) {
        let mut b = Engine::builder();
        for (name, text) in files {
            b = b.world_file(name, text);
        }
        let engine = b.build().unwrap();
        let options = Options::default();
        let show = |g: Graph| format!("{:#?}\n{:#?}", g.nodes, g.edges);
        let pruned = Graph::build_with(&engine, &options, true).unwrap();
        let every = Graph::build_with(&engine, &options, false).unwrap();
        assert!(!every.edges.is_empty(), "a world worth comparing");
        (show(pruned), show(every))
    }

    fn corpus(rel: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/worlds")
            .join(rel);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                (
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn pruning_changes_no_edge_of_the_escalation_worlds() {
        let worlds = corpus("escalation");
        assert_eq!(worlds.len(), 27);
        for (name, text) in worlds {
            // The SSM edges join roles to EC2 instances, which only the `network` feature reads.
            if !cfg!(feature = "network") && name.contains("ssm-") {
                continue;
            }
            let (pruned, every) = both(&[(&name, text)]);
            assert_eq!(pruned, every, "{name}");
        }
    }

    #[test]
    fn pruning_changes_no_edge_of_the_demo_world() {
        let files = corpus("demo");
        let files: Vec<(&str, String)> =
            files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
        let (pruned, every) = both(&files);
        assert_eq!(pruned, every);
    }

    #[test]
    fn pruning_changes_no_edge_of_a_generated_estate() {
        let (pruned, every) = both(&[("estate.json", paths_estate(120, 400))]);
        assert_eq!(pruned, every);
    }

    /// Trust policies that name the account and, beside it, a caller directly, everyone,
    /// `NotPrincipal`, a role's session; identity policies with conditions, `NotResource`,
    /// policy variables and denies: the cases where the account's members must still be
    /// asked.
    #[test]
    fn pruning_changes_no_edge_where_trust_names_more_than_the_account() {
        let acct = "111122223333";
        let trust = |principal: &str| {
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{acct}:root"}}, "Action": "sts:AssumeRole"}},
                {{"Effect": "Allow", {principal}, "Action": "sts:AssumeRole"}}]}}"#
            )
        };
        let roles = [
            (
                "Direct",
                trust(&format!(
                    r#""Principal": {{"AWS": "arn:aws:iam::{acct}:user/plain"}}"#
                )),
            ),
            ("Everyone", trust(r#""Principal": {"AWS": "*"}"#)),
            (
                "NotPrincipal",
                trust(&format!(
                    r#""NotPrincipal": {{"AWS": "arn:aws:iam::{acct}:user/plain"}}"#
                )),
            ),
            (
                "BySession",
                trust(&format!(
                    r#""Principal": {{"AWS": "arn:aws:sts::{acct}:assumed-role/Hub/polcheck"}}"#
                )),
            ),
            (
                "Mfa",
                trust(&format!(
                    r#""Principal": {{"AWS": "arn:aws:iam::{acct}:user/plain"}}, "Condition": {{"Bool": {{"aws:MultiFactorAuthPresent": "true"}}}}"#
                )),
            ),
            (
                "team-a-x",
                trust(r#""Principal": {"Service": "lambda.amazonaws.com"}"#),
            ),
            (
                "plain",
                trust(r#""Principal": {"Service": "ec2.amazonaws.com"}"#),
            ),
        ];
        let role_list: Vec<String> = roles
            .iter()
            .enumerate()
            .map(|(i, (name, trust))| {
                format!(r#"{{"RoleName": "{name}", "RoleId": "AROA{i:012}", "Arn": "arn:aws:iam::{acct}:role/{name}",
                    "AssumeRolePolicyDocument": {trust}, "RolePolicyList": [], "AttachedManagedPolicies": []}}"#)
            })
            .chain(std::iter::once(format!(r#"{{"RoleName": "Hub", "RoleId": "AROAHUB", "Arn": "arn:aws:iam::{acct}:role/Hub",
                "AssumeRolePolicyDocument": {}, "RolePolicyList": [{{"PolicyName": "p", "PolicyDocument":
                {{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}}}}],
                "AttachedManagedPolicies": []}}"#, trust(r#""Principal": {"Service": "ec2.amazonaws.com"}"#))))
            .collect();
        let users = [
            ("plain", r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#.to_string()),
            ("star", r#"{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}"#.to_string()),
            ("mfa", r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}"#.to_string()),
            ("notresource", format!(r#"{{"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": "arn:aws:iam::{acct}:role/Direct"}}"#)),
            ("team-a", format!(r#"{{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::{acct}:role/${{aws:username}}-*"}}"#)),
            ("denied", format!(r#"{{"Effect": "Allow", "Action": "*", "Resource": "*"}}, {{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::{acct}:role/Mfa"}}"#)),
            ("notaction", r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#.to_string()),
        ];
        let user_list: Vec<String> = users
            .iter()
            .enumerate()
            .map(|(i, (name, statements))| {
                format!(r#"{{"UserName": "{name}", "UserId": "AIDA{i:012}", "Arn": "arn:aws:iam::{acct}:user/{name}", "GroupList": [],
                    "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{statements}]}}}}],
                    "AttachedManagedPolicies": []}}"#)
            })
            .collect();
        let world = format!(
            r#"{{"AccountId": "{acct}", "UserDetailList": [{}], "GroupDetailList": [], "RoleDetailList": [{}], "Policies": []}}"#,
            user_list.join(","),
            role_list.join(",")
        );
        let (pruned, every) = both(&[("edge-cases.json", world)]);
        assert_eq!(pruned, every);
        assert!(
            every.contains("aws:MultiFactorAuthPresent"),
            "a conditional edge is compared"
        );
    }

    /// The whole breadth-first tree gives the paths the walk that stops at the target gives.
    #[test]
    fn act_as_trees_give_the_paths_of_the_walk() {
        let engine = Engine::builder()
            .world_file("estate.json", &paths_estate(60, 200))
            .build()
            .unwrap();
        let mut b = Builder {
            engine: &engine,
            world: engine.world().unwrap(),
            region: "us-east-1".into(),
            graph: Graph::build(&engine, &Options::default()).unwrap(),
            prune: true,
            may: Vec::new(),
            callers: Vec::new(),
            prepared: HashMap::new(),
            service_roles: HashMap::new(),
            ambiguous: HashSet::new(),
        };
        b.graph.edges.retain(|e| !e.elevates);
        let n = b.graph.nodes.len();
        let mut found = 0;
        for from in (0..n).step_by(7) {
            let tree = b.act_as_tree(from);
            for to in 0..n {
                let walked = b.act_as_path(from, to);
                found += usize::from(walked.as_ref().is_some_and(|p| !p.is_empty()));
                assert_eq!(b.path_in(&tree, from, to), walked, "{from} -> {to}");
            }
        }
        assert!(found > 10, "{found}");
    }

    /// A role name held in three accounts finds none of them; their ARNs and a unique name do.
    #[test]
    fn a_name_held_twice_finds_nobody_and_each_arn_finds_its_principal() {
        let role = |acct: &str| {
            format!(
                r#"{{"RoleName": "Admin", "RoleId": "AROA{acct}", "Arn": "arn:aws:iam::{acct}:role/Admin",
                "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": {{"Effect": "Allow",
                "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}}},
                "RolePolicyList": [], "AttachedManagedPolicies": []}}"#
            )
        };
        let accounts = ["111111111111", "222222222222", "333333333333"];
        let roles: Vec<String> = accounts.iter().map(|a| role(a)).collect();
        let world = format!(
            r#"{{"AccountId": "111111111111", "UserDetailList": [{{"UserName": "dev", "Arn": "arn:aws:iam::111111111111:user/dev",
            "UserPolicyList": [], "AttachedManagedPolicies": []}}], "RoleDetailList": [{}]}}"#,
            roles.join(",")
        );
        let engine = Engine::builder()
            .world_file("w.json", &world)
            .build()
            .unwrap();
        let graph = Graph::build(&engine, &Options::default()).unwrap();
        assert_eq!(graph.find("Admin"), None);
        assert!(graph.find("dev").is_some());
        let found: Vec<Option<usize>> = accounts
            .iter()
            .map(|a| graph.find(&format!("arn:aws:iam::{a}:role/Admin")))
            .collect();
        assert!(found.iter().all(Option::is_some), "{found:?}");
        assert_eq!(
            found
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            3
        );
    }

    #[test]
    fn may_allow_reads_action_and_not_action() {
        let p = crate::policy::Policy::parse(
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:Put*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}"#,
        )
        .unwrap();
        let inputs = PolicyInputs {
            identity: Some(vec![NamedPolicy::new("p", p)]),
            ..PolicyInputs::default()
        };
        let may = may_allow(&inputs.compile().alone().identity, &needed_lowercase());
        assert!(may.contains("iam:PutUserPolicy"));
        assert!(may.contains("lambda:CreateFunction"));
        assert!(!may.contains("iam:PassRole"));
    }

    /// A trust clause naming only accounts never names a user or role more strongly than by
    /// its account, as `Principal::matched_by` decides: checked against it for a user and a
    /// role session of each account, and every other form counts as strong.
    #[test]
    fn account_only_trust_clauses_name_no_caller_strongly() {
        let clause =
            |negated: bool, everyone: bool, entries: &[(PrincipalKind, &str)]| PrincipalClause {
                negated,
                everyone,
                entries: entries.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            };
        let aws = PrincipalKind::Aws;
        let accounts = clause(
            false,
            false,
            &[
                (aws, "111122223333"),
                (aws, "arn:aws:iam::444455556666:root"),
                (PrincipalKind::Service, "lambda.amazonaws.com"),
            ],
        );
        assert!(!names_more_than_accounts(std::slice::from_ref(&accounts)));
        for caller in [
            "arn:aws:iam::111122223333:user/dev",
            "arn:aws:sts::444455556666:assumed-role/Ops/polcheck",
        ] {
            let p = Principal::parse(Some(caller)).unwrap();
            assert_eq!(
                p.matched_by(&accounts),
                Some(PrincipalMatch::Account),
                "{caller}"
            );
        }
        for strong in [
            clause(false, false, &[(aws, "arn:aws:iam::111122223333:user/dev")]),
            clause(false, false, &[(aws, "arn:aws:iam::111122223333:role/Ops")]),
            clause(false, false, &[(aws, "arn:aws-cn:iam::111122223333:root")]),
            clause(false, true, &[]),
            clause(true, false, &[(aws, "111122223333")]),
        ] {
            assert!(
                names_more_than_accounts(&[accounts.clone(), strong.clone()]),
                "{strong:?}"
            );
        }
    }
}
