//! A request: who calls which action on which resource, with what context.

use crate::arn::Arn;
use crate::context::{Context, ContextValue};
use crate::principal::{Principal, PrincipalError};

/// One authorization question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The caller.
    pub principal: Principal,
    /// `service:Action`, as given.
    pub action: String,
    /// The resource ARN, or `*` for actions that take none.
    pub resource: String,
    /// The account that owns the resource, when known. Set it with
    /// [`Request::set_resource_account`], which keeps `aws:ResourceAccount` in step.
    pub resource_account: Option<String>,
    /// Condition keys, including the derived ones (see [`Request::new`]).
    pub context: Context,
    /// Whether the caller's context set `aws:ResourceAccount` itself (then it is never derived).
    resource_account_key_given: bool,
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
    ) -> Result<Request, PrincipalError> {
        let principal = Principal::parse(principal)?;
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
    /// assert_eq!(r.context.get("aws:ResourceAccount").unwrap().values(), ["111122223333"]);
    /// r.set_resource_account(Some("444455556666".into()));
    /// assert_eq!(r.context.get("aws:ResourceAccount").unwrap().values(), ["444455556666"]);
    /// ```
    pub fn set_resource_account(&mut self, account: Option<String>) {
        self.resource_account = account;
        self.derive_resource_account_key();
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
