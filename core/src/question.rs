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

use std::collections::HashMap;
use std::fmt;

mod whatif;
mod who;
pub use whatif::{if_context, IfContext};
pub use who::{who_can, Access, WhoCan, WhoCanReport};

use crate::hash::Fx;
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

/// [`check`] for many questions, remembering what it found: whether each caller is held,
/// each action known, each context key's type, and whether each action takes ARNs of each
/// shape (the characters that decide which ARN formats fit, see the `catalogue::shape`
/// module). The answers and errors are those of [`check`], at a fraction of the cost when
/// questions repeat their callers, actions and kinds of resource (a batch file). Memory stays
/// bounded: each table starts again past [`Checker::MAX_REMEMBERED`] entries.
///
/// ```
/// use polcheck_core::question::{check, Checker, QuestionOptions};
/// use polcheck_core::{Context, Request};
/// let mut checker = Checker::new(None, QuestionOptions::default());
/// for key in ["a/1", "b/2"] {
///     let req = Request::new(None, "s3:GetObject", &format!("arn:aws:s3:::{key}"), Context::new())?;
///     assert_eq!(checker.check(&req), check(&req, None, QuestionOptions::default()));
/// }
/// # Ok::<(), polcheck_core::RequestError>(())
/// ```
pub struct Checker<'w> {
    world: Option<&'w World>,
    options: QuestionOptions,
    principals: HashMap<Principal, Result<(), QuestionError>, Fx>,
    #[cfg(feature = "catalogue")]
    catalogue: catalogue_checks::Memo,
}

impl fmt::Debug for Checker<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checker")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'w> Checker<'w> {
    /// Entries each table keeps at most before it starts again.
    pub const MAX_REMEMBERED: usize = 4096;

    /// A checker of questions about `world` (or none), with `options`.
    pub fn new(world: Option<&'w World>, options: QuestionOptions) -> Checker<'w> {
        Checker {
            world,
            options,
            principals: HashMap::default(),
            #[cfg(feature = "catalogue")]
            catalogue: catalogue_checks::Memo::default(),
        }
    }

    /// What [`check`] answers for `req` with this checker's world and options.
    pub fn check(&mut self, req: &Request) -> Result<(), QuestionError> {
        if let Some(world) = self.world {
            let p = req.principal();
            if !fast_accepted(p, self.options) {
                let r = match self.principals.get(p) {
                    Some(r) => r.clone(),
                    None => {
                        let r = check_principal(p, world, self.options);
                        if self.principals.len() >= Self::MAX_REMEMBERED {
                            self.principals.clear();
                        }
                        self.principals.insert(p.clone(), r.clone());
                        r
                    }
                };
                r?;
            }
        }
        #[cfg(feature = "catalogue")]
        self.catalogue.check(req, self.options)?;
        Ok(())
    }
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
    if fast_accepted(p, options) || world.holds(p) {
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

/// A caller accepted without looking in the world.
fn fast_accepted(p: &Principal, options: QuestionOptions) -> bool {
    options.allow_unknown_principals
        || matches!(
            p,
            Principal::Anonymous
                | Principal::Unnamed
                | Principal::Service { .. }
                | Principal::FederatedUser { .. }
        )
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
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::{Fx, QuestionError, QuestionOptions};
    use crate::catalogue::shape::ShapeTable;
    use crate::catalogue::{ActionRef, Catalogue, ConditionKeyInfo, ConditionKeyType};
    use crate::condition::values;
    use crate::context::ContextValue;
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
            return unknown_action(cat, req, options);
        };
        if !values {
            return Ok(());
        }
        let resource = req.resource();
        let takes_any = action.resource_types().next().is_some();
        if resource != "*"
            && takes_any
            && cat
                .resource_types_for_arn(service, name, resource)
                .is_empty()
        {
            return Err(resource_type(action, resource, &expected(action)));
        }
        // Only the keys the question gave: those polcheck derives are well formed.
        for (key, value) in req.given_context() {
            let Some(info) = cat.condition_key(key, Some((service, name))) else {
                continue;
            };
            let k = Key::of(&info);
            k.check(key, value)?;
        }
        Ok(())
    }

    /// An action the catalogue lacks: refused unless the options accept it.
    fn unknown_action(
        cat: &Catalogue,
        req: &Request,
        options: QuestionOptions,
    ) -> Result<(), QuestionError> {
        if options.allow_unknown_actions {
            return Ok(());
        }
        Err(QuestionError::UnknownAction {
            action: req.action().to_string(),
            suggestion: cat.suggest_action(req.action()),
        })
    }

    /// What an action takes, in words.
    fn expected(action: ActionRef<'_>) -> String {
        let expected: Vec<String> = action
            .resource_types()
            .map(|(t, _)| {
                let formats: Vec<&str> = t.arn_formats().collect();
                format!("{} `{}`", t.name(), formats.join("` or `"))
            })
            .collect();
        expected.join(", ")
    }

    fn resource_type(action: ActionRef<'_>, resource: &str, expected: &str) -> QuestionError {
        QuestionError::ResourceType {
            action: action.full_name(),
            resource: resource.to_string(),
            expected: expected.to_string(),
        }
    }

    /// What the check needs of a condition key the catalogue declares.
    #[derive(Clone)]
    struct Key {
        key_type: ConditionKeyType,
        /// AWS's spelling of the key, for an untemplated one.
        name: Option<String>,
    }

    impl Key {
        fn of(info: &ConditionKeyInfo) -> Key {
            let templated = info.name.contains(['<', '$']);
            Key {
                key_type: info.key_type,
                name: (!templated).then(|| info.name.clone()),
            }
        }

        /// Refuses the first value of `value` that does not read as the key's type.
        fn check(&self, key: &str, value: &ContextValue) -> Result<(), QuestionError> {
            for v in value.values() {
                if let Some(hint) = bad_value(self.key_type, v) {
                    // The context keeps keys lowercased; the catalogue has AWS's spelling.
                    return Err(QuestionError::ContextValue {
                        key: self.name.clone().unwrap_or_else(|| key.to_string()),
                        value: v.to_string(),
                        key_type: self.key_type.as_str().to_string(),
                        hint,
                    });
                }
            }
            Ok(())
        }
    }

    /// What [`super::Checker`] remembers of the catalogue.
    #[derive(Default)]
    pub(super) struct Memo {
        /// By action as asked: its entry in `known`, `None` when the catalogue has no say
        /// (no catalogue, no `:`, an unknown action accepted), or the error.
        actions: HashMap<Box<str>, Result<Option<usize>, QuestionError>, Fx>,
        known: Vec<Known>,
        /// The shape tables of the services seen, by service prefix.
        tables: HashMap<&'static str, Arc<ShapeTable>, Fx>,
        /// The shape of the ARN being checked.
        scratch: Vec<u8>,
    }

    /// A known action and what was found about it.
    struct Known {
        action: ActionRef<'static>,
        takes_any: bool,
        table: Arc<ShapeTable>,
        /// Whether it takes ARNs of a shape.
        fits: HashMap<Box<[u8]>, bool, Fx>,
        /// The condition keys given with it, by key as given: `None` when undeclared.
        keys: HashMap<Box<str>, Option<Key>, Fx>,
        expected: Option<String>,
    }

    impl Memo {
        pub(super) fn check(
            &mut self,
            req: &Request,
            options: QuestionOptions,
        ) -> Result<(), QuestionError> {
            let Some(i) = self.action(req, options)? else {
                return Ok(());
            };
            let Some(k) = self.known.get_mut(i) else {
                return Ok(());
            };
            let resource = req.resource();
            if resource != "*" && k.takes_any {
                k.table.shape(resource, &mut self.scratch);
                let fits = match k.fits.get(self.scratch.as_slice()) {
                    Some(&f) => f,
                    None => {
                        let a = k.action;
                        let f = match Catalogue::get() {
                            Ok(cat) => !cat
                                .resource_types_for_arn(&a.service.prefix, &a.action.name, resource)
                                .is_empty(),
                            Err(_) => true,
                        };
                        if k.fits.len() >= super::Checker::MAX_REMEMBERED {
                            k.fits.clear();
                        }
                        k.fits.insert(self.scratch.as_slice().into(), f);
                        f
                    }
                };
                if !fits {
                    let expected = k.expected.get_or_insert_with(|| expected(k.action));
                    return Err(resource_type(k.action, resource, expected));
                }
            }
            for (key, value) in req.given_context() {
                let info = match k.keys.get(key) {
                    Some(info) => info,
                    None => {
                        // Split only on a miss: most lines ask with keys seen before.
                        let (service, name) = req.action().split_once(':').unwrap_or_default();
                        let info = Catalogue::get()
                            .ok()
                            .and_then(|cat| cat.condition_key(key, Some((service, name))))
                            .map(|info| Key::of(&info));
                        if k.keys.len() >= super::Checker::MAX_REMEMBERED {
                            k.keys.clear();
                        }
                        k.keys.entry(key.into()).or_insert(info)
                    }
                };
                if let Some(info) = info {
                    info.check(key, value)?;
                }
            }
            Ok(())
        }

        /// The action's entry, found once.
        fn action(
            &mut self,
            req: &Request,
            options: QuestionOptions,
        ) -> Result<Option<usize>, QuestionError> {
            if let Some(r) = self.actions.get(req.action()) {
                return r.clone();
            }
            let r = self.find_action(req, options);
            if self.actions.len() >= super::Checker::MAX_REMEMBERED {
                self.actions.clear();
                self.known.clear();
                return self.find_action(req, options);
            }
            self.actions.insert(req.action().into(), r.clone());
            r
        }

        fn find_action(
            &mut self,
            req: &Request,
            options: QuestionOptions,
        ) -> Result<Option<usize>, QuestionError> {
            let Ok(cat) = Catalogue::get() else {
                return Ok(None);
            };
            let Some((service, name)) = req.action().split_once(':') else {
                return Ok(None);
            };
            let Some(action) = cat.action(service, name) else {
                return unknown_action(cat, req, options).map(|()| None);
            };
            let table = Arc::clone(
                self.tables
                    .entry(action.service.prefix.as_str())
                    .or_insert_with(|| Arc::new(ShapeTable::new(action.service))),
            );
            self.known.push(Known {
                action,
                takes_any: action.resource_types().next().is_some(),
                table,
                fits: HashMap::default(),
                keys: HashMap::default(),
                expected: None,
            });
            Ok(Some(self.known.len() - 1))
        }
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

    /// The memoizing [`Checker`] gives [`check`]'s answer and error on every question of a
    /// mixed batch (good lines, a misspelt action, callers the world lacks, ARNs of a type
    /// the action does not take, context values of the wrong type), asked in an order where
    /// each remembered answer is reused by a question whose own answer differs, and on ARNs
    /// generated from every format of several services with names that hold the formats'
    /// literals, `:`, `/`, multi-byte characters and the shape's marker byte.
    #[cfg(feature = "catalogue")]
    #[test]
    fn the_memoized_check_answers_as_the_plain_one() {
        use crate::catalogue::Catalogue;
        let (world, _) = World::load(&[(
            "w.json".into(),
            r#"{"UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice"}],
                "RoleDetailList": [{"RoleName": "App", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/App",
                  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}]}"#
                .into(),
        )])
        .unwrap();
        let alice = "arn:aws:iam::111122223333:user/alice";
        let app = "arn:aws:sts::111122223333:assumed-role/App/s1";
        type Line<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)]);
        let lines: &[Line<'_>] = &[
            (
                alice,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                &[("aws:SecureTransport", "true")],
            ),
            (
                alice,
                "s3:GetObject",
                "arn:aws:s3:::b/other/key.zip",
                &[("aws:SecureTransport", "flase")],
            ),
            (alice, "s3:GetObject", "arn:aws:s3:::bucket", &[]),
            (alice, "s3:ListBucket", "arn:aws:s3:::bucket", &[]),
            (alice, "s3:ListBucket", "arn:aws:s3:::b/k", &[]),
            (alice, "s3:ListBucket", "arn:aws:s3:::b/", &[]),
            (alice, "s3:GetObject", "arn:aws:s3:::b/", &[]),
            (alice, "s3:GetObject", "arn:aws:s3:::/k", &[]),
            (
                alice,
                "s3:GetObject",
                "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k",
                &[],
            ),
            (
                alice,
                "s3:GetObject",
                "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
                &[],
            ),
            (alice, "s3:GetObject", "arn:aws:s3:::b/k:é\u{1}", &[]),
            (app, "s3:GetObjekt", "arn:aws:s3:::b/k", &[]),
            (
                app,
                "s3:getobject",
                "arn:aws:s3:::b/k",
                &[("AWS:SourceIp", "10.0.0.300")],
            ),
            (
                app,
                "s3:getobject",
                "arn:aws:s3:::b/k",
                &[("aws:sourceip", "10.0.0.3")],
            ),
            (
                "arn:aws:iam::111122223333:user/alicee",
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                &[],
            ),
            (
                "arn:aws:iam::111122223333:user/alicee",
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                &[],
            ),
            (
                "arn:aws:sts::111122223333:assumed-role/Ap/s1",
                "s3:GetObject",
                "*",
                &[],
            ),
            (
                alice,
                "dynamodb:Query",
                "arn:aws:dynamodb:us-east-1:111122223333:table/Orders",
                &[],
            ),
            (
                alice,
                "dynamodb:Query",
                "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/ByDate",
                &[],
            ),
            (
                alice,
                "dynamodb:Query",
                "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2026",
                &[],
            ),
            (
                alice,
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:111122223333:function:f",
                &[],
            ),
            (
                alice,
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:111122223333:function:f:live",
                &[],
            ),
            (
                alice,
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:111122223333:layer:f",
                &[],
            ),
            (
                alice,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:jobs",
                &[("aws:MultiFactorAuthPresent", "yes")],
            ),
            (
                alice,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:jobs",
                &[
                    ("aws:MultiFactorAuthPresent", "true"),
                    ("aws:PrincipalTag/team", "x"),
                    ("my:key", "1"),
                ],
            ),
            (
                alice,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:jobs",
                &[("aws:EpochTime", "soon")],
            ),
            (
                alice,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:jobs",
                &[("aws:EpochTime", "1700000000")],
            ),
            (
                alice,
                "ec2:StartInstances",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-0123",
                &[],
            ),
            (
                alice,
                "ec2:StartInstances",
                "arn:aws:ec2:us-east-1:111122223333:volume/vol-0123",
                &[],
            ),
            (alice, "nosuchservice:Do", "arn:aws:s3:::b/k", &[]),
            (
                "federated:accounts.gogle.com",
                "sts:AssumeRoleWithWebIdentity",
                "*",
                &[],
            ),
            (
                "federated:accounts.gogle.com",
                "sts:AssumeRoleWithWebIdentity",
                "*",
                &[],
            ),
        ];
        let mut reqs = Vec::new();
        for (p, a, r, ctx) in lines {
            let mut c = Context::new();
            for (k, v) in *ctx {
                c.insert(k, ContextValue::single(*v));
            }
            reqs.push(Request::new(Some(p), a, r, c).unwrap());
        }
        // ARNs generated from every format of some services, asked of each of their actions
        // that takes a resource type.
        let cat = Catalogue::get().unwrap();
        let parts = [
            "x",
            "bucket",
            "object",
            "accesspoint",
            "table",
            "index",
            "stream",
            "function",
            "log-group",
            "log-stream",
            "/",
            ":",
            "a/b",
            "a:b",
            "é",
            "\u{1}",
            "*",
            "-",
            "",
            "111122223333",
            "us-east-1",
        ];
        let mut seed = 2026u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) as usize) % n
        };
        for prefix in [
            "s3",
            "dynamodb",
            "lambda",
            "logs",
            "ec2",
            "sns",
            "kms",
            "apigateway",
        ] {
            let service = cat.service(prefix).unwrap();
            let actions: Vec<&str> = service
                .actions()
                .iter()
                .map(|a| a.name())
                .filter(|a| {
                    cat.action(prefix, a)
                        .is_some_and(|a| a.resource_types().next().is_some())
                })
                .collect();
            for rt in service.resource_types() {
                for format in rt.arn_formats() {
                    for _ in 0..6 {
                        let mut arn = String::new();
                        let mut rest = format;
                        while let Some(i) = rest.find("${") {
                            arn.push_str(&rest[..i]);
                            let end = rest[i..].find('}').map_or(rest.len(), |e| i + e + 1);
                            for _ in 0..=next(3) {
                                arn.push_str(parts[next(parts.len())]);
                            }
                            rest = &rest[end..];
                        }
                        arn.push_str(rest);
                        let arn = arn.replace("arn::", "arn:aws:");
                        for _ in 0..3 {
                            let action = format!("{prefix}:{}", actions[next(actions.len())]);
                            if let Ok(r) = Request::new(Some(alice), &action, &arn, Context::new())
                            {
                                reqs.push(r);
                            }
                        }
                    }
                }
            }
        }
        let mut fails = 0;
        for options in [
            QuestionOptions::default(),
            QuestionOptions {
                allow_unknown_actions: true,
                allow_unknown_principals: true,
            },
        ] {
            for world in [None, Some(&world)] {
                let mut checker = Checker::new(world, options);
                // Twice over, so the second round is answered from memory.
                for req in reqs.iter().chain(&reqs) {
                    let plain = check(req, world, options);
                    fails += usize::from(plain.is_err());
                    assert_eq!(checker.check(req), plain, "{req:?}");
                }
            }
        }
        // The batch is mixed: many questions of each kind are refused, many are not.
        assert!(
            fails > 200 && fails < 4 * 2 * reqs.len() - 200,
            "{fails} of {}",
            reqs.len()
        );
    }
}
