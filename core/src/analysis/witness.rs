//! Witness requests and the judge that confirms them: every witness is decided by the
//! [`Engine`] under both policies before it is reported.
//!
//! How a policy of each kind is asked (the other layers are fixed so that the policy alone
//! decides):
//!
//! | kind | engine inputs | caller | resource account |
//! | --- | --- | --- | --- |
//! | identity | the policy as the only identity policy | a user of the resource's account | unnamed |
//! | resource, trust | the policy as the resource policy, and an identity policy allowing everything | the region's caller | unnamed, so every named caller is from another account |
//! | scp, rcp | the policy as the only level, and an identity policy allowing everything | a user of the resource's account | unnamed |
//! | boundary | the policy as the boundary, and an identity policy allowing everything | a user of the resource's account | unnamed |

use serde_json::{json, Map, Value};

use super::{AnalysisError, PolicyType};
use crate::context::{Context, ContextValue};
use crate::decide::Outcome;
use crate::engine::{Engine, EngineError};
use crate::policy::Policy;
use crate::reference::ReferenceInputs;
use crate::request::Request;

/// An identity policy that allows everything: the background for kinds that only restrict.
pub(crate) const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

/// A concrete request, in the shape of a test's `request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The caller's ARN or service name; `None` for an anonymous caller.
    pub principal: Option<String>,
    /// `service:Action`.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// The account that owns the resource.
    pub resource_account: String,
    /// The condition keys the request sets (the caller's derived keys are not repeated).
    pub context: Vec<(String, ContextValue)>,
}

impl Witness {
    /// The request the engine decides.
    pub fn request(&self) -> Result<Request, crate::request::RequestError> {
        let mut ctx = Context::new();
        for (k, v) in &self.context {
            ctx.insert(k, v.clone());
        }
        let mut r = Request::new(self.principal.as_deref(), &self.action, &self.resource, ctx)?;
        r.set_resource_account(Some(self.resource_account.clone()));
        Ok(r)
    }

    /// The witness as a test `request` object (`shared/spec/policy-tests.md`).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(p) = &self.principal {
            m.insert("principal".into(), json!(p));
        }
        m.insert("action".into(), json!(self.action));
        m.insert("resource".into(), json!(self.resource));
        m.insert("resourceAccount".into(), json!(self.resource_account));
        if !self.context.is_empty() {
            let ctx: Map<String, Value> = self
                .context
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        ContextValue::Single(s) => json!(s),
                        ContextValue::Multi(list) => json!(list),
                    };
                    (k.clone(), v)
                })
                .collect();
            m.insert("context".into(), Value::Object(ctx));
        }
        Value::Object(m)
    }
}

impl std::fmt::Display for Witness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

/// Builds the engine that asks a policy of a kind.
pub(crate) fn engine(kind: PolicyType, name: &str, text: &str) -> Result<Engine, EngineError> {
    let b = Engine::builder();
    let b = match kind {
        PolicyType::Identity => b.identity_policy(name, text)?,
        PolicyType::Resource | PolicyType::Trust => b
            .resource_policy(name, text)?
            .identity_policy("allow-all", ALLOW_ALL)?,
        PolicyType::Scp => b
            .scp_level(&[(name, text)])?
            .identity_policy("allow-all", ALLOW_ALL)?,
        PolicyType::Rcp => b
            .rcp_level(&[(name, text)])?
            .identity_policy("allow-all", ALLOW_ALL)?,
        PolicyType::Boundary => b
            .boundary(name, text)?
            .identity_policy("allow-all", ALLOW_ALL)?,
    };
    b.build()
}

/// The same inputs for the reference evaluator.
pub fn reference_inputs(kind: PolicyType, policy: &Policy) -> ReferenceInputs {
    let allow_all = Policy::parse(ALLOW_ALL).ok();
    let mut r = ReferenceInputs::default();
    match kind {
        PolicyType::Identity => r.identity = vec![policy.clone()],
        PolicyType::Resource | PolicyType::Trust => {
            r.resource = Some(policy.clone());
            r.identity = allow_all.into_iter().collect();
        }
        PolicyType::Scp => {
            r.scp = Some(vec![vec![policy.clone()]]);
            r.identity = allow_all.into_iter().collect();
        }
        PolicyType::Rcp => {
            r.rcp = Some(vec![vec![policy.clone()]]);
            r.identity = allow_all.into_iter().collect();
        }
        PolicyType::Boundary => {
            r.boundary = Some(policy.clone());
            r.identity = allow_all.into_iter().collect();
        }
    }
    r
}

/// Two engines, one per policy, that decide witnesses.
pub(crate) struct Judge {
    old: Engine,
    new: Engine,
}

impl Judge {
    pub fn new(kind: PolicyType, old: &str, new: &str) -> Result<Judge, AnalysisError> {
        let wrap = |which: &str| {
            let which = which.to_string();
            move |e: EngineError| match e {
                EngineError::Policy { error, .. } => AnalysisError::Policy { which, error },
                other => AnalysisError::Unconfirmed(other.to_string()),
            }
        };
        Ok(Judge {
            old: engine(kind, "OLD", old).map_err(wrap("OLD"))?,
            new: engine(kind, "NEW", new).map_err(wrap("NEW"))?,
        })
    }

    /// The outcomes under OLD and NEW.
    pub fn outcomes(&self, w: &Witness) -> Option<(Outcome, Outcome)> {
        let req = w.request().ok()?;
        Some((self.old.check(&req).0, self.new.check(&req).0))
    }

    /// `true` when the engine allows the witness under NEW and not under OLD.
    pub fn confirms(&self, w: &Witness) -> bool {
        matches!(self.outcomes(w), Some((old, Outcome::Allowed)) if old != Outcome::Allowed)
    }
}
