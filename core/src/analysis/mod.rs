//! Reasoning about policies, not only requests: what a change grants ([`diff`]), whether a
//! policy grants some access at all ([`check_not_granted`]), whether a resource policy is
//! public ([`check_no_public_access`]).
//!
//! # How
//!
//! Every question is answered from one construction, the partition (module `partition`): the request space
//! (action, resource, caller, and every condition key the policies read) is cut into
//! regions on which every statement of both policies applies or not as a whole, so each
//! region has one outcome under each policy. Each dimension is cut by its own algebra:
//! actions and resources by glob languages ([`lang`]; the catalogue is only used to name
//! actions, an action outside it is still a point of the space), condition values by
//! classes ([`values`]: string languages, numeric and date intervals, CIDR boundaries,
//! `Bool`, `Null`), callers by the identities the `Principal` elements name. The region's
//! representatives are real requests: every witness printed is first decided by the
//! [`crate::Engine`] under both policies.
//!
//! # What is UNKNOWN
//!
//! Where a policy uses a construct the construction cannot decide exactly, the answer is
//! [`Verdict::Unknown`] naming it, never a guess. See [`Unknown`] for the list, and
//! `docs/diff.md`.
//!
//! ```
//! use polcheck_core::analysis::{diff, PolicyType, Verdict};
//! let old = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}"#;
//! let new = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::reports/*"}}"#;
//! let d = diff(old, new, PolicyType::Identity)?;
//! assert_eq!(d.verdict, Verdict::Fail);
//! // Each region comes with a request the engine allows under NEW and denies under OLD.
//! let w = &d.regions[0].witness;
//! assert!(w.action.to_lowercase().starts_with("s3:"));
//! assert_eq!(diff(new, old, PolicyType::Identity)?.verdict, Verdict::Pass);
//! # Ok::<(), polcheck_core::analysis::AnalysisError>(())
//! ```

mod check;
mod diff;
pub mod findings;
pub use crate::pattern::lang;
mod partition;
pub mod suite;
mod to_json;
pub mod values;
mod witness;

pub use check::{check_no_public_access, check_not_granted};
pub use diff::{diff, removed, Diff, Region, Verdict, MAX_REGIONS};
pub use to_json::policy_text;
pub use witness::{reference_inputs, Witness};

use crate::policy::PolicyError;

/// Which kind of policy is compared: it decides how a request is asked of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyType {
    /// An identity-based policy: the caller is a user of the resource's account.
    Identity,
    /// A resource-based policy (bucket, queue, key policy...): callers from outside the
    /// resource's account, whose own identity policies allow everything.
    Resource,
    /// A role trust policy: a resource policy whose resource is the role.
    Trust,
    /// A service control policy, one level, over identity policies that allow everything.
    Scp,
    /// A resource control policy, one level, over identity policies that allow everything.
    Rcp,
    /// A permissions boundary over identity policies that allow everything.
    Boundary,
}

impl PolicyType {
    /// `true` for the kinds whose statements name principals.
    pub fn has_principals(self) -> bool {
        matches!(self, PolicyType::Resource | PolicyType::Trust)
    }

    /// The name the CLI and the suites use.
    pub fn name(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::Trust => "trust",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::Boundary => "boundary",
        }
    }

    /// Reads a name written by [`PolicyType::name`].
    pub fn parse(text: &str) -> Option<PolicyType> {
        [
            PolicyType::Identity,
            PolicyType::Resource,
            PolicyType::Trust,
            PolicyType::Scp,
            PolicyType::Rcp,
            PolicyType::Boundary,
        ]
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(text))
    }
}

/// A construct the analysis does not decide exactly; the answer is then UNKNOWN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unknown {
    /// A policy variable (`${aws:username}`) in a resource or condition value: the pattern
    /// depends on another key of the request.
    #[error("policy variable in `{text}` (a value compared across keys)")]
    Variable {
        /// The pattern or value as written.
        text: String,
    },
    /// One key compared with operators of different types (`StringEquals` and
    /// `NumericEquals` on one key).
    #[error("condition key `{key}` compared with operators of different types")]
    MixedOperators {
        /// The key, lowercased.
        key: String,
    },
    /// A multivalued key (`ForAnyValue:`/`ForAllValues:`) with more value classes than the
    /// analysis enumerates sets of.
    #[error("multivalued condition key `{key}` with {classes} value classes (at most {max} are analysed)", max = values::MAX_SET_CLASSES)]
    TooManyValueClasses {
        /// The key, lowercased.
        key: String,
        /// How many classes its values fall into.
        classes: usize,
    },
    /// `StringEqualsIgnoreCase` on text with letters outside ASCII.
    #[error("case-insensitive comparison of non-ASCII text `{value}`")]
    NonAsciiIgnoreCase {
        /// The value as written.
        value: String,
    },
    /// A construct the engine itself does not model (a `CanonicalUser` principal).
    #[error("{what} is not modelled")]
    Unmodelled {
        /// What it is.
        what: String,
    },
    /// With the organization as the trust zone, a condition on an organization key
    /// (`aws:PrincipalOrgID`...) when the organization's id is not known: its values are
    /// neither inside nor outside.
    #[error("`{key}` names an organization, and the trust zone's organization id is not known (give it as the world's `Organization.Id` or `polcheck findings --org-id`)")]
    OrganizationId {
        /// The key as written.
        key: String,
    },
    /// The construction grew past its limits.
    #[error("too many combinations in {what}")]
    TooComplex {
        /// What grew.
        what: String,
    },
}

/// Why an analysis could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// A policy that does not parse.
    #[error("{which}: {error}")]
    Policy {
        /// `OLD`, `NEW` or the policy's name.
        which: String,
        /// What is wrong, with its JSON path and line:column.
        error: Box<PolicyError>,
    },
    /// The engine did not confirm a witness: a bug in the analysis, reported instead of a
    /// wrong answer.
    #[error("internal error: the evaluator does not confirm the witness {0}")]
    Unconfirmed(String),
}

#[cfg(test)]
mod tests;
