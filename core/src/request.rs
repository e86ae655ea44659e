//! A request: who calls which action on which resource, with what context.
//!
//! [`Request::new`] checks the form of the question (an action `service:Action`, a resource
//! `*` or an ARN, a caller polcheck can read) and returns a [`RequestError`] otherwise, so
//! every face (CLI flags, batch lines, suites, the playground, library users) refuses the same
//! malformed question with the same message. The fields are private: the accessors keep the
//! derived keys (`aws:ResourceAccount`, the caller's keys) in step with what they derive from.

use crate::arn::Arn;
use crate::context::{Context, ContextValue};
use crate::principal::{Principal, PrincipalError};

/// One authorization question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    principal: Principal,
    action: String,
    resource: String,
    resource_account: Option<String>,
    context: Context,
    /// Whether the caller's context set `aws:ResourceAccount` itself (then it is never derived).
    resource_account_key_given: bool,
}

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
    #[error("resource `{0}` is neither `*` nor an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, for example `arn:aws:s3:::bucket/key`)")]
    Resource(String),
    /// The caller is not a form polcheck reads.
    #[error(transparent)]
    Principal(#[from] PrincipalError),
}

/// Checks that `action` is `*` or `service:Action`: a service prefix of letters, digits and
/// `-`, and a name without spaces (generated witnesses may use any other character).
fn check_action(action: &str) -> Result<(), RequestError> {
    // `*` asks about every action at once (is this caller an administrator?).
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

/// Checks that `resource` is `*` or an ARN with a partition, a service and a resource part.
fn check_resource(resource: &str) -> Result<(), RequestError> {
    if resource == "*" {
        return Ok(());
    }
    match Arn::parse(resource) {
        Some(arn)
            if !arn.partition.is_empty() && !arn.service.is_empty() && !arn.resource.is_empty() =>
        {
            Ok(())
        }
        _ => Err(RequestError::Resource(resource.to_string())),
    }
}

impl Request {
    /// Builds a request and adds the keys it always carries, unless `context` sets them:
    /// the caller's (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
    /// `aws:PrincipalIsAWSService`, `aws:username`, ...) and `aws:ResourceAccount` (the ARN's
    /// account, else the caller's, until [`Request::set_resource_account`] says otherwise).
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
        check_resource(resource)?;
        let mut context = context;
        principal.add_derived_keys(&mut context, None);
        let resource_account_key_given = context.get("aws:ResourceAccount").is_some();
        let mut req = Request {
            principal,
            action: action.to_string(),
            resource: resource.to_string(),
            resource_account: None,
            context,
            resource_account_key_given,
        };
        req.derive_resource_account_key();
        Ok(req)
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

    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// `service:Action`, as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource ARN, or `*` for actions that take none.
    pub fn resource(&self) -> &str {
        &self.resource
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

    /// Sets a condition key, as the caller's context would. Setting `aws:ResourceAccount`
    /// this way stops it being derived from the resource's account.
    pub fn insert_context(&mut self, key: &str, value: ContextValue) {
        if key.eq_ignore_ascii_case("aws:ResourceAccount") {
            self.resource_account_key_given = true;
        }
        self.context.insert(key, value);
    }

    /// The caller and the context, for the keys the world adds (tags, user id) before the
    /// decision.
    pub(crate) fn principal_and_context_mut(&mut self) -> (&Principal, &mut Context) {
        (&self.principal, &mut self.context)
    }

    fn derive_resource_account_key(&mut self) {
        if self.resource_account_key_given {
            return;
        }
        if let Some(a) = self.effective_resource_account().map(str::to_string) {
            self.context
                .insert("aws:ResourceAccount", ContextValue::Single(a));
        }
    }

    /// The resource's account: as given, else the ARN's account, else the caller's.
    pub fn effective_resource_account(&self) -> Option<&str> {
        if let Some(a) = &self.resource_account {
            return Some(a);
        }
        match Arn::parse(&self.resource) {
            Some(arn) if !arn.account.is_empty() => Some(arn.account),
            _ => self.principal.account(),
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
            Err(RequestError::Resource(_))
        ));
        assert!(matches!(
            new("s3:GetObject", "arn:aws:s3::demo-artifacts/k"),
            Err(RequestError::Resource(_))
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
}
