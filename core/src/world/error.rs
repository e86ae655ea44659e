//! What can go wrong loading a world: errors stop the load, warnings are returned beside the
//! world. Both name the file, the JSON path and the line:column.

use std::fmt;

use crate::json::{JsonPath, JsonSyntaxError, Position};
use crate::policy::PolicyError;

/// A place in one of the world's files.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct At {
    /// The file name as the caller gave it.
    pub file: String,
    /// `UserDetailList[3].GroupList[0]`.
    pub path: JsonPath,
    /// Line and column where the node starts.
    pub position: Position,
}

impl fmt::Display for At {
    /// `iam.json:12:7: UserDetailList[0].GroupList[1]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.position, self.path)
    }
}

/// A world that cannot be loaded. Every variant says where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WorldError {
    /// A file is not JSON.
    #[error("{file}:{}: invalid JSON: {}", error.position, error.message)]
    Syntax {
        /// The file.
        file: String,
        /// What the JSON reader said.
        error: JsonSyntaxError,
    },
    /// A policy document inside the world does not parse.
    #[error("{}", policy_message(file, error))]
    Policy {
        /// The file.
        file: String,
        /// The policy error, with its path from the file's root.
        error: Box<PolicyError>,
    },
    /// A value of the wrong JSON type.
    #[error("{at}: expected {expected}, found {found}")]
    WrongType {
        /// Where.
        at: At,
        /// What the format takes there.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A required key is absent.
    #[error("{at}: missing `{key}`")]
    Missing {
        /// The object lacking it.
        at: At,
        /// The key.
        key: &'static str,
    },
    /// Two files (or an ARN) disagree on the account.
    #[error("{at}: account `{found}` disagrees with account `{expected}` given at {first}")]
    AccountMismatch {
        /// Where the second account is given.
        at: At,
        /// The account given first.
        expected: String,
        /// The account given here.
        found: String,
        /// Where the first was given.
        first: Box<At>,
    },
    /// The same user, group, role, policy, resource policy or SCP name defined twice.
    #[error("{at}: {what} `{name}` is defined twice")]
    Duplicate {
        /// The second definition.
        at: At,
        /// `user`, `group`, `role`, `managed policy`, `resource policy`...
        what: &'static str,
        /// Its ARN or name.
        name: String,
    },
    /// The world is larger than a limit of [`super::limits`].
    #[error(
        "{at}: more than {limit} {what} in the world (the limit of polcheck's world importer)"
    )]
    Limit {
        /// Where the count went over.
        at: At,
        /// What is counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A user's `GroupList` names a group absent from every `GroupDetailList`.
    #[error("{at}: user `{user}` is in group `{group}`, which no `GroupDetailList` defines")]
    UnknownGroup {
        /// The `GroupList` entry.
        at: At,
        /// The user's name.
        user: String,
        /// The group's name.
        group: String,
    },
    /// A customer-managed policy (attached or as a boundary) absent from `Policies`.
    #[error("{at}: managed policy `{arn}` is not in `Policies`")]
    UnknownPolicy {
        /// The reference.
        at: At,
        /// The policy ARN.
        arn: String,
    },
    /// A managed policy whose `PolicyVersionList` has no, or several, default versions.
    #[error("{at}: managed policy `{arn}` has {count} versions with `IsDefaultVersion` true (expected exactly one)")]
    DefaultVersion {
        /// The policy.
        at: At,
        /// Its ARN.
        arn: String,
        /// How many default versions it has.
        count: usize,
    },
    /// An ARN polcheck cannot read where one is required.
    #[error("{at}: `{arn}` is not an ARN of the expected kind ({expected})")]
    BadArn {
        /// Where.
        at: At,
        /// The text.
        arn: String,
        /// What kind of ARN belongs there.
        expected: &'static str,
    },
}

fn policy_message(file: &str, e: &PolicyError) -> String {
    let l = &e.location;
    match l.inner {
        Some(inner) => format!(
            "{file}:{}: {} (at {inner} of the embedded document): {}",
            l.position, l.path, e.kind
        ),
        None => format!("{file}:{}: {}: {}", l.position, l.path, e.kind),
    }
}

/// Something the world leaves out or does not know; the load goes on. Returned, never printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorldWarning {
    /// A key polcheck does not read (top-level, or inside polcheck's own objects).
    #[error("{at}: unknown key `{key}` ignored")]
    UnknownKey {
        /// Where the key stands (its path includes the key).
        at: At,
        /// The key.
        key: String,
    },
    /// An AWS-managed policy attached to someone is absent from `Policies`: it is left out, so
    /// polcheck may deny what AWS allows.
    #[error("{at}: AWS managed policy `{arn}` is not in `Policies`, so it is left out and its permissions are missing (export with `--filter AWSManagedPolicy` to include it)")]
    MissingAwsPolicy {
        /// The reference.
        at: At,
        /// The policy ARN.
        arn: String,
    },
    /// An AWS-managed permissions boundary absent from `Policies`: the boundary is taken as
    /// allowing nothing, so polcheck may deny what AWS allows.
    #[error("{at}: AWS managed boundary `{arn}` is not in `Policies`, so the boundary is taken as allowing nothing (export with `--filter AWSManagedPolicy` to include it)")]
    MissingAwsBoundary {
        /// The reference.
        at: At,
        /// The policy ARN.
        arn: String,
    },
    /// A `ResourcePolicies` entry held under an ARN that no request reaches.
    #[error("{at}: no request reaches the resource policy held under `{arn}`: {why}")]
    UnreachablePolicy {
        /// The `ResourceArn`.
        at: At,
        /// The ARN as written.
        arn: String,
        /// Why, and where the policy belongs.
        why: String,
    },
    /// An SCP or RCP attached to a target that no account's path contains: it never applies.
    #[error("{at}: target `{target}` is on no account's path in `Organization.Accounts`, so this policy applies nowhere")]
    UnusedTarget {
        /// The target entry.
        at: At,
        /// The root, OU or account id.
        target: String,
    },
}
