//! Access paths: who can become whom, and who can become an administrator.
//!
//! A [`Graph`] has one node per user and role of the world (and per principal outside the
//! world that a trust policy names), and one edge per way a principal can act as another
//! (assume a role, pass a role to a service it then runs, make credentials for a user, rewrite
//! a trust policy) or give another principal any permission (create a policy version, attach
//! or put a policy, add a user to a group). The edge kinds are the [`methods::METHODS`]
//! catalogue, documented with their sources in `docs/paths.md`.
//!
//! Every edge is made of steps, and every step is a request decided by the [`crate::Engine`]
//! (`check`, the outcome-only path, while building; `authorize`, with its statements, for the
//! paths a report prints), with the world's layers: identity policies, trust policies,
//! boundaries, SCPs and RCPs, across accounts. A step that the engine allows only with more
//! context (MFA, source address, external id) keeps that context as the edge's conditions
//! (module `witness`).
//!
//! A principal is **admin** when the engine allows it `*` on `*`. After an edge that gives a
//! principal any permission, the principal is *elevated*: it is admin when only its identity
//! policies were missing (its boundary, SCPs and denies allow `*` on `*`). An elevated
//! principal is a dead end: what else it could reach is not followed.
//!
//! ```
//! use polcheck_core::{paths::{Graph, Options, Target}, Engine};
//! let world = r#"{"AccountId": "111122223333", "UserDetailList": [{"UserName": "dev",
//!   "Arn": "arn:aws:iam::111122223333:user/dev", "UserPolicyList": [{"PolicyName": "p",
//!   "PolicyDocument": {"Version": "2012-10-17", "Statement": {"Effect": "Allow",
//!   "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::111122223333:user/dev"}}}]}]}"#;
//! let engine = Engine::builder().world_file("w.json", world).build()?;
//! let graph = Graph::build(&engine, &Options::default())?;
//! let from = graph.find("dev").unwrap();
//! let path = graph.shortest(&engine, from, &Target::Admin).unwrap();
//! assert_eq!(graph.edge(path.edges[0]).unwrap().method.id, "put-user-policy");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
pub mod methods;
mod report;
mod search;
mod witness;

pub use report::{HopReport, PathReport, StatementReport, StepReport};
pub use search::{Escalation, Path, Target};

use std::collections::HashMap;

use serde::Serialize;

use methods::Method;

/// Why a graph cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The engine has no world to walk.
    #[error("no world: access paths need world files (`--world`)")]
    NoWorld,
}

/// How to build a graph.
#[derive(Debug, Clone)]
pub struct Options {
    /// The region new resources (functions, instances, stacks) are created in.
    pub region: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            region: "us-east-1".into(),
        }
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum NodeKind {
    /// An IAM user of the world.
    User,
    /// An IAM role of the world.
    Role,
    /// A principal a trust policy names that the world does not hold (another account's role,
    /// user or root): its own policies are unknown, so edges from it say it needs them.
    External,
}

/// A context key and the value under which a step is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The condition key as the policy writes it.
    pub key: String,
    /// The value.
    pub value: String,
}

/// A principal.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// The user's or role's ARN (for an external principal, as the trust policy names it).
    pub arn: String,
    /// The ARN requests are made as (a role's representative session).
    pub caller: String,
    /// The name (user or role name; the ARN for an external root).
    pub name: String,
    /// The account.
    pub account: String,
    /// User, role or external.
    pub kind: NodeKind,
    /// `Some` when the engine allows it `*` on `*` (with the conditions it needs).
    pub admin: Option<Vec<Condition>>,
    /// Whether it would be admin with any identity policy (boundary, SCPs, denies allow it).
    pub elevated_admin: bool,
}

/// One request an edge needs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// The caller.
    pub caller: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Context the step itself sets (`iam:PassedToService`).
    pub given: Vec<(String, String)>,
    /// Context the step needs to be allowed (empty: unconditional).
    pub conditions: Vec<Condition>,
    /// Kinds of policy whose allow the step may lack and still count (see the edge's
    /// `note`): a caller outside the world's own identity policies, a trust policy the edge
    /// rewrites first.
    pub may_lack: &'static [crate::decide::PolicyKind],
}

/// A way for `from` to act as `to`, or (when `elevates`) to give `to` any permission and act
/// as it.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The node that acts.
    pub from: usize,
    /// The node it becomes (or elevates).
    pub to: usize,
    /// After this edge, `to` holds any permission `from` gives it.
    pub elevates: bool,
    /// The edge kind.
    pub method: &'static Method,
    /// The requests it needs, in order.
    pub steps: Vec<Step>,
    /// For an elevating edge from one principal to another: the edges from `from` to `to`
    /// walked after the change.
    pub then: Vec<usize>,
    /// What the edge assumes beyond the steps (another account's own policies).
    pub note: Option<String>,
}

impl Edge {
    /// `true` when some step needs context.
    pub fn is_conditional(&self) -> bool {
        self.steps.iter().any(|s| !s.conditions.is_empty())
    }
}

/// The principal graph of a world.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    out: Vec<Vec<usize>>,
    by_name: HashMap<String, usize>,
}

impl Graph {
    /// Every node.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every edge.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// One node.
    pub fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    /// One edge.
    pub fn edge(&self, i: usize) -> Option<&Edge> {
        self.edges.get(i)
    }

    /// The edges leaving a node.
    pub fn edges_from(&self, node: usize) -> &[usize] {
        self.out.get(node).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A node by user or role ARN, session ARN, or name (when the name is unique).
    pub fn find(&self, name: &str) -> Option<usize> {
        if let Some(&i) = self.by_name.get(name) {
            return Some(i);
        }
        let session_role = crate::principal::Principal::parse(Some(name))
            .ok()
            .and_then(|p| p.principal_arn());
        session_role.and_then(|arn| self.by_name.get(&arn).copied())
    }

    fn add_edge(&mut self, edge: Edge) -> usize {
        let id = self.edges.len();
        if let Some(list) = self.out.get_mut(edge.from) {
            list.push(id);
        }
        self.edges.push(edge);
        id
    }
}
