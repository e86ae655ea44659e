//! The question checked before it is answered.
//!
//! [`crate::Request::new`] refuses questions of the wrong form; [`check`] refuses
//! well-formed questions that name what does not exist, each with a did-you-mean: an action
//! the service catalogue lacks (`s3:GetObjekt`), a caller the world does not hold
//! (`user/alicee`), a resource that is not an ARN of a type the action takes, a context value
//! that does not parse as its key's type (`aws:SecureTransport=flase`). Without these checks a
//! typo answers "implicit deny", exactly like a real deny.
//!
//! Every face calls it the same way (the CLI's flags and `--requests` lines, suites, the
//! playground, library users through [`check`]); [`QuestionOptions`]
//! accepts unknown actions (a service newer than the catalogue) or principals (an external
//! caller) on purpose.
//!
//! ```
//! use polcheck_core::question::{check, QuestionOptions};
//! use polcheck_core::{Context, Request};
//! let req = Request::new(None, "s3:GetObjekt", "arn:aws:s3:::b/k", Context::new())?;
//! let e = check(&req, None, QuestionOptions::default()).unwrap_err();
//! # #[cfg(feature = "catalogue")]
//! assert_eq!(e.to_string(), "unknown action `s3:GetObjekt` (did you mean `s3:GetObject`?)");
//! # Ok::<(), polcheck_core::RequestError>(())
//! ```

use std::fmt;

mod whatif;
mod who;
pub use whatif::{if_context, IfContext};
pub use who::{who_can, Access, WhoCan, WhoCanReport};

use crate::principal::Principal;
use crate::request::Request;
use crate::world::World;

/// What a question may name on purpose although polcheck does not know it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuestionOptions {
    /// Accept actions the service catalogue lacks (a service newer than the catalogue).
    pub allow_unknown_actions: bool,
    /// Accept callers the world does not hold (an external account's principal).
    pub allow_unknown_principals: bool,
}

/// A question naming what does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuestionError {
    /// The catalogue has no such action.
    #[error("unknown action `{action}`{}", Suggestion(suggestion))]
    UnknownAction {
        /// The action as asked.
        action: String,
        /// The nearest action the catalogue has.
        suggestion: Option<String>,
    },
    /// The world holds no such caller.
    #[error("the world holds no principal `{principal}`{}", Suggestion(suggestion))]
    UnknownPrincipal {
        /// The caller as asked.
        principal: String,
        /// The nearest caller the world holds.
        suggestion: Option<String>,
    },
    /// The resource is an ARN of no type the action takes.
    #[error("resource `{resource}` is not a resource `{action}` takes (it takes {expected})")]
    ResourceType {
        /// The action.
        action: String,
        /// The resource as asked.
        resource: String,
        /// What the action takes, in words (`object: arn:${{Partition}}:s3:::...`).
        expected: String,
    },
    /// A context value that does not parse as its key's type.
    #[error(
        "context key `{key}`: `{value}` is not a {key_type} value{}",
        Hint(hint)
    )]
    ContextValue {
        /// The key.
        key: String,
        /// The value as given.
        value: String,
        /// The key's type, as the catalogue names it (`Bool`, `Numeric`, ...).
        key_type: String,
        /// What a value of that type looks like.
        hint: Option<String>,
    },
}

struct Suggestion<'a>(&'a Option<String>);

impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, " (did you mean `{s}`?)"),
            None => Ok(()),
        }
    }
}

struct Hint<'a>(&'a Option<String>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, " ({s})"),
            None => Ok(()),
        }
    }
}

/// A statement without `Resource` or `NotResource` where IAM requires one: every policy but a
/// role's trust policy (whose resource is the role itself). IAM refuses such a statement
/// ("Missing required field Resource"); polcheck never reads it as `*`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the statement has no `Resource` or `NotResource`: IAM refuses it in {what} (only a role's trust policy leaves it out); polcheck does not read it as `*`")]
pub struct MissingResource {
    /// The statement's index in its policy.
    pub index: usize,
    /// Where the statement starts.
    pub start: crate::json::Position,
    /// The kind of policy, in words (`an identity-based policy`).
    pub what: &'static str,
}

/// Refuses a policy one of whose statements has no `Resource` or `NotResource`, for a policy
/// that is not a role's trust policy (`what` names its kind in words).
///
/// ```
/// use polcheck_core::policy::Policy;
/// let p = Policy::parse(r#"{"Version": "2012-10-17",
///   "Statement": {"Effect": "Allow", "Action": "s3:GetObject"}}"#).unwrap();
/// let e = polcheck_core::question::check_resource_elements(&p, "an identity-based policy").unwrap_err();
/// assert_eq!((e.index, e.start.line), (0, 2));
/// ```
pub fn check_resource_elements(
    policy: &crate::policy::Policy,
    what: &'static str,
) -> Result<(), MissingResource> {
    match policy
        .statements
        .iter()
        .enumerate()
        .find(|(_, st)| st.resource.is_none())
    {
        Some((index, st)) => Err(MissingResource {
            index,
            start: st.start,
            what,
        }),
        None => Ok(()),
    }
}

/// Checks a question against the catalogue (with the `catalogue` feature) and the world:
/// action, caller, resource type and context values.
pub fn check(
    req: &Request,
    world: Option<&World>,
    options: QuestionOptions,
) -> Result<(), QuestionError> {
    if let Some(world) = world {
        check_principal(req.principal(), world, options)?;
    }
    #[cfg(feature = "catalogue")]
    catalogue_checks::check(req, options, true)?;
    Ok(())
}

/// Checks only the names a question uses: the action and the caller. Suites use this: a test
/// may ask on purpose about a value of the wrong type (the shared suites do: a value that does
/// not read as the operator's type never satisfies a condition), but never about a misspelt
/// action or principal.
pub fn check_names(
    req: &Request,
    world: Option<&World>,
    options: QuestionOptions,
) -> Result<(), QuestionError> {
    #[cfg(feature = "catalogue")]
    catalogue_checks::check(req, options, false)?;
    if let Some(world) = world {
        check_principal(req.principal(), world, options)?;
    }
    Ok(())
}

/// The caller of a world question must be one the world holds (or a service, or anonymous).
fn check_principal(
    p: &Principal,
    world: &World,
    options: QuestionOptions,
) -> Result<(), QuestionError> {
    if options.allow_unknown_principals
        || matches!(
            p,
            Principal::Anonymous
                | Principal::Unnamed
                | Principal::Service { .. }
                | Principal::FederatedUser { .. }
        )
        || world.holds(p)
    {
        return Ok(());
    }
    let asked = match p {
        Principal::User { arn, .. }
        | Principal::AssumedRole { arn, .. }
        | Principal::FederatedUser { arn, .. } => arn.clone(),
        Principal::Root { account } => format!("arn:aws:iam::{account}:root"),
        Principal::IdentityProvider { provider } if provider.starts_with("arn:") => {
            provider.clone()
        }
        Principal::IdentityProvider { provider } => format!("federated:{provider}"),
        _ => String::new(),
    };
    let mut candidates = world.principals();
    if matches!(p, Principal::IdentityProvider { .. }) {
        candidates = world.identity_providers().into_iter().collect();
    }
    Err(QuestionError::UnknownPrincipal {
        suggestion: nearest(&asked, candidates.iter().map(String::as_str)).map(str::to_string),
        principal: asked,
    })
}

/// The candidate closest to `input`, within a third of its length (at least 1, at most 4).
fn nearest<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_ascii_lowercase();
    let limit = (input.chars().count() / 3).clamp(1, 4);
    candidates
        .map(|c| (strsim::levenshtein(&input, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(feature = "catalogue")]
mod catalogue_checks {
    use super::{QuestionError, QuestionOptions};
    use crate::catalogue::{Catalogue, ConditionKeyType};
    use crate::condition::values;
    use crate::request::Request;

    pub(super) fn check(
        req: &Request,
        options: QuestionOptions,
        values: bool,
    ) -> Result<(), QuestionError> {
        let Ok(cat) = Catalogue::get() else {
            return Ok(());
        };
        let Some((service, name)) = req.action().split_once(':') else {
            return Ok(());
        };
        let Some(action) = cat.action(service, name) else {
            if options.allow_unknown_actions {
                return Ok(());
            }
            return Err(QuestionError::UnknownAction {
                action: req.action().to_string(),
                suggestion: cat.suggest_action(req.action()),
            });
        };
        if !values {
            return Ok(());
        }
        let resource = req.resource();
        let takes: Vec<_> = action.resource_types().map(|(t, _)| t).collect();
        if resource != "*"
            && !takes.is_empty()
            && cat
                .resource_types_for_arn(service, name, resource)
                .is_empty()
        {
            let expected: Vec<String> = takes
                .iter()
                .map(|t| {
                    let formats: Vec<&str> = t.arn_formats().collect();
                    format!("{} `{}`", t.name(), formats.join("` or `"))
                })
                .collect();
            return Err(QuestionError::ResourceType {
                action: action.full_name(),
                resource: resource.to_string(),
                expected: expected.join(", "),
            });
        }
        // Only the keys the question gave: those polcheck derives are well formed.
        for (key, value) in req.given_context() {
            let Some(info) = cat.condition_key(key, Some((service, name))) else {
                continue;
            };
            for v in value.values() {
                if let Some(hint) = bad_value(info.key_type, v) {
                    // The context keeps keys lowercased; the catalogue has AWS's spelling.
                    let templated = info.name.contains(['<', '$']);
                    return Err(QuestionError::ContextValue {
                        key: if templated {
                            key.to_string()
                        } else {
                            info.name.clone()
                        },
                        value: v.to_string(),
                        key_type: info.key_type.as_str().to_string(),
                        hint,
                    });
                }
            }
        }
        Ok(())
    }

    /// `None` when `v` reads as a value of `t`, else `Some(hint)`.
    fn bad_value(t: ConditionKeyType, v: &str) -> Option<Option<String>> {
        use ConditionKeyType::*;
        let (ok, hint) = match t {
            Bool | ArrayOfBool => (values::boolean(v).is_some(), "`true` or `false`"),
            Numeric | ArrayOfNumeric => (values::number(v).is_some(), "a number such as `3`"),
            Date | ArrayOfDate => (
                values::date(v).is_some(),
                "a date such as `2026-01-31T12:00:00Z` or seconds since 1970",
            ),
            IpAddress | ArrayOfIpAddress => (
                values::ip_net(v).is_some(),
                "an address such as `203.0.113.7` or a CIDR",
            ),
            Arn | ArrayOfArn => (v == "*" || crate::arn::Arn::parse(v).is_some(), "an ARN"),
            Binary | ArrayOfBinary => (values::binary(v).is_some(), "base64"),
            _ => (true, ""),
        };
        (!ok).then(|| Some(hint.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    #[cfg(feature = "catalogue")]
    use crate::context::ContextValue;

    #[cfg(feature = "catalogue")]
    fn req(action: &str, resource: &str, ctx: &[(&str, &str)]) -> Request {
        let mut c = Context::new();
        for (k, v) in ctx {
            c.insert(k, ContextValue::single(*v));
        }
        Request::new(
            Some("arn:aws:iam::111122223333:user/alice"),
            action,
            resource,
            c,
        )
        .unwrap()
    }

    #[cfg(feature = "catalogue")]
    #[test]
    fn catalogue_checks_with_did_you_mean() {
        let none = QuestionOptions::default();
        let e = check(&req("s3:GetObjekt", "*", &[]), None, none).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown action `s3:GetObjekt` (did you mean `s3:GetObject`?)"
        );
        let allow = QuestionOptions {
            allow_unknown_actions: true,
            ..none
        };
        assert!(check(&req("s3:GetObjekt", "*", &[]), None, allow).is_ok());
        // A bucket is not an object.
        let e = check(&req("s3:GetObject", "arn:aws:s3:::bucket", &[]), None, none).unwrap_err();
        assert!(
            e.to_string().contains(
                "is not a resource `s3:GetObject` takes (it takes accesspointobject `arn:"
            ),
            "{e}"
        );
        assert!(check(
            &req("s3:GetObject", "arn:aws:s3:::bucket/k", &[]),
            None,
            none
        )
        .is_ok());
        let e = check(
            &req("s3:GetObject", "*", &[("aws:SecureTransport", "flase")]),
            None,
            none,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "context key `aws:SecureTransport`: `flase` is not a Bool value (`true` or `false`)"
        );
        assert!(check(
            &req("s3:GetObject", "*", &[("aws:SecureTransport", "TRUE")]),
            None,
            none
        )
        .is_ok());
        assert!(check(
            &req("s3:GetObject", "*", &[("aws:SourceIp", "10.0.0.300")]),
            None,
            none
        )
        .is_err());
        // Keys the catalogue does not know are the policies' business, not the question's.
        assert!(check(
            &req("s3:GetObject", "*", &[("my:key", "anything")]),
            None,
            none
        )
        .is_ok());
    }

    #[test]
    fn a_principal_the_world_lacks_is_an_error_unless_allowed() {
        let (world, _) = World::load(&[(
            "w.json".into(),
            r#"{"UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice"}]}"#.into(),
        )])
        .unwrap();
        let none = QuestionOptions::default();
        let asked =
            |p: &str| Request::new(Some(p), "s3:ListAllMyBuckets", "*", Context::new()).unwrap();
        assert!(check(
            &asked("arn:aws:iam::111122223333:user/alice"),
            Some(&world),
            none
        )
        .is_ok());
        assert!(check(&asked("111122223333"), Some(&world), none).is_ok());
        let e = check(
            &asked("arn:aws:iam::111122223333:user/alicee"),
            Some(&world),
            none,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the world holds no principal `arn:aws:iam::111122223333:user/alicee` (did you mean `arn:aws:iam::111122223333:user/alice`?)"
        );
        let allow = QuestionOptions {
            allow_unknown_principals: true,
            ..none
        };
        assert!(check(
            &asked("arn:aws:iam::444455556666:user/x"),
            Some(&world),
            allow
        )
        .is_ok());
        assert!(check(&asked("lambda.amazonaws.com"), Some(&world), none).is_ok());
    }
}
