//! The library face: load once, compile once, ask many times.
//!
//! An [`Engine`] holds everything a question can need: policies given by kind (the inputs of
//! AWS's `simulate-custom-policy`), a world of AWS exports with its network, or both, every
//! policy compiled when the engine is built. Every face of polcheck (the CLI's commands, the
//! suite runner, the playground) asks through it, so the choice between "a world" and "these
//! policies alone" and the way extra policies meet a world's are made here and only here
//! (see [`crate::inputs`] for the rule).
//!
//! It is `Send + Sync`: share one behind an `Arc` and ask from every thread. A world's
//! per-caller sets are compiled on first use and kept in a bounded cache.
//!
//! ```
//! use polcheck_core::{Context, Engine, Request};
//! let engine = Engine::builder()
//!     .identity_policy("read-reports", r#"{"Version": "2012-10-17", "Statement": {
//!         "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}}"#)?
//!     .build()?;
//! let alice = "arn:aws:iam::111122223333:user/alice";
//! let req = Request::new(Some(alice), "s3:GetObject", "arn:aws:s3:::reports/q1.csv", Context::new())?;
//! assert!(engine.authorize(&req).is_allowed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use crate::compile::NamedPolicy;
use crate::context::Context;
use crate::decide::{decide_outcome, decide_with, Decision, Detail, Layers, Outcome, PolicyKind};
use crate::inputs::{CallerSide, CompiledInputs, PolicyInputs};
use crate::json::Document;
#[cfg(feature = "network")]
use crate::network::{Exposure, Flow, FlowError, NetworkImportError, NetworkModel, NetworkWarning};
use crate::policy::PolicyError;
use crate::principal::Principal;
use crate::request::{Caller, Request, RequestError};
use crate::world::{World, WorldError, WorldWarning};

/// The text the prepared-caller cache keeps a caller under.
fn caller_key(p: &Principal) -> Cow<'_, str> {
    match p {
        Principal::User { arn, .. }
        | Principal::AssumedRole { arn, .. }
        | Principal::FederatedUser { arn, .. } => Cow::Borrowed(arn.as_str()),
        other => Cow::Owned(format!("{other:?}")),
    }
}

/// A compiled set of policies and/or a world, ready to answer requests and flows.
#[derive(Debug, Clone)]
pub struct Engine {
    /// What was loaded from world files; shared by the engines [`Engine::with_policies`] makes.
    estate: Arc<Estate>,
    /// The policies given by kind, compiled.
    inputs: CompiledInputs,
    /// Without a world: the layers of every request, `inputs` alone.
    alone: Layers,
    /// This engine's number, for the callers it prepared ([`Engine::caller`]).
    id: u64,
    /// Callers prepared for this engine, by principal (shared by its clones).
    callers: Arc<CallerCache>,
}

/// Entries the prepared-caller cache holds at most before it starts again empty.
const MAX_CALLERS: usize = 1 << 16;

/// Prepared callers by principal ARN (or other text naming the caller).
#[derive(Debug, Default)]
struct CallerCache {
    map: std::sync::RwLock<std::collections::HashMap<String, Caller, crate::hash::Fx>>,
}

/// What an engine attaches to a caller it prepared: the caller's half of every request's
/// layers (the world's sets for it with the engine's policies on top).
#[derive(Debug)]
struct Side {
    layers: CallerSide,
    service_linked: bool,
}

/// Numbers the engines, so a caller prepared by one is never read by another.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The world and network read from the same documents, and what their importers warned of.
#[derive(Debug, Default)]
struct Estate {
    world: Option<World>,
    #[cfg(feature = "network")]
    network: Option<NetworkModel>,
    warnings: Vec<Warning>,
}

/// Something a world leaves out or does not know; the load went on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// From the IAM half.
    World(WorldWarning),
    /// From the network half.
    #[cfg(feature = "network")]
    Network(NetworkWarning),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::World(w) => w.fmt(f),
            #[cfg(feature = "network")]
            Warning::Network(w) => w.fmt(f),
        }
    }
}

/// Why an [`Engine`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A policy that does not parse; the name given to the builder comes first.
    #[error("{name}: {error}")]
    Policy {
        /// The name the policy was given.
        name: String,
        /// What is wrong, with its JSON path and line:column.
        error: Box<PolicyError>,
    },
    /// The IAM half of the world does not load (a file that is not JSON included).
    #[error(transparent)]
    World(Box<WorldError>),
    /// The network half of the world does not load.
    #[cfg(feature = "network")]
    #[error(transparent)]
    Network(Box<NetworkImportError>),
}

/// One world file for the builder: its text, or a document already parsed.
#[derive(Debug)]
enum WorldFile {
    Text(String, String),
    Parsed(String, Document),
}

/// Collects policies and world files for an [`Engine`].
#[derive(Debug, Default)]
pub struct EngineBuilder {
    inputs: PolicyInputs,
    world_files: Vec<WorldFile>,
}

fn parse(name: &str, text: &str) -> Result<NamedPolicy, EngineError> {
    NamedPolicy::from_text(name, text).map_err(|error| EngineError::Policy {
        name: name.to_string(),
        error: Box::new(error),
    })
}

impl EngineBuilder {
    /// Adds an identity-based policy of the caller.
    pub fn identity_policy(mut self, name: &str, text: &str) -> Result<Self, EngineError> {
        self.inputs
            .identity
            .get_or_insert_with(Vec::new)
            .push(parse(name, text)?);
        Ok(self)
    }

    /// Sets the resource-based policy of the resource.
    pub fn resource_policy(mut self, name: &str, text: &str) -> Result<Self, EngineError> {
        self.inputs.resource = Some(parse(name, text)?);
        Ok(self)
    }

    /// Sets the caller's permissions boundary.
    pub fn boundary(mut self, name: &str, text: &str) -> Result<Self, EngineError> {
        self.inputs.boundary = Some(parse(name, text)?);
        Ok(self)
    }

    /// Sets the session policy (it binds role sessions and federated users only).
    pub fn session_policy(mut self, name: &str, text: &str) -> Result<Self, EngineError> {
        self.inputs.session = Some(parse(name, text)?);
        Ok(self)
    }

    /// Adds one organization level of SCPs, root first: every level must allow.
    pub fn scp_level(mut self, policies: &[(&str, &str)]) -> Result<Self, EngineError> {
        let level = policies
            .iter()
            .map(|(n, t)| parse(n, t))
            .collect::<Result<_, _>>()?;
        self.inputs.scp.get_or_insert_with(Vec::new).push(level);
        Ok(self)
    }

    /// Adds one organization level of RCPs, root first: every level must allow.
    pub fn rcp_level(mut self, policies: &[(&str, &str)]) -> Result<Self, EngineError> {
        let level = policies
            .iter()
            .map(|(n, t)| parse(n, t))
            .collect::<Result<_, _>>()?;
        self.inputs.rcp.get_or_insert_with(Vec::new).push(level);
        Ok(self)
    }

    /// Sets every key of `inputs` that is set (policies already parsed, by kind), replacing
    /// what the builder had for that key.
    pub fn policies(mut self, inputs: &PolicyInputs) -> Self {
        self.inputs = self.inputs.overlay(inputs);
        self
    }

    /// Adds a world file (AWS CLI exports, `shared/spec/world.md`); files merge by key, in
    /// the order given.
    pub fn world_file(mut self, name: &str, text: &str) -> Self {
        self.world_files
            .push(WorldFile::Text(name.to_string(), text.to_string()));
        self
    }

    /// Adds a world file already parsed (so a caller can show progress while parsing, or
    /// hand over a world written inside another document).
    pub fn world_document(mut self, name: &str, document: Document) -> Self {
        self.world_files
            .push(WorldFile::Parsed(name.to_string(), document));
        self
    }

    /// Loads the world, if any, and compiles everything.
    pub fn build(self) -> Result<Engine, EngineError> {
        let estate = if self.world_files.is_empty() {
            Estate::default()
        } else {
            Estate::load(self.world_files)?
        };
        Ok(Engine::assemble(Arc::new(estate), self.inputs.compile()))
    }
}

impl Estate {
    fn load(files: Vec<WorldFile>) -> Result<Estate, EngineError> {
        let world_error = |e| EngineError::World(Box::new(e));
        let docs: Vec<(String, Document)> = files
            .into_iter()
            .map(|f| match f {
                WorldFile::Parsed(name, doc) => Ok((name, doc)),
                WorldFile::Text(name, text) => match crate::json::parse(&text) {
                    Ok(doc) => Ok((name, doc)),
                    Err(error) => Err(world_error(WorldError::Syntax { file: name, error })),
                },
            })
            .collect::<Result<_, _>>()?;
        let refs: Vec<(&str, &Document)> = docs.iter().map(|(n, d)| (n.as_str(), d)).collect();
        let (world, world_warnings) = World::from_documents(&refs).map_err(world_error)?;
        #[cfg_attr(
            not(feature = "network"),
            expect(unused_mut, reason = "only the network half adds warnings")
        )]
        let mut warnings: Vec<Warning> = world_warnings.into_iter().map(Warning::World).collect();
        #[cfg(feature = "network")]
        let network = {
            let (network, net_warnings) =
                NetworkModel::import(&refs).map_err(|e| EngineError::Network(Box::new(e)))?;
            warnings.extend(net_warnings.into_iter().map(Warning::Network));
            network
        };
        Ok(Estate {
            world: Some(world),
            #[cfg(feature = "network")]
            network: Some(network),
            warnings,
        })
    }
}

impl Engine {
    /// Starts an engine from policies and world files.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    fn assemble(estate: Arc<Estate>, inputs: CompiledInputs) -> Engine {
        let alone = inputs.alone();
        Engine {
            estate,
            inputs,
            alone,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            callers: Arc::default(),
        }
    }

    /// The same world (shared, not loaded again) with `inputs` as the policies given by
    /// kind, in place of this engine's: what a suite does for each test with its own
    /// policies. Compiles `inputs` only.
    pub fn with_policies(&self, inputs: &PolicyInputs) -> Engine {
        Engine::assemble(Arc::clone(&self.estate), inputs.compile())
    }

    /// The world, when world files were given.
    pub fn world(&self) -> Option<&World> {
        self.estate.world.as_ref()
    }

    /// The network model, when world files were given.
    #[cfg(feature = "network")]
    pub fn network(&self) -> Option<&NetworkModel> {
        self.estate.network.as_ref()
    }

    /// Warnings from loading the world (unknown keys, missing AWS-managed policies...).
    pub fn warnings(&self) -> &[Warning] {
        &self.estate.warnings
    }

    /// Completes a request with what the world knows (the resource's account, the caller's
    /// tags and user id: [`World::prepare`]); nothing without a world. [`Engine::authorize`]
    /// and [`Engine::check`] do it on a copy; batch callers that own their requests do it
    /// once here and then call [`Engine::authorize_prepared`] or [`Engine::check_prepared`].
    pub fn prepare(&self, req: &mut Request) {
        if let Some(world) = self.world() {
            world.prepare_resource(req);
            let caller = self.prepare_caller(req.caller());
            req.set_caller(caller);
        }
    }

    /// Reads a caller once for many requests ([`Request::with_caller`]): with a world, the
    /// keys the world knows of it and its half of every request's layers (its identity
    /// policies and boundary, its account's SCPs, with the engine's policies on top) come
    /// with it, so a request built from it is decided without looking the caller up again.
    /// Such a request still needs [`Engine::prepare`] (or is built by
    /// [`Engine::request`]). A caller prepared by one engine is plain to another.
    pub fn caller(&self, principal: Option<&str>) -> Result<Caller, RequestError> {
        let caller = Caller::parse(principal)?;
        Ok(match self.world() {
            Some(_) => self.prepare_caller(&caller),
            None => caller,
        })
    }

    /// A request from a caller read by [`Engine::caller`], prepared ([`Engine::prepare`]):
    /// ready for [`Engine::check_prepared`] and [`Engine::authorize_prepared`].
    pub fn request(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        context: Context,
        resource_account: Option<String>,
    ) -> Result<Request, RequestError> {
        // `aws:ResourceAccount` is derived once, when the resource's account is known.
        let mut req = Request::underived(caller, action, resource, context)?;
        if resource_account.is_some() {
            req.set_resource_account_underived(resource_account);
        }
        match self.world() {
            Some(world) if caller.tag(self.id).is_some() => {
                if req.resource_account().is_none() {
                    let account = world.resource_account_for(&req);
                    if account.is_some() {
                        req.set_resource_account_underived(account);
                    }
                }
                req.derive_resource_account_key();
            }
            Some(_) => {
                req.derive_resource_account_key();
                self.prepare(&mut req);
            }
            None => req.derive_resource_account_key(),
        }
        Ok(req)
    }

    /// `caller` with the world's keys and this engine's layers for it, from the cache.
    fn prepare_caller(&self, caller: &Caller) -> Caller {
        if caller.tag(self.id).is_some() {
            return caller.clone();
        }
        let Some(world) = self.world() else {
            return caller.clone();
        };
        let key = caller_key(caller.principal());
        if let Some(c) = self
            .callers
            .map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key.as_ref())
        {
            return c.clone();
        }
        let with_keys = world
            .prepared_caller(caller)
            .unwrap_or_else(|| caller.clone());
        let side = self.side(world, caller.principal());
        let prepared = with_keys.tagged(self.id, Arc::new(side));
        let mut map = self.callers.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_CALLERS {
            map.clear();
        }
        map.insert(key.into_owned(), prepared.clone());
        prepared
    }

    fn side(&self, world: &World, p: &Principal) -> Side {
        let c = world.caller_layers(p);
        Side {
            layers: self.inputs.on_world_caller(
                c.identity,
                c.boundary,
                c.scp.map(|l| (*l).clone()),
            ),
            service_linked: c.service_linked,
        }
    }

    /// Every compiled set that bears on a prepared request: the world's for its caller and
    /// resource with the engine's policies on top, or the engine's policies alone without a
    /// world. The one place where that choice is made.
    pub fn layers(&self, req: &Request) -> Cow<'_, Layers> {
        let Some(world) = self.world() else {
            return Cow::Borrowed(&self.alone);
        };
        let tagged = req
            .caller()
            .tag(self.id)
            .and_then(|t| t.downcast_ref::<Side>());
        let computed;
        let side = match tagged {
            Some(side) => side,
            None => {
                computed = self.side(world, req.principal());
                &computed
            }
        };
        let r = world.resource_layers(req, side.service_linked);
        Cow::Owned(self.inputs.on_world_resource(
            &side.layers,
            r.resource.as_deref(),
            r.rcp.as_deref().map(Vec::as_slice),
            r.missing,
        ))
    }

    fn prepared<'r>(&self, req: &'r Request) -> Cow<'r, Request> {
        match self.world() {
            None => Cow::Borrowed(req),
            Some(_) => {
                let mut req = req.clone();
                self.prepare(&mut req);
                Cow::Owned(req)
            }
        }
    }

    /// Decides a request, with its explanation. With a world, the world's policies for the
    /// caller and resource apply, and the builder's policies apply in addition.
    pub fn authorize(&self, req: &Request) -> Decision {
        self.authorize_prepared(&self.prepared(req))
    }

    /// [`Engine::authorize`] for a request already passed through [`Engine::prepare`].
    pub fn authorize_prepared(&self, req: &Request) -> Decision {
        decide_with(&self.layers(req), req, Detail::Bounded)
    }

    /// [`Engine::authorize`] with as much explanation as `detail` asks: the default
    /// ([`Detail::Bounded`]) lists every deciding Deny and a few allowing statements per
    /// layer, at a cost that does not grow with the policies; [`Detail::All`] lists every
    /// statement that applied.
    pub fn authorize_with(&self, req: &Request, detail: Detail) -> Decision {
        let req = self.prepared(req);
        decide_with(&self.layers(&req), &req, detail)
    }

    /// Decides a request without building the explanation: the outcome and the kinds of
    /// policy that blocked it, several times faster than [`Engine::authorize`] on large
    /// policy sets. Use it on hot paths that only need the answer.
    pub fn check(&self, req: &Request) -> (Outcome, BTreeSet<PolicyKind>) {
        self.check_prepared(&self.prepared(req))
    }

    /// [`Engine::check`] for a request already passed through [`Engine::prepare`].
    pub fn check_prepared(&self, req: &Request) -> (Outcome, BTreeSet<PolicyKind>) {
        decide_outcome(&self.layers(req), req)
    }

    /// Every principal of the world allowed to perform `action` on `resource`, with the
    /// decision that allowed it.
    pub fn who_can(&self, action: &str, resource: &str) -> Vec<(String, Decision)> {
        self.who_can_with(action, resource, &Context::new(), None)
    }

    /// [`Engine::who_can`] with a context and the resource's account (else the world's or the
    /// ARN's) for every request. Principals in the world's order: each user, then a session
    /// of each role ([`World::principals`]).
    pub fn who_can_with(
        &self,
        action: &str,
        resource: &str,
        context: &Context,
        resource_account: Option<&str>,
    ) -> Vec<(String, Decision)> {
        let Some(world) = self.world() else {
            return Vec::new();
        };
        world
            .principals()
            .into_iter()
            .filter_map(|p| {
                let mut req = Request::new(Some(&p), action, resource, context.clone()).ok()?;
                req.set_resource_account(resource_account.map(str::to_string));
                self.prepare(&mut req);
                let d = self.authorize_prepared(&req);
                d.is_allowed().then_some((p, d))
            })
            .collect()
    }

    /// Evaluates a network flow against the world's network.
    #[cfg(feature = "network")]
    pub fn flow(&self, flow: &Flow) -> Result<Verdict, EngineFlowError> {
        let network = self.network().ok_or(EngineFlowError::NoNetwork)?;
        Ok(network.evaluate(flow)?)
    }

    /// Every interface, protocol and port range of the world's network that the internet
    /// reaches ([`crate::network::exposure`]).
    #[cfg(feature = "network")]
    pub fn exposure(&self) -> Result<Vec<Exposure>, EngineFlowError> {
        let network = self.network().ok_or(EngineFlowError::NoNetwork)?;
        Ok(crate::network::exposure(network))
    }
}

#[cfg(feature = "network")]
use crate::network::Verdict;

/// Why a flow could not be evaluated.
#[cfg(feature = "network")]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineFlowError {
    /// The engine was built without world files.
    #[error("no network: build the engine with world files")]
    NoNetwork,
    /// The flow names something the world does not have, or is malformed.
    #[error(transparent)]
    Flow(#[from] FlowError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::Context;

    #[test]
    fn builder_errors_name_the_policy() {
        let err = Engine::builder()
            .identity_policy("mine", "{\"Statement\": 3}")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "mine: 1:15: Statement: expected a statement object or an array of them, found a number"
        );
    }

    const WORLD: &str = r#"{"UserDetailList": [{"UserName": "a", "UserId": "AIDA", "Arn": "arn:aws:iam::111122223333:user/a",
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}]}]}"#;

    fn req(action: &str) -> Request {
        Request::new(
            Some("arn:aws:iam::111122223333:user/a"),
            action,
            "*",
            Context::new(),
        )
        .unwrap()
    }

    #[test]
    fn world_and_policies_combine() {
        let engine = Engine::builder()
            .world_file("w.json", WORLD)
            .boundary(
                "b",
                r#"{"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}"#,
            )
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            engine.authorize(&req("s3:GetObject")).outcome,
            Outcome::Allowed
        );
        assert_eq!(
            engine.check(&req("s3:PutObject")),
            (Outcome::ImplicitDeny, [PolicyKind::Boundary].into())
        );
        assert_eq!(
            engine.authorize(&req("s3:PutObject")).outcome,
            Outcome::ImplicitDeny
        );
        assert_eq!(engine.who_can("s3:GetObject", "*").len(), 1);
        assert_eq!(engine.who_can("s3:PutObject", "*").len(), 0);
        #[cfg(feature = "network")]
        assert!(matches!(engine.flow(&Flow::from_test_json(&serde_json::json!({"from": "internet", "to": "i-1", "protocol": "tcp", "port": 1})).unwrap()), Err(EngineFlowError::Flow(_))));
    }

    #[test]
    fn extra_identity_policies_add_to_the_world_and_a_deny_among_them_wins() {
        let engine = Engine::builder()
            .world_file("w.json", WORLD)
            .identity_policy(
                "extra",
                r#"{"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
                    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}"#,
            )
            .unwrap()
            .build()
            .unwrap();
        assert!(engine.authorize(&req("s3:GetObject")).is_allowed());
        let send = engine.authorize(&req("sqs:SendMessage"));
        assert!(send.is_allowed());
        assert_eq!(send.matched.len(), 1);
        assert_eq!(&*send.matched[0].policy, "extra");
        assert_eq!(
            engine.check(&req("s3:DeleteObject")),
            (Outcome::ExplicitDeny, [PolicyKind::Identity].into())
        );
        let deny = engine.authorize(&req("s3:DeleteObject"));
        assert_eq!(deny.outcome, Outcome::ExplicitDeny);
        assert!(deny.matched.iter().any(|m| &*m.policy == "extra"));
        assert!(deny.matched.iter().any(|m| &*m.policy == "user inline a/p"));
    }

    #[test]
    fn with_policies_keeps_the_world_and_replaces_the_policies() {
        let engine = Engine::builder()
            .world_file("w.json", WORLD)
            .build()
            .unwrap();
        let boundary = PolicyInputs {
            boundary: Some(NamedPolicy::new(
                "b",
                Policy::parse(
                    r#"{"Statement": {"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}}"#,
                )
                .unwrap(),
            )),
            ..PolicyInputs::default()
        };
        let bounded = engine.with_policies(&boundary);
        assert!(engine.check(&req("s3:GetObject")).0 == Outcome::Allowed);
        assert!(bounded.check(&req("s3:GetObject")).0 == Outcome::ImplicitDeny);
        assert!(bounded.check(&req("s3:ListBucket")).0 == Outcome::Allowed);
        assert!(std::ptr::eq(
            engine.world().unwrap(),
            bounded.world().unwrap()
        ));
    }

    #[test]
    fn warnings_are_typed() {
        let engine = Engine::builder()
            .world_file("w.json", r#"{"UserDetailList": [], "Unknown": 1}"#)
            .build()
            .unwrap();
        assert!(matches!(
            engine.warnings(),
            [Warning::World(WorldWarning::UnknownKey { .. })]
        ));
        assert!(engine.warnings()[0]
            .to_string()
            .contains("unknown key `Unknown`"));
    }
}
