//! What the engine was not given: the reasons behind an [`Outcome::Unknown`].
//!
//! An answer is `unknown` when the decision depends on something the inputs do not hold and
//! AWS would have (a KMS key's key policy, a role's trust policy, a route the network model
//! does not follow). Whoever builds the [`Layers`] of a request and finds such a gap records it
//! with [`Layers::mark_missing`]; [`crate::decide::decide`], [`crate::decide::decide_outcome`]
//! and the reference evaluator then answer `unknown` unless a known policy denies explicitly
//! (an explicit deny holds whatever the missing piece says).
//!
//! A condition key the request does not carry is *not* a reason: AWS evaluates the request
//! without it, and so does polcheck (the decision lists it in `missing_context`).
//!
//! ```
//! use polcheck_core::decide::{decide, Layers, Missing, Outcome};
//! use polcheck_core::{Context, Request};
//! let mut layers = Layers::default();
//! layers.mark_missing(Missing::resource_policy("key policy", "arn:aws:kms:us-east-1:111122223333:key/k1"));
//! let req = Request::new(Some("arn:aws:iam::111122223333:user/a"), "kms:Decrypt",
//!     "arn:aws:kms:us-east-1:111122223333:key/k1", Context::new()).unwrap();
//! let d = decide(&layers, &req);
//! assert_eq!(d.outcome, Outcome::Unknown);
//! assert_eq!(d.unknown[0].to_string(), "the world has no key policy for `arn:aws:kms:us-east-1:111122223333:key/k1`");
//! ```
//!
//! [`Outcome::Unknown`]: super::Outcome::Unknown
//! [`Layers`]: super::Layers
//! [`Layers::mark_missing`]: super::Layers::mark_missing

use std::fmt;

use serde::Serialize;

/// One thing the decision needed and the inputs did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Missing {
    /// The world holds the resource (or names it) but not the resource-based policy AWS
    /// requires for it, even in its own account.
    ResourcePolicy {
        /// What AWS calls the policy: `key policy`, `trust policy`...
        policy: String,
        /// The resource's ARN.
        resource: String,
    },
    /// Anything else, in words (`the route target `pcx-1` is not modelled`).
    Other {
        /// What is missing, as a sentence fragment.
        what: String,
    },
}

impl Missing {
    /// The world lacks `policy` (`key policy`, `trust policy`) of `resource`.
    pub fn resource_policy(policy: &str, resource: &str) -> Missing {
        Missing::ResourcePolicy {
            policy: policy.to_string(),
            resource: resource.to_string(),
        }
    }

    /// Something else the engine does not model, in words.
    pub fn other(what: impl Into<String>) -> Missing {
        Missing::Other { what: what.into() }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::ResourcePolicy { policy, resource } => {
                write!(f, "the world has no {policy} for `{resource}`")
            }
            Missing::Other { what } => f.write_str(what),
        }
    }
}
