//! A request: who calls which action on which resource, with what context.
//!
//! [`Request::new`] checks the form of the question (an action `service:Action`, a resource
//! `*` or an ARN, a caller polcheck can read) and returns a [`RequestError`] otherwise, so
//! every face (CLI flags, batch lines, suites, the playground, library users) refuses the same
//! malformed question with the same message. The fields are private: the accessors keep the
//! derived keys (`aws:ResourceAccount`, the caller's keys) in step with what they derive from.

use std::sync::{Arc, OnceLock};

use crate::arn::Arn;
use crate::context::{Context, ContextValue};
use crate::principal::{Principal, PrincipalError};

/// One authorization question. Cloning one copies no string: its parts are shared.
#[derive(Debug, Clone)]
pub struct Request {
    /// The caller and the keys it carries (the base of `context`).
    caller: Caller,
    action: Arc<str>,
    resource: Arc<str>,
    /// Where the resource's first five colons are, when it is an ARN: read once, so the
    /// many questions about its parts do not split it again ([`Request::resource_arn`]).
    resource_colons: Option<[usize; 5]>,
    resource_account: Option<String>,
    /// The caller's own keys over the keys its caller always carries ([`Caller`]).
    context: Context,
    /// Whether the caller's context set `aws:ResourceAccount` itself (then it is never derived).
    resource_account_key_given: bool,
    /// Where the derived `aws:ResourceAccount` is kept.
    derived_at: DerivedAt,
}

/// Where a request keeps the `aws:ResourceAccount` it derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DerivedAt {
    /// Not derived (or only in the caller's plain keys, if a world put it there).
    Nowhere,
    /// In its own keys.
    Own,
    /// In the context's base: the caller's keys with the caller's own account
    /// ([`Caller::keys_with_account`]).
    Base,
}

/// Two requests are equal when they ask the same question with the same keys, wherever
/// the derived `aws:ResourceAccount` is kept (its own keys or the caller's shared ones).
impl PartialEq for Request {
    fn eq(&self, other: &Request) -> bool {
        self.caller == other.caller
            && self.action == other.action
            && self.resource == other.resource
            && self.resource_colons == other.resource_colons
            && self.resource_account == other.resource_account
            && self.context == other.context
            && self.resource_account_key_given == other.resource_account_key_given
    }
}

impl Eq for Request {}

/// A question that is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The action is not `service:Action`.
    #[error("action `{0}` is not `service:Action` (for example `s3:GetObject`)")]
    Action(String),
    /// A pattern where one action is asked about.
    #[error("action `{0}` is a pattern: a request asks about one action (list what a pattern matches with `polcheck actions`)")]
    ActionPattern(String),
    /// The resource is neither `*` nor an ARN.
    #[error("resource `{resource}` is neither `*` nor an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, for example `arn:aws:s3:::bucket/key`){}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    Resource {
        /// The resource as asked.
        resource: String,
        /// The ARN of a type the action takes that the text most likely meant
        /// (`demo-artifacts/v1.zip` for `s3:GetObject`: `arn:aws:s3:::demo-artifacts/v1.zip`).
        suggestion: Option<String>,
    },
    /// The caller is not a form polcheck reads.
    #[error(transparent)]
    Principal(#[from] PrincipalError),
}

/// Checks that `action` is `*` or `service:Action`: a service prefix of letters, digits and
/// `-`, and a name without spaces (generated witnesses may use any other character).
fn check_action(action: &str) -> Result<(), RequestError> {
    // `*` asks about every action at once (is this caller an administrator?).
    if plain_action(action) {
        return Ok(());
    }
    checked_action(action)
}

/// [`check_action`] without the fast path: what it answers for every action.
fn checked_action(action: &str) -> Result<(), RequestError> {
    if action == "*" {
        return Ok(());
    }
    if action.contains(['*', '?']) {
        return Err(RequestError::ActionPattern(action.to_string()));
    }
    let ok = action.split_once(':').is_some_and(|(service, name)| {
        !service.is_empty()
            && !name.is_empty()
            && service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !name.chars().any(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        Err(RequestError::Action(action.to_string()))
    }
}

/// The common well-formed action, in one pass over its bytes: a service of ASCII letters,
/// digits and `-`, a `:`, then a name of printable ASCII without `*` or `?` (no whitespace).
/// `false` sends the action to the full check, which accepts everything this accepts.
fn plain_action(action: &str) -> bool {
    let mut bytes = action.bytes();
    let mut service = 0;
    for b in bytes.by_ref() {
        if b == b':' {
            break;
        }
        if !(b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        service += 1;
    }
    let mut name = 0;
    for b in bytes {
        if !(0x21..=0x7e).contains(&b) || b == b'*' || b == b'?' {
            return false;
        }
        name += 1;
    }
    // A missing `:` leaves no name.
    service > 0 && name > 0
}

/// Checks that `resource` is `*` or an ARN with a partition, a service and a resource part;
/// returns where the ARN's first five colons are. `action` is for the suggestion.
fn check_resource(action: &str, resource: &str) -> Result<Option<[usize; 5]>, RequestError> {
    if resource == "*" {
        return Ok(None);
    }
    let colons = Arn::colons(resource);
    match colons.and_then(|at| Arn::at(resource, at)) {
        Some(arn)
            if !arn.partition.is_empty() && !arn.service.is_empty() && !arn.resource.is_empty() =>
        {
            Ok(colons)
        }
        _ => Err(RequestError::Resource {
            resource: resource.to_string(),
            suggestion: arn_suggestion(action, resource),
        }),
    }
}

/// [`crate::catalogue::Catalogue::arn_suggestion`], when polcheck has its catalogue.
fn arn_suggestion(action: &str, resource: &str) -> Option<String> {
    #[cfg(feature = "catalogue")]
    {
        crate::catalogue::Catalogue::get()
            .ok()?
            .arn_suggestion(action, resource)
    }
    #[cfg(not(feature = "catalogue"))]
    {
        let _ = (action, resource);
        None
    }
}

/// A caller read once, with the condition keys every request of it carries
/// (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
/// `aws:PrincipalIsAWSService`, `aws:username`, ...): what a batch of requests from the same
/// callers reads once per caller instead of once per request ([`Request::with_caller`]).
/// Cheap to clone.
///
/// ```
/// use polcheck_core::{Caller, Context, Request};
/// let alice = Caller::parse(Some("arn:aws:iam::111122223333:user/alice"))?;
/// let a = Request::with_caller(&alice, "s3:GetObject", "arn:aws:s3:::b/k", Context::new())?;
/// let b = Request::new(Some("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "arn:aws:s3:::b/k", Context::new())?;
/// assert_eq!(a, b);
/// # Ok::<(), polcheck_core::RequestError>(())
/// ```
#[derive(Clone)]
pub struct Caller {
    principal: Arc<Principal>,
    keys: Arc<Context>,
    /// What one engine read of this caller once (its layers), for that engine only.
    tag: Option<Tag>,
    /// For a caller an engine prepared (shared by many requests): its keys with
    /// `aws:ResourceAccount` set to its own account, built on first use, so that a request
    /// on a resource of the caller's account shares that key instead of inserting its own
    /// ([`Caller::keys_with_account`]). `None` for other callers.
    account_keys: Option<Arc<OnceLock<Option<Arc<Context>>>>>,
}

/// A value an owner (an [`crate::Engine`], by its id) attached to a caller.
#[derive(Clone)]
pub(crate) struct Tag {
    pub(crate) owner: u64,
    pub(crate) value: Arc<dyn std::any::Any + Send + Sync>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("principal", &self.principal)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// Two callers are equal when they are the same principal with the same keys, whatever an
/// engine attached to them.
impl PartialEq for Caller {
    fn eq(&self, other: &Caller) -> bool {
        self.principal == other.principal && self.keys == other.keys
    }
}

impl Eq for Caller {}

impl Caller {
    /// Reads a caller (`None` is anonymous) and derives its keys.
    pub fn parse(principal: Option<&str>) -> Result<Caller, RequestError> {
        Ok(Caller::from_principal(Principal::parse(principal)?))
    }

    /// A caller already read (such as [`Principal::Unnamed`]), with its keys derived.
    pub fn from_principal(principal: Principal) -> Caller {
        let mut keys = Context::new();
        principal.add_derived_keys(&mut keys, None);
        Caller {
            principal: Arc::new(principal),
            keys: Arc::new(keys),
            tag: None,
            account_keys: None,
        }
    }

    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The keys every request of this caller carries.
    pub fn keys(&self) -> &Context {
        &self.keys
    }

    /// This caller with more keys under its own (`keys` does not override them): what a
    /// world knows of the caller (tags, user id; [`crate::world::World::prepared_caller`]).
    pub fn with_defaults(&self, more: &Context) -> Caller {
        let mut keys = self.keys.flattened();
        for (k, v) in more.iter() {
            keys.insert_default(k, v.clone());
        }
        Caller {
            principal: Arc::clone(&self.principal),
            keys: Arc::new(keys),
            tag: None,
            account_keys: None,
        }
    }

    /// This caller with `value` attached for `owner`.
    pub(crate) fn tagged(&self, owner: u64, value: Arc<dyn std::any::Any + Send + Sync>) -> Caller {
        Caller {
            tag: Some(Tag { owner, value }),
            account_keys: Some(Arc::new(OnceLock::new())),
            ..self.clone()
        }
    }

    /// The caller's keys with `aws:ResourceAccount` set to `account`, shared, when `account`
    /// is the caller's own and the caller is one an engine prepared ([`Caller::tagged`]);
    /// `None` otherwise. The key set this way is the one [`Context::insert`] would set over
    /// the caller's keys.
    fn keys_with_account(&self, account: &str) -> Option<Arc<Context>> {
        let own = self.principal.account()?;
        if own != account {
            return None;
        }
        let cell = self.account_keys.as_ref()?;
        cell.get_or_init(|| {
            let mut keys = self.keys.flattened();
            keys.insert("aws:ResourceAccount", ContextValue::Single(own.to_string()));
            Some(Arc::new(keys))
        })
        .clone()
    }

    /// What `owner` attached, if it did.
    pub(crate) fn tag(&self, owner: u64) -> Option<&Arc<dyn std::any::Any + Send + Sync>> {
        self.tag
            .as_ref()
            .filter(|t| t.owner == owner)
            .map(|t| &t.value)
    }
}

impl Request {
    /// Builds a request and adds the keys it always carries, unless `context` sets them:
    /// the caller's (see [`Caller`]) and `aws:ResourceAccount` (the ARN's account, else the
    /// caller's, until [`Request::set_resource_account`] says otherwise).
    pub fn new(
        principal: Option<&str>,
        action: &str,
        resource: &str,
        context: Context,
    ) -> Result<Request, RequestError> {
        let principal = Principal::parse(principal)?;
        Request::for_principal(principal, action, resource, context)
    }

    /// [`Request::new`] for a caller already read, such as [`Principal::Unnamed`] (the
    /// unnamed caller of `simulate-custom-policy`, which no text names).
    pub fn for_principal(
        principal: Principal,
        action: &str,
        resource: &str,
        context: Context,
    ) -> Result<Request, RequestError> {
        check_action(action)?;
        check_resource(action, resource)?;
        Request::with_caller(
            &Caller::from_principal(principal),
            action,
            resource,
            context,
        )
    }

    /// [`Request::new`] for a caller already read: the same request, without reading the
    /// caller again or copying its keys.
    pub fn with_caller(
        caller: &Caller,
        action: &str,
        resource: &str,
        context: Context,
    ) -> Result<Request, RequestError> {
        let mut req = Request::underived(caller, action, resource, context)?;
        req.derive_resource_account_key();
        Ok(req)
    }

    /// [`Request::with_caller`] without `aws:ResourceAccount` derived yet: for a caller that
    /// sets the resource's account first ([`Request::set_resource_account_underived`]) and
    /// then derives the key once ([`Request::derive_resource_account_key`]).
    pub(crate) fn underived(
        caller: &Caller,
        action: &str,
        resource: &str,
        context: Context,
    ) -> Result<Request, RequestError> {
        check_action(action)?;
        let resource_colons = check_resource(action, resource)?;
        // The context keeps its keys lowercased.
        let resource_account_key_given = context.get_lower("aws:resourceaccount").is_some();
        Ok(Request {
            caller: caller.clone(),
            action: Arc::from(action),
            resource: Arc::from(resource),
            resource_colons,
            resource_account: None,
            context: context.with_base(Arc::clone(&caller.keys)),
            resource_account_key_given,
            derived_at: DerivedAt::Nowhere,
        })
    }

    /// The same request from `caller`, a caller with the same principal and more keys
    /// ([`Caller::with_defaults`]): how a world adds what it knows of the caller. The
    /// request's own keys still win.
    pub(crate) fn set_caller(&mut self, caller: Caller) {
        let own = std::mem::take(&mut self.context);
        self.context = own.replace_base(Arc::clone(&caller.keys));
        self.caller = caller;
        // A key derived into the old caller's shared keys is gone with them.
        if self.derived_at == DerivedAt::Base {
            self.derived_at = DerivedAt::Nowhere;
        }
        self.derive_resource_account_key();
    }

    /// The caller, with the keys it carries.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// Sets the resource's account and, unless the caller's context gave it,
    /// `aws:ResourceAccount` with it.
    ///
    /// ```
    /// use polcheck_core::{Context, Request};
    /// let mut r = Request::new(Some("arn:aws:iam::111122223333:user/a"), "s3:GetObject",
    ///     "arn:aws:s3:::partner-drop/f", Context::new()).unwrap();
    /// assert_eq!(r.context().get("aws:ResourceAccount").unwrap().values(), ["111122223333"]);
    /// r.set_resource_account(Some("444455556666".into()));
    /// assert_eq!(r.context().get("aws:ResourceAccount").unwrap().values(), ["444455556666"]);
    /// ```
    pub fn set_resource_account(&mut self, account: Option<String>) {
        self.resource_account = account;
        self.derive_resource_account_key();
    }

    /// [`Request::set_resource_account`] without deriving `aws:ResourceAccount`: the caller
    /// calls [`Request::derive_resource_account_key`] once it has set everything.
    pub(crate) fn set_resource_account_underived(&mut self, account: Option<String>) {
        self.resource_account = account;
    }

    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.caller.principal
    }

    /// `service:Action`, as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource ARN, or `*` for actions that take none.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The resource split into its parts ([`Arn::parse`] of [`Request::resource`]), without
    /// reading it again; `None` for `*`.
    pub fn resource_arn(&self) -> Option<Arn<'_>> {
        Arn::at(&self.resource, self.resource_colons?)
    }

    /// The account that owns the resource, when set (see
    /// [`Request::effective_resource_account`] for the one the decision uses).
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }

    /// The condition keys, including the derived ones (see [`Request::new`]).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The condition keys the request was given (its context as passed to
    /// [`Request::new`] and [`Request::insert_context`]), without those polcheck derives
    /// (the caller's keys, `aws:ResourceAccount`, what a world adds): the keys whose values
    /// a question check reads.
    pub fn given_context(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        let derived_account = !self.resource_account_key_given;
        self.context
            .own_iter()
            .filter(move |(k, _)| !(derived_account && *k == "aws:resourceaccount"))
    }

    /// Sets a condition key, as the caller's context would. Setting `aws:ResourceAccount`
    /// this way stops it being derived from the resource's account.
    pub fn insert_context(&mut self, key: &str, value: ContextValue) {
        if key.eq_ignore_ascii_case("aws:ResourceAccount") {
            self.resource_account_key_given = true;
        }
        self.context.insert(key, value);
    }

    /// Sets `aws:ResourceAccount` to [`Request::effective_resource_account`] unless the
    /// caller's context gave it.
    pub(crate) fn derive_resource_account_key(&mut self) {
        if self.resource_account_key_given {
            return;
        }
        let Some(a) = self.effective_resource_account() else {
            return;
        };
        // The caller's own account, with no key of the request's own to hide it: the
        // caller's shared keys that carry it, instead of a key and value of its own.
        if self.derived_at != DerivedAt::Own {
            if let Some(keys) = self.caller.keys_with_account(a) {
                if self.derived_at == DerivedAt::Nowhere {
                    let own = std::mem::take(&mut self.context);
                    self.context = own.replace_base(keys);
                    self.derived_at = DerivedAt::Base;
                }
                return;
            }
        }
        // Unchanged (the common case when a world confirms the ARN's account): no write,
        // so the shared keys are not copied.
        let same = matches!(self.context.get_lower("aws:resourceaccount"),
            Some(ContextValue::Single(v)) if v == a);
        if same {
            return;
        }
        let a = a.to_string();
        self.context
            .insert("aws:ResourceAccount", ContextValue::Single(a));
        self.derived_at = DerivedAt::Own;
    }

    /// The resource's account: as given, else the ARN's account, else the caller's.
    pub fn effective_resource_account(&self) -> Option<&str> {
        if let Some(a) = &self.resource_account {
            return Some(a);
        }
        match self.resource_arn() {
            Some(arn) if !arn.account.is_empty() => Some(arn.account),
            _ => self.caller.principal.account(),
        }
    }

    /// The action lowercased, as the compiled index keys it.
    pub fn action_key(&self) -> String {
        self.action.to_ascii_lowercase()
    }

    /// Calls `f` with the action lowercased, without allocating for actions of up to 128
    /// bytes (every real one): the hot path of [`crate::decide`].
    pub fn with_action_key<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let bytes = self.action.as_bytes();
        let mut buf = [0u8; 128];
        if let Some(dst) = buf.get_mut(..bytes.len()) {
            dst.copy_from_slice(bytes);
            dst.make_ascii_lowercase();
            // ASCII lowercasing keeps UTF-8 valid, so this never falls through.
            if let Ok(s) = std::str::from_utf8(dst) {
                return f(s);
            }
        }
        f(&self.action_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_action_pass_answers_as_the_full_check() {
        let actions = [
            "s3:GetObject",
            "s3:Get:Object",
            "execute-api:Invoke",
            "s3:",
            ":GetObject",
            "s3",
            "",
            "*",
            "s3:*",
            "s3:Get*",
            "s3:Get?bject",
            "s3:Get Object",
            "s3:GetObject\t",
            "s 3:GetObject",
            "s3_x:GetObject",
            "s3:GetObjecté",
            "s3:Get\u{a0}Object",
            "é:x",
        ];
        for a in actions {
            if plain_action(a) {
                assert!(checked_action(a).is_ok(), "{a:?}");
            }
            assert_eq!(check_action(a), checked_action(a), "{a:?}");
        }
        assert!(plain_action("s3:GetObject"));
        assert!(!plain_action("s3:Get*"));
    }

    fn new(action: &str, resource: &str) -> Result<Request, RequestError> {
        Request::new(
            Some("arn:aws:iam::111122223333:user/a"),
            action,
            resource,
            Context::new(),
        )
    }

    #[test]
    fn malformed_questions_are_refused_with_a_typed_error() {
        assert_eq!(
            new("GetObject", "*"),
            Err(RequestError::Action("GetObject".into()))
        );
        assert_eq!(new("s3:", "*"), Err(RequestError::Action("s3:".into())));
        assert_eq!(
            new("s3 :GetObject", "*"),
            Err(RequestError::Action("s3 :GetObject".into()))
        );
        assert_eq!(
            new("s3:Get*", "*"),
            Err(RequestError::ActionPattern("s3:Get*".into()))
        );
        assert!(matches!(
            new("s3:GetObject", "demo-artifacts/releases/v1.zip"),
            Err(RequestError::Resource { .. })
        ));
        assert!(matches!(
            new("s3:GetObject", "arn:aws:s3::demo-artifacts/k"),
            Err(RequestError::Resource { .. })
        ));
        assert!(matches!(
            Request::new(Some("alice"), "s3:GetObject", "*", Context::new()),
            Err(RequestError::Principal(_))
        ));
        assert!(new("IAM:ListUsers", "*").is_ok());
        assert!(new("s3:GetObject", "arn:aws:s3:::b/k").is_ok());
    }

    #[test]
    fn the_messages_name_the_value_in_backticks() {
        let e = new("GetObject", "*").unwrap_err().to_string();
        assert!(
            e.starts_with("action `GetObject` is not `service:Action`"),
            "{e}"
        );
    }

    #[test]
    fn resource_account_key_follows_the_account_unless_given() {
        let mut r = new("s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        r.set_resource_account(Some("444455556666".into()));
        assert_eq!(
            r.context()
                .get("aws:ResourceAccount")
                .map(|v| v.values().to_vec()),
            Some(vec!["444455556666".to_string()])
        );
        r.insert_context("aws:ResourceAccount", ContextValue::single("999999999999"));
        r.set_resource_account(Some("111111111111".into()));
        assert_eq!(
            r.context()
                .get("aws:ResourceAccount")
                .map(|v| v.values().to_vec()),
            Some(vec!["999999999999".to_string()])
        );
    }

    /// A caller an engine prepared keeps a derived `aws:ResourceAccount` of its own account
    /// in shared keys; every request built that way reads as the one that inserts the key
    /// into its own (an untagged caller's), through every change of account or caller.
    #[test]
    fn the_shared_resource_account_key_reads_as_the_inserted_one() {
        let principals = [
            Some("arn:aws:iam::111122223333:user/a"),
            Some("arn:aws:sts::111122223333:assumed-role/R/s"),
            Some("arn:aws:iam::111122223333:root"),
            None,
        ];
        let resources = [
            "arn:aws:s3:::b/k",
            "arn:aws:sqs:us-east-1:111122223333:q",
            "arn:aws:sqs:us-east-1:444455556666:q",
            "*",
        ];
        let contexts = [
            vec![],
            vec![("aws:SourceIp", "10.0.0.1")],
            vec![("aws:ResourceAccount", "999999999999")],
            vec![("AWS:resourceaccount", "111122223333"), ("k", "v")],
        ];
        let accounts = [None, Some("111122223333"), Some("444455556666")];
        for p in principals {
            let plain = Caller::parse(p).unwrap();
            // Keys a world adds, one of them the key itself (its own keys still win).
            let mut more = Context::new();
            more.insert("aws:PrincipalTag/team", ContextValue::single("blue"));
            let world = plain.with_defaults(&more);
            let mut odd = Context::new();
            odd.insert("aws:ResourceAccount", ContextValue::single("000000000000"));
            let odd = plain.with_defaults(&odd);
            for base in [&plain, &world, &odd] {
                let tagged = base.tagged(7, Arc::new(()));
                for r in resources {
                    for ctx in &contexts {
                        let context = || {
                            let mut c = Context::new();
                            for (k, v) in ctx {
                                c.insert(k, ContextValue::single(*v));
                            }
                            c
                        };
                        for first in accounts {
                            for then in accounts {
                                let mut want =
                                    Request::with_caller(base, "s3:GetObject", r, context())
                                        .unwrap();
                                let mut got =
                                    Request::with_caller(&tagged, "s3:GetObject", r, context())
                                        .unwrap();
                                let mut deferred =
                                    Request::underived(&tagged, "s3:GetObject", r, context())
                                        .unwrap();
                                want.set_resource_account(first.map(str::to_string));
                                got.set_resource_account(first.map(str::to_string));
                                deferred.set_resource_account_underived(first.map(str::to_string));
                                deferred.derive_resource_account_key();
                                let case = format!("{p:?} {r} {ctx:?} {first:?} {then:?}");
                                for g in [&got, &deferred] {
                                    assert_eq!(g, &want, "{case}");
                                    assert!(g.context().iter().eq(want.context().iter()), "{case}");
                                    assert!(g.given_context().eq(want.given_context()), "{case}");
                                }
                                want.set_resource_account(then.map(str::to_string));
                                got.set_resource_account(then.map(str::to_string));
                                assert!(got.context().iter().eq(want.context().iter()), "{case}");
                                // Another caller of the same principal (a world's keys added).
                                let other = world.tagged(8, Arc::new(()));
                                want.set_caller(world.clone());
                                got.set_caller(other);
                                assert!(got.context().iter().eq(want.context().iter()), "{case}");
                                assert!(got.given_context().eq(want.given_context()), "{case}");
                                want.insert_context(
                                    "aws:ResourceAccount",
                                    ContextValue::single("1"),
                                );
                                got.insert_context(
                                    "aws:ResourceAccount",
                                    ContextValue::single("1"),
                                );
                                assert!(got.context().iter().eq(want.context().iter()), "{case}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_resource_is_split_once_as_arn_parse_splits_it() {
        for r in [
            "*",
            "arn:aws:s3:::b/k",
            "arn:aws:lambda:us-east-1:111122223333:function:f:1",
            "arn:aws-cn:iam::111122223333:role/a:b",
            "arn:aws:s3:::é/ü",
        ] {
            let req = new("s3:GetObject", r).unwrap();
            assert_eq!(req.resource_arn(), Arn::parse(r), "{r}");
        }
    }
}
