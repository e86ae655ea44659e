//! Policies given by kind (the inputs of AWS's `simulate-custom-policy`), and how they meet a
//! world.
//!
//! [`PolicyInputs`] are the parsed policies a caller hands over: a suite's `policies`, the
//! CLI's `--policy`/`--boundary`/`--scp` flags, the playground's `policies` object, the
//! engine builder's calls. [`CompiledInputs`] are the same compiled once. This module sits
//! below `engine`, `world` and `suite`: it knows policies and compiled sets, nothing else.
//!
//! With a world, the inputs go on top of the world's layers for a request
//! ([`CompiledInputs::on_world`]): identity and resource policies are added to the world's, a
//! boundary, session policy or SCP/RCP levels replace the world's. That rule is written here
//! only; [`crate::Engine`] is the one caller.

use crate::compile::{NamedPolicy, PolicySet};
use crate::decide::{Layers, Missing};

/// The policies of a question by kind; a key left `None` is not modelled (a suite test's key
/// replaces the suite's).
#[derive(Debug, Clone, Default)]
pub struct PolicyInputs {
    /// `identity`: every identity-based policy of the caller.
    pub identity: Option<Vec<NamedPolicy>>,
    /// `resource`: the resource-based policy of the resource.
    pub resource: Option<NamedPolicy>,
    /// `boundary`.
    pub boundary: Option<NamedPolicy>,
    /// `session`.
    pub session: Option<NamedPolicy>,
    /// `scp`: levels from the root down.
    pub scp: Option<Vec<Vec<NamedPolicy>>>,
    /// `rcp`: levels from the root down.
    pub rcp: Option<Vec<Vec<NamedPolicy>>>,
}

impl PolicyInputs {
    /// These inputs with every key `over` sets replaced.
    pub fn overlay(&self, over: &PolicyInputs) -> PolicyInputs {
        PolicyInputs {
            identity: over.identity.clone().or_else(|| self.identity.clone()),
            resource: over.resource.clone().or_else(|| self.resource.clone()),
            boundary: over.boundary.clone().or_else(|| self.boundary.clone()),
            session: over.session.clone().or_else(|| self.session.clone()),
            scp: over.scp.clone().or_else(|| self.scp.clone()),
            rcp: over.rcp.clone().or_else(|| self.rcp.clone()),
        }
    }

    /// `true` when no key is set.
    pub fn is_empty(&self) -> bool {
        self.identity.is_none()
            && self.resource.is_none()
            && self.boundary.is_none()
            && self.session.is_none()
            && self.scp.is_none()
            && self.rcp.is_none()
    }

    /// Compiles each key once.
    pub fn compile(&self) -> CompiledInputs {
        let one = |p: &NamedPolicy| PolicySet::compile(vec![p.clone()]);
        let levels = |l: &Vec<Vec<NamedPolicy>>| {
            l.iter()
                .map(|ps| PolicySet::compile(ps.clone()))
                .collect::<Vec<_>>()
        };
        CompiledInputs {
            identity: self.identity.clone().map(PolicySet::compile),
            resource: self.resource.as_ref().map(one),
            boundary: self.boundary.as_ref().map(one),
            session: self.session.as_ref().map(one),
            scp: self.scp.as_ref().map(levels),
            rcp: self.rcp.as_ref().map(levels),
        }
    }
}

/// [`PolicyInputs`] compiled, key by key; cheap to clone (the sets are shared).
#[derive(Debug, Clone, Default)]
pub struct CompiledInputs {
    identity: Option<PolicySet>,
    resource: Option<PolicySet>,
    boundary: Option<PolicySet>,
    session: Option<PolicySet>,
    scp: Option<Vec<PolicySet>>,
    rcp: Option<Vec<PolicySet>>,
}

impl CompiledInputs {
    /// These inputs with every key `over` sets replaced, without compiling anything again.
    pub fn overlay(&self, over: &CompiledInputs) -> CompiledInputs {
        CompiledInputs {
            identity: over.identity.clone().or_else(|| self.identity.clone()),
            resource: over.resource.clone().or_else(|| self.resource.clone()),
            boundary: over.boundary.clone().or_else(|| self.boundary.clone()),
            session: over.session.clone().or_else(|| self.session.clone()),
            scp: over.scp.clone().or_else(|| self.scp.clone()),
            rcp: over.rcp.clone().or_else(|| self.rcp.clone()),
        }
    }

    /// `true` when no key is set.
    pub fn is_empty(&self) -> bool {
        self.identity.is_none()
            && self.resource.is_none()
            && self.boundary.is_none()
            && self.session.is_none()
            && self.scp.is_none()
            && self.rcp.is_none()
    }

    /// The layers of a question without a world: exactly these policies (no identity policy
    /// when none is given).
    pub fn alone(&self) -> Layers {
        Layers {
            identity: self.identity.clone().unwrap_or_default(),
            resource: self.resource.clone(),
            boundary: self.boundary.clone(),
            session: self.session.clone(),
            scp: self.scp.clone(),
            rcp: self.rcp.clone(),
            missing: Vec::new(),
        }
    }

    /// A world's layers for a request with these inputs on top: identity and resource
    /// policies added after the world's, a boundary, session policy or SCP/RCP levels in
    /// place of the world's. Nothing is compiled: the sets are put side by side.
    pub fn on_world(&self, world: Layers) -> Layers {
        let caller = self.on_world_caller(world.identity, world.boundary, world.scp);
        let mut layers = self.on_world_resource(
            &caller,
            world.resource.as_ref(),
            world.rcp.as_deref(),
            world.missing,
        );
        layers.session = self.session.clone().or(world.session);
        layers
    }

    /// The caller's half of [`CompiledInputs::on_world`] (identity, boundary, session, SCPs):
    /// what an engine works out once per caller.
    pub fn on_world_caller(
        &self,
        identity: PolicySet,
        boundary: Option<PolicySet>,
        scp: Option<Vec<PolicySet>>,
    ) -> CallerSide {
        CallerSide {
            identity: match &self.identity {
                Some(extra) if !extra.is_empty() => add(Some(&identity), extra),
                _ => identity,
            },
            boundary: self.boundary.clone().or(boundary),
            session: self.session.clone(),
            scp: self.scp.clone().or(scp),
        }
    }

    /// The layers of one request: the caller's half ([`CompiledInputs::on_world_caller`])
    /// and the world's resource-based policy, RCP levels and what it lacks, with these
    /// inputs on top.
    pub fn on_world_resource(
        &self,
        caller: &CallerSide,
        resource: Option<&PolicySet>,
        rcp: Option<&[PolicySet]>,
        missing: impl IntoIterator<Item = Missing>,
    ) -> Layers {
        Layers {
            identity: caller.identity.clone(),
            resource: match &self.resource {
                Some(extra) => Some(add(resource, extra)),
                None => resource.cloned(),
            },
            boundary: caller.boundary.clone(),
            session: caller.session.clone(),
            scp: caller.scp.clone(),
            rcp: self.rcp.clone().or_else(|| rcp.map(<[PolicySet]>::to_vec)),
            // A resource policy given with the inputs is the one the world lacked.
            missing: match self.resource {
                Some(_) => missing
                    .into_iter()
                    .filter(|m| !matches!(m, Missing::ResourcePolicy { .. }))
                    .collect(),
                None => missing.into_iter().collect(),
            },
        }
    }
}

/// A world's set with extra policies after it, sharing both's compiled parts.
fn add(world: Option<&PolicySet>, extra: &PolicySet) -> PolicySet {
    match world {
        Some(w) if !w.is_empty() => PolicySet::concat(&[w, extra]),
        _ => extra.clone(),
    }
}

/// The layers of a world's caller with the inputs on top ([`CompiledInputs::on_world_caller`]).
#[derive(Debug, Clone, Default)]
pub struct CallerSide {
    /// Identity-based policies: the world's, then the inputs'.
    pub identity: PolicySet,
    /// The inputs' boundary, else the world's.
    pub boundary: Option<PolicySet>,
    /// The inputs' session policy.
    pub session: Option<PolicySet>,
    /// The inputs' SCP levels, else the world's.
    pub scp: Option<Vec<PolicySet>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn named(name: &str, action: &str) -> NamedPolicy {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}}}"#
        );
        NamedPolicy::new(name, Policy::parse(&text).unwrap())
    }

    #[test]
    fn identity_and_resource_add_the_rest_replace() {
        let world = Layers {
            identity: PolicySet::compile(vec![named("w-id", "s3:GetObject")]),
            resource: Some(PolicySet::compile(vec![named("w-res", "s3:GetObject")])),
            boundary: Some(PolicySet::compile(vec![named("w-b", "s3:*")])),
            ..Layers::default()
        };
        let inputs = PolicyInputs {
            identity: Some(vec![named("x-id", "s3:PutObject")]),
            resource: Some(named("x-res", "s3:PutObject")),
            boundary: Some(named("x-b", "s3:Get*")),
            ..PolicyInputs::default()
        }
        .compile();
        let l = inputs.on_world(world);
        let names = |s: &PolicySet| s.policies().map(|p| p.name.to_string()).collect::<Vec<_>>();
        assert_eq!(names(&l.identity), ["w-id", "x-id"]);
        assert_eq!(l.identity.len(), 2);
        assert!(l
            .identity
            .statement_text(1)
            .unwrap()
            .contains("s3:PutObject"));
        assert_eq!(names(l.resource.as_ref().unwrap()), ["w-res", "x-res"]);
        assert_eq!(names(l.boundary.as_ref().unwrap()), ["x-b"]);
    }

    #[test]
    fn empty_inputs_leave_the_world_as_it_is() {
        let world = Layers {
            identity: PolicySet::compile(vec![named("w-id", "s3:GetObject")]),
            ..Layers::default()
        };
        let l = CompiledInputs::default().on_world(world);
        assert_eq!(l.identity.len(), 1);
        assert!(l.resource.is_none() && l.boundary.is_none() && l.scp.is_none());
    }
}
