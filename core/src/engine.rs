//! The library face: load once, compile once, ask many times.
//!
//! An [`Engine`] holds everything a question can need: policies given directly (the inputs of
//! AWS's `simulate-custom-policy`), a world of AWS exports, or both, already compiled. It is
//! `Send + Sync`: share one behind an `Arc` and ask from every thread.
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

use crate::compile::NamedPolicy;
use std::collections::BTreeSet;

use crate::decide::{decide, decide_outcome, Decision, Layers, Outcome, PolicyKind};
#[cfg(feature = "network")]
use crate::network::{Flow, FlowError, NetworkModel, Verdict};
use crate::policy::{Policy, PolicyError};
use crate::request::Request;
use crate::suite::{Environment, EnvironmentError, PolicyInputs};
use crate::world::World;

/// A compiled set of policies and/or a world, ready to answer requests and flows.
#[derive(Debug)]
pub struct Engine {
    env: Environment,
    inputs: PolicyInputs,
    layers: Layers,
}

/// Why an [`Engine`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A policy that does not parse; the name given to the builder comes first.
    #[error("{name}: {error}")]
    Policy {
        /// The name the policy was given.
        name: String,
        /// What is wrong, with its JSON path and line:column.
        error: Box<PolicyError>,
    },
    /// A world that does not load (a file that is not JSON included).
    #[error("{0}")]
    World(Box<EnvironmentError>),
}

/// Collects policies and world files for an [`Engine`].
#[derive(Debug, Default)]
pub struct EngineBuilder {
    inputs: PolicyInputs,
    world_files: Vec<(String, String)>,
}

fn parse(name: &str, text: &str) -> Result<NamedPolicy, EngineError> {
    Policy::parse(text)
        .map(|p| NamedPolicy::new(name, p))
        .map_err(|error| EngineError::Policy {
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

    /// Adds a world file (AWS CLI exports, `shared/spec/world.md`); files merge by key.
    pub fn world_file(mut self, name: &str, text: &str) -> Self {
        self.world_files.push((name.to_string(), text.to_string()));
        self
    }

    /// Compiles everything.
    pub fn build(self) -> Result<Engine, EngineError> {
        let env = if self.world_files.is_empty() {
            Environment::empty()
        } else {
            let files: Vec<(&str, &str)> = self
                .world_files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            Environment::load(&files).map_err(|e| EngineError::World(Box::new(e)))?
        };
        let layers = self.inputs.compile();
        Ok(Engine {
            env,
            inputs: self.inputs,
            layers,
        })
    }
}

impl Engine {
    /// Starts an engine from policies and world files.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The world, when world files were given.
    pub fn world(&self) -> Option<&World> {
        self.env.world.as_ref()
    }

    /// The network model, when world files were given.
    #[cfg(feature = "network")]
    pub fn network(&self) -> Option<&NetworkModel> {
        self.env.network.as_ref()
    }

    /// Warnings from loading the world (unknown keys, missing AWS-managed policies...).
    pub fn warnings(&self) -> &[String] {
        &self.env.warnings
    }

    /// Decides a request, with its explanation. With a world, the world's policies for the
    /// caller and resource apply, and the builder's policies apply in addition.
    pub fn authorize(&self, req: &Request) -> Decision {
        match &self.env.world {
            Some(world) => {
                let mut req = req.clone();
                decide(&world.layers_with(&mut req, &self.inputs), &req)
            }
            None => decide(&self.layers, req),
        }
    }

    /// Decides a request without building the explanation: the outcome and the kinds of
    /// policy that blocked it, several times faster than [`Engine::authorize`] on large
    /// policy sets. Use it on hot paths that only need the answer.
    pub fn check(&self, req: &Request) -> (Outcome, BTreeSet<PolicyKind>) {
        match &self.env.world {
            Some(world) => {
                let mut req = req.clone();
                decide_outcome(&world.layers_with(&mut req, &self.inputs), &req)
            }
            None => decide_outcome(&self.layers, req),
        }
    }

    /// Every principal of the world allowed to perform `action` on `resource`, with the
    /// decision that allowed it.
    pub fn who_can(&self, action: &str, resource: &str) -> Vec<(String, Decision)> {
        let Some(world) = &self.env.world else {
            return Vec::new();
        };
        world
            .principals()
            .into_iter()
            .filter_map(|p| {
                let req = Request::new(Some(&p), action, resource, Default::default()).ok()?;
                let d = self.authorize(&req);
                d.is_allowed().then_some((p, d))
            })
            .collect()
    }

    /// Evaluates a network flow against the world's network.
    #[cfg(feature = "network")]
    pub fn flow(&self, flow: &Flow) -> Result<Verdict, EngineFlowError> {
        let network = self
            .env
            .network
            .as_ref()
            .ok_or(EngineFlowError::NoNetwork)?;
        Ok(network.evaluate(flow)?)
    }
}

/// Why a flow could not be evaluated.
#[cfg(feature = "network")]
#[derive(Debug, thiserror::Error)]
pub enum EngineFlowError {
    /// The engine was built without world files.
    #[error("no network: build the engine with world files")]
    NoNetwork,
    /// The flow names something the world does not have, or is malformed.
    #[error("{0}")]
    Flow(#[from] FlowError),
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn world_and_policies_combine() {
        let world = r#"{"UserDetailList": [{"UserName": "a", "UserId": "AIDA", "Arn": "arn:aws:iam::111122223333:user/a",
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}]}]}"#;
        let engine = Engine::builder()
            .world_file("w.json", world)
            .boundary(
                "b",
                r#"{"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}"#,
            )
            .unwrap()
            .build()
            .unwrap();
        let ask = |action| {
            let req = Request::new(
                Some("arn:aws:iam::111122223333:user/a"),
                action,
                "*",
                Context::new(),
            )
            .unwrap();
            engine.authorize(&req).outcome
        };
        assert_eq!(ask("s3:GetObject"), crate::decide::Outcome::Allowed);
        let put = Request::new(
            Some("arn:aws:iam::111122223333:user/a"),
            "s3:PutObject",
            "*",
            Context::new(),
        )
        .unwrap();
        assert_eq!(
            engine.check(&put),
            (Outcome::ImplicitDeny, [PolicyKind::Boundary].into())
        );
        assert_eq!(ask("s3:PutObject"), crate::decide::Outcome::ImplicitDeny);
        assert_eq!(engine.who_can("s3:GetObject", "*").len(), 1);
        #[cfg(feature = "network")]
        assert!(matches!(engine.flow(&Flow::from_test_json(&serde_json::json!({"from": "internet", "to": "i-1", "protocol": "tcp", "port": 1})).unwrap()), Err(EngineFlowError::Flow(_))));
    }
}
