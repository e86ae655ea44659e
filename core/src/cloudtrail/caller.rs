//! From `userIdentity` to the caller polcheck decides for, and the condition keys the
//! identity carries.
//!
//! The types are those of the CloudTrail User Guide, "CloudTrail userIdentity element"
//! (section "Fields", `type`):
//!
//! | `type` | caller |
//! | --- | --- |
//! | `IAMUser` | the user's `arn` |
//! | `AssumedRole` | the session's `arn` (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`); the role from `sessionContext.sessionIssuer` |
//! | `Role` | the role's `arn` |
//! | `FederatedUser` | the `arn` (`arn:aws:sts::ACCOUNT:federated-user/NAME`) |
//! | `Root` | `arn:aws:iam::ACCOUNT:root` |
//! | `AWSService` | the service principal in `invokedBy` (`cloudtrail.amazonaws.com`) |
//! | `AWSAccount` with `accountId` `ANONYMOUS_PRINCIPAL` | anonymous (Amazon S3 User Guide, "Logging Amazon S3 API calls using AWS CloudTrail": unauthenticated requests) |
//! | `AWSAccount` otherwise | not decided: only the other account is known, not which of its principals called |
//! | `Directory`, `IdentityCenterUser`, `SAMLUser`, `WebIdentityUser`, `Unknown` | not decided: not an IAM principal a world holds |

use crate::context::{Context, ContextValue};

use super::record::UserIdentity;

/// Who called, as polcheck's [`crate::Request::new`] reads it: `None` is anonymous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's ARN (or service principal); `None` for an anonymous caller.
    pub principal: Option<String>,
}

/// Why a `userIdentity` gives no caller.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum CallerError {
    /// No `userIdentity.type`.
    Missing,
    /// A type polcheck does not decide for (`Directory`, `IdentityCenterUser`, `Unknown`...).
    Unsupported(String),
    /// An `AWSAccount` caller: another account, not which principal in it.
    AccountOnly,
    /// The type needs a field the record lacks (`arn`, `accountId`, `invokedBy`).
    Incomplete(String),
}

/// The caller of a record.
///
/// ```
/// use polcheck_core::cloudtrail::{caller_of, UserIdentity};
/// let id: UserIdentity = serde_json::from_str(r#"{"type": "AssumedRole",
///     "arn": "arn:aws:sts::111122223333:assumed-role/AppRole/i-0abc", "accountId": "111122223333"}"#)?;
/// assert_eq!(caller_of(&id).ok().and_then(|c| c.principal).as_deref(),
///     Some("arn:aws:sts::111122223333:assumed-role/AppRole/i-0abc"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn caller_of(id: &UserIdentity<'_>) -> Result<Caller, CallerError> {
    let kind = id.kind.get().ok_or(CallerError::Missing)?;
    let need = |v: Option<&str>, field: &str| {
        v.map(str::to_string)
            .ok_or_else(|| CallerError::Incomplete(format!("{kind} without {field}")))
    };
    let principal = match kind {
        "IAMUser" | "AssumedRole" | "Role" | "FederatedUser" => Some(need(id.arn.get(), "arn")?),
        "Root" => Some(match id.arn.get() {
            Some(arn) => arn.to_string(),
            None => format!(
                "arn:aws:iam::{}:root",
                need(id.account_id.get(), "accountId")?
            ),
        }),
        "AWSService" => Some(need(id.invoked_by.get(), "invokedBy")?),
        "AWSAccount" if id.account_id.get() == Some("ANONYMOUS_PRINCIPAL") => None,
        "AWSAccount" => return Err(CallerError::AccountOnly),
        other => return Err(CallerError::Unsupported(other.to_string())),
    };
    Ok(Caller { principal })
}

/// Adds the keys the identity carries: `aws:userid` (`principalId`),
/// `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge` (from `mfaAuthenticated` and
/// `creationDate`, for temporary credentials), `aws:TokenIssueTime`, `aws:SourceIdentity`,
/// `aws:FederatedProvider`, and `aws:ViaAWSService` / `aws:CalledVia` when a service made the
/// call for the caller (`invokedBy`). IAM User Guide, "AWS global condition context keys".
pub fn add_identity_keys(id: &UserIdentity<'_>, event_epoch: Option<i64>, ctx: &mut Context) {
    let created = created_of(id);
    for k in RecordKey::ALL.into_iter().filter(|k| k.of_identity()) {
        if let Some(v) = identity_value(id, k, event_epoch, created) {
            ctx.insert(k.name(), v.to_context());
        }
    }
}

/// When the session's credentials were issued (`sessionContext.attributes.creationDate`).
pub(crate) fn created_of(id: &UserIdentity<'_>) -> Option<i64> {
    id.session_context
        .attributes
        .creation_date
        .get()
        .and_then(epoch_of)
}

/// The value of one of [`add_identity_keys`]' keys ([`RecordKey::of_identity`]), unrendered:
/// what the replay's hot path compares without building a [`Context`]. `created` is
/// [`created_of`] the identity; `None` for a key the identity does not give.
pub(crate) fn identity_value<'r>(
    id: &'r UserIdentity<'r>,
    key: RecordKey,
    event_epoch: Option<i64>,
    created: Option<i64>,
) -> Option<KeyValue<'r>> {
    let service = id.kind.get() == Some("AWSService");
    let mfa = || id.session_context.attributes.mfa_authenticated.get();
    match key {
        RecordKey::UserId if !service => id.principal_id.get().map(KeyValue::Text),
        RecordKey::MultiFactorAuthPresent => mfa().map(|m| {
            KeyValue::Text(if m.eq_ignore_ascii_case("true") {
                "true"
            } else {
                "false"
            })
        }),
        RecordKey::MultiFactorAuthAge => match (mfa(), event_epoch, created) {
            (Some(m), Some(now), Some(issued)) if m.eq_ignore_ascii_case("true") => {
                Some(KeyValue::Number(now.saturating_sub(issued).max(0)))
            }
            _ => None,
        },
        RecordKey::TokenIssueTime => created
            .filter(|c| chrono::DateTime::from_timestamp(*c, 0).is_some())
            .map(KeyValue::Time),
        RecordKey::SourceIdentity => id.session_context.source_identity.get().map(KeyValue::Text),
        RecordKey::FederatedProvider => id
            .session_context
            .web_id_federation_data
            .federated_provider
            .get()
            .map(KeyValue::Text),
        RecordKey::ViaAwsService if !service => id.invoked_by.get().map(|_| KeyValue::Text("true")),
        RecordKey::CalledVia if !service => id
            .invoked_by
            .get()
            .filter(|by| by.ends_with(".amazonaws.com"))
            .map(KeyValue::List),
        _ => None,
    }
}

/// A condition key a CloudTrail record can give, by its place in [`RecordValues`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKey {
    SourceIp,
    UserAgent,
    RequestedRegion,
    CurrentTime,
    EpochTime,
    SourceVpce,
    SecureTransport,
    S3TlsVersion,
    S3SignatureVersion,
    S3AuthType,
    UserId,
    MultiFactorAuthPresent,
    MultiFactorAuthAge,
    TokenIssueTime,
    SourceIdentity,
    FederatedProvider,
    ViaAwsService,
    CalledVia,
}

/// How many [`RecordKey`]s there are.
pub(crate) const RECORD_KEYS: usize = 18;

impl RecordKey {
    /// Every key, in the order of their places.
    pub(crate) const ALL: [RecordKey; RECORD_KEYS] = [
        RecordKey::SourceIp,
        RecordKey::UserAgent,
        RecordKey::RequestedRegion,
        RecordKey::CurrentTime,
        RecordKey::EpochTime,
        RecordKey::SourceVpce,
        RecordKey::SecureTransport,
        RecordKey::S3TlsVersion,
        RecordKey::S3SignatureVersion,
        RecordKey::S3AuthType,
        RecordKey::UserId,
        RecordKey::MultiFactorAuthPresent,
        RecordKey::MultiFactorAuthAge,
        RecordKey::TokenIssueTime,
        RecordKey::SourceIdentity,
        RecordKey::FederatedProvider,
        RecordKey::ViaAwsService,
        RecordKey::CalledVia,
    ];

    /// Whether the identity gives the key ([`add_identity_keys`]): the keys from
    /// [`RecordKey::UserId`] on, in [`RecordKey::ALL`]'s order.
    pub(crate) fn of_identity(self) -> bool {
        self as usize >= RecordKey::UserId as usize
    }

    /// The key's name, lowercased.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RecordKey::SourceIp => "aws:sourceip",
            RecordKey::UserAgent => "aws:useragent",
            RecordKey::RequestedRegion => "aws:requestedregion",
            RecordKey::CurrentTime => "aws:currenttime",
            RecordKey::EpochTime => "aws:epochtime",
            RecordKey::SourceVpce => "aws:sourcevpce",
            RecordKey::SecureTransport => "aws:securetransport",
            RecordKey::S3TlsVersion => "s3:tlsversion",
            RecordKey::S3SignatureVersion => "s3:signatureversion",
            RecordKey::S3AuthType => "s3:authtype",
            RecordKey::UserId => "aws:userid",
            RecordKey::MultiFactorAuthPresent => "aws:multifactorauthpresent",
            RecordKey::MultiFactorAuthAge => "aws:multifactorauthage",
            RecordKey::TokenIssueTime => "aws:tokenissuetime",
            RecordKey::SourceIdentity => "aws:sourceidentity",
            RecordKey::FederatedProvider => "aws:federatedprovider",
            RecordKey::ViaAwsService => "aws:viaawsservice",
            RecordKey::CalledVia => "aws:calledvia",
        }
    }

    /// The record key named `lower` (a lowercased condition key), if records give it.
    pub(crate) fn of(lower: &str) -> Option<RecordKey> {
        RecordKey::ALL.into_iter().find(|k| k.name() == lower)
    }
}

/// A condition key's value as a record gives it, before it is rendered as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum KeyValue<'r> {
    /// The text itself.
    Text(&'r str),
    /// A number, written in decimal.
    Number(i64),
    /// Seconds since the epoch, written `2026-11-02T10:00:00Z`.
    Time(i64),
    /// A list of one text.
    List(&'r str),
}

impl KeyValue<'_> {
    /// The value as a request's context holds it.
    pub(crate) fn to_context(self) -> ContextValue {
        match self {
            KeyValue::Text(s) => ContextValue::single(s),
            KeyValue::Number(n) => ContextValue::Single(n.to_string()),
            KeyValue::Time(t) => ContextValue::Single(
                chrono::DateTime::from_timestamp(t, 0)
                    .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_default(),
            ),
            KeyValue::List(s) => ContextValue::Multi(vec![s.to_string()]),
        }
    }
}

/// Seconds since the epoch of a CloudTrail time: `2026-11-02T10:00:00Z`, or the compact
/// `20131102T010628Z` some `creationDate` values use.
pub fn epoch_of(text: &str) -> Option<i64> {
    if let Some(t) = crate::time::fixed_utc(text) {
        return Some(t);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(json: &str) -> UserIdentity<'_> {
        serde_json::from_str(json).unwrap()
    }

    // CloudTrail User Guide, "CloudTrail userIdentity element", Examples and Fields (`type`).
    #[test]
    fn every_identity_type_maps_or_says_why() {
        let user = id(r#"{"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE01",
            "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333", "userName": "alice"}"#);
        assert_eq!(
            caller_of(&user).unwrap().principal.as_deref(),
            Some("arn:aws:iam::111122223333:user/alice")
        );
        let root =
            id(r#"{"type": "Root", "principalId": "111122223333", "accountId": "111122223333"}"#);
        assert_eq!(
            caller_of(&root).unwrap().principal.as_deref(),
            Some("arn:aws:iam::111122223333:root")
        );
        let svc = id(r#"{"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}"#);
        assert_eq!(
            caller_of(&svc).unwrap().principal.as_deref(),
            Some("cloudtrail.amazonaws.com")
        );
        let anon =
            id(r#"{"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}"#);
        assert_eq!(caller_of(&anon).unwrap().principal, None);
        let other = id(
            r#"{"type": "AWSAccount", "principalId": "AIDAOTHER", "accountId": "444455556666"}"#,
        );
        assert_eq!(caller_of(&other), Err(CallerError::AccountOnly));
        let ic = id(r#"{"type": "IdentityCenterUser", "accountId": "111122223333"}"#);
        assert_eq!(
            caller_of(&ic),
            Err(CallerError::Unsupported("IdentityCenterUser".into()))
        );
        let broken = id(r#"{"type": "IAMUser"}"#);
        assert!(matches!(
            caller_of(&broken),
            Err(CallerError::Incomplete(_))
        ));
        assert_eq!(caller_of(&id("{}")), Err(CallerError::Missing));
    }

    // IAM User Guide, "AWS global condition context keys": aws:MultiFactorAuthAge is the
    // seconds since MFA authentication; aws:TokenIssueTime the credentials' issue time.
    #[test]
    fn session_attributes_become_keys() {
        let s = id(r#"{"type": "AssumedRole", "principalId": "AROAEXAMPLE:job",
            "arn": "arn:aws:sts::111122223333:assumed-role/R/job", "invokedBy": "cloudformation.amazonaws.com",
            "sessionContext": {"attributes": {"mfaAuthenticated": "true", "creationDate": "20261102T100000Z"},
            "sourceIdentity": "alice"}}"#);
        let mut ctx = Context::new();
        add_identity_keys(&s, epoch_of("2026-11-02T10:05:00Z"), &mut ctx);
        let get = |k| ctx.get(k).map(|v| v.values().join(","));
        assert_eq!(get("aws:MultiFactorAuthPresent").as_deref(), Some("true"));
        assert_eq!(get("aws:MultiFactorAuthAge").as_deref(), Some("300"));
        assert_eq!(
            get("aws:TokenIssueTime").as_deref(),
            Some("2026-11-02T10:00:00Z")
        );
        assert_eq!(get("aws:userid").as_deref(), Some("AROAEXAMPLE:job"));
        assert_eq!(get("aws:SourceIdentity").as_deref(), Some("alice"));
        assert_eq!(get("aws:ViaAWSService").as_deref(), Some("true"));
        assert_eq!(
            get("aws:CalledVia").as_deref(),
            Some("cloudformation.amazonaws.com")
        );
    }
}
