//! polcheck-benches: generated IAM workloads, their translations for cedar-policy and iam-rs,
//! and the measuring helpers shared by the criterion benches and the quick mode (`main.rs`).
#![forbid(unsafe_code)]

pub mod cedar;
pub mod diff_inputs;
pub mod estates;
pub mod iamrs;
pub mod measure;
pub mod network_estate;
pub mod paths_estate;
pub mod polcheck;
pub mod workload;

/// An engine's answer, in the vocabulary all of them can give for identity-only workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Allowed.
    Allowed,
    /// A Deny (Cedar: `forbid`) applied.
    ExplicitDeny,
    /// Nothing allowed.
    ImplicitDeny,
}

impl From<polcheck_core::decide::Outcome> for Verdict {
    fn from(o: polcheck_core::decide::Outcome) -> Verdict {
        use polcheck_core::decide::Outcome;
        match o {
            Outcome::Allowed => Verdict::Allowed,
            Outcome::ExplicitDeny => Verdict::ExplicitDeny,
            // Generated workloads lack nothing; an unknown is no allow.
            _ => Verdict::ImplicitDeny,
        }
    }
}
