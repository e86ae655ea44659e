//! One record to one IAM request: the action ([`super::action`]), the caller
//! ([`super::caller`]), the resource ([`super::resource`]) and the context, or the reason it
//! cannot be one.
//!
//! Context keys from the record (IAM User Guide, "AWS global condition context keys"):
//! `aws:SourceIp` (`sourceIPAddress` when it is an address, not a service name),
//! `aws:UserAgent`, `aws:RequestedRegion` (`awsRegion`), `aws:CurrentTime` and
//! `aws:EpochTime` (`eventTime`), `aws:SourceVpce` (`vpcEndpointId`), `aws:SecureTransport`
//! (`true` when `tlsDetails` is present); for S3 (Amazon S3 User Guide, "Amazon S3 condition
//! key examples"), `s3:signatureversion` and `s3:authType` from `additionalEventData` and
//! `s3:TlsVersion` from `tlsDetails`; then the identity's keys
//! ([`super::caller::add_identity_keys`]).

use std::cell::Cell;
use std::fmt;
use std::net::IpAddr;

use crate::context::Context;
use crate::request::Request;

use super::action::{action_of, ActionError};
use super::caller::{
    caller_of, created_of, epoch_of, identity_value, CallerError, KeyValue, RecordKey, RECORD_KEYS,
};
use super::record::Record;
use super::resource::TargetError;

/// What CloudTrail says happened to the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Observed {
    /// No `errorCode`: authorized and done.
    Succeeded,
    /// An authorization error (`AccessDenied`, `Client.UnauthorizedOperation`, ...).
    Denied,
    /// Another error (`NoSuchKey`, `ThrottlingException`...): authorization passed or was
    /// not reached; not counted either way in the match rate.
    OtherError,
}

impl Observed {
    /// `succeeded`, `denied` or `otherError`.
    pub fn as_str(self) -> &'static str {
        match self {
            Observed::Succeeded => "succeeded",
            Observed::Denied => "denied",
            Observed::OtherError => "otherError",
        }
    }

    /// Classifies an `errorCode`.
    ///
    /// ```
    /// use polcheck_core::cloudtrail::Observed;
    /// assert_eq!(Observed::of(None), Observed::Succeeded);
    /// assert_eq!(Observed::of(Some("Client.UnauthorizedOperation")), Observed::Denied);
    /// assert_eq!(Observed::of(Some("NoSuchKey")), Observed::OtherError);
    /// ```
    pub fn of(error_code: Option<&str>) -> Observed {
        let Some(code) = error_code else {
            return Observed::Succeeded;
        };
        let lower = code.to_ascii_lowercase();
        let denied = [
            "accessdenied",
            "unauthorized",
            "forbidden",
            "authorizationerror",
            "notauthorized",
        ];
        if denied.iter().any(|d| lower.contains(d)) {
            Observed::Denied
        } else {
            Observed::OtherError
        }
    }
}

/// A record turned into a request.
#[derive(Debug, Clone)]
pub struct MappedEvent {
    /// The IAM request the call needed.
    pub request: Request,
    /// What CloudTrail says happened.
    pub observed: Observed,
    /// `eventID`, to find the record again.
    pub event_id: String,
    /// `eventTime`.
    pub event_time: String,
}

/// Why a record is not a request; the replay counts each reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Unmapped {
    /// `eventType` other than `AwsApiCall` (service events, console sign-in, Insights).
    NotAnApiCall(String),
    /// No IAM action for the operation.
    Action(ActionError),
    /// The caller is not one polcheck decides for.
    Caller(CallerError),
    /// The action takes a resource the record does not name.
    Resource(TargetError),
    /// The caller ARN does not parse.
    BadCaller,
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmapped::NotAnApiCall(t) => write!(f, "eventType `{t}` is not an API call"),
            Unmapped::Action(ActionError::Missing) => f.write_str("no eventSource or eventName"),
            Unmapped::Action(ActionError::NoPermission) => {
                f.write_str("operation needs no IAM permission")
            }
            Unmapped::Action(_) => f.write_str("operation not in the catalogue"),
            Unmapped::Caller(CallerError::Missing) => f.write_str("no userIdentity.type"),
            Unmapped::Caller(CallerError::Unsupported(t)) => {
                write!(f, "userIdentity type `{t}` is not an IAM principal")
            }
            Unmapped::Caller(CallerError::AccountOnly) => {
                f.write_str("AWSAccount caller: only the other account is known")
            }
            Unmapped::Caller(CallerError::Incomplete(what)) => write!(f, "userIdentity {what}"),
            Unmapped::Resource(_) => f.write_str("resource not named by the record"),
            Unmapped::BadCaller => f.write_str("caller ARN not readable"),
        }
    }
}

/// Maps one record (see the module docs).
///
/// ```
/// use polcheck_core::cloudtrail::{map_record, parse, Observed};
/// let text = r#"{"eventVersion": "1.09", "eventTime": "2026-11-02T10:00:00Z", "eventSource": "s3.amazonaws.com",
///   "eventName": "GetObject", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7",
///   "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333"},
///   "requestParameters": {"bucketName": "demo-artifacts", "key": "a.txt"}, "eventType": "AwsApiCall", "eventID": "e1"}"#;
/// let records = parse(text)?;
/// let event = map_record(records.first().unwrap()).unwrap();
/// assert_eq!(event.request.action(), "s3:GetObject");
/// assert_eq!(event.request.resource(), "arn:aws:s3:::demo-artifacts/a.txt");
/// assert_eq!(event.observed, Observed::Succeeded);
/// assert_eq!(event.request.context().get("aws:SourceIp").unwrap().values(), ["203.0.113.7"]);
/// # Ok::<(), polcheck_core::cloudtrail::RecordError>(())
/// ```
pub fn map_record(r: &Record<'_>) -> Result<MappedEvent, Unmapped> {
    let sk = skeleton(r, &mut super::fast::Lookups::Direct)?;
    build_event(r, &sk, &RecordValues::of(r))
}

/// What a record maps to before its context: the caller, the action and the target.
pub(crate) struct Skeleton {
    pub(crate) caller: std::sync::Arc<super::fast::CallerInfo>,
    pub(crate) action: std::sync::Arc<super::fast::ActionInfo>,
    pub(crate) target: super::resource::Target,
}

/// The caller, action and target of a record, through `lookups` (direct, or remembered).
pub(crate) fn skeleton(
    r: &Record<'_>,
    lookups: &mut super::fast::Lookups,
) -> Result<Skeleton, Unmapped> {
    if let Some(t) = r.event_type.get() {
        if t != "AwsApiCall" {
            return Err(Unmapped::NotAnApiCall(t.to_string()));
        }
    }
    let caller = lookups.caller(&r.user_identity)?;
    let source = r.event_source.get().unwrap_or_default();
    let name = r.event_name.get().unwrap_or_default();
    let versioned = name == "GetObject" && r.request_parameters.version_id.get().is_some();
    let action = lookups.action(source, name, versioned)?;
    let account = r
        .user_identity
        .account_id
        .get()
        .filter(|a| a.len() == 12)
        .or(r.recipient_account_id.get())
        .unwrap_or_default();
    let target = lookups.target(r, &action, account)?;
    Ok(Skeleton {
        caller,
        action,
        target,
    })
}

/// The action of `source` + `name` (see [`action_of`]), `s3:GetObjectVersion` when a
/// `GetObject` names a version.
pub(crate) fn action_for(source: &str, name: &str, versioned: bool) -> Result<String, Unmapped> {
    let action = action_of(source, name).map_err(Unmapped::Action)?;
    if action == "s3:GetObject" && versioned {
        // Amazon S3 User Guide: getting a specific version needs s3:GetObjectVersion.
        return Ok("s3:GetObjectVersion".to_string());
    }
    Ok(action)
}

/// The caller of an identity, or why there is none.
pub(crate) fn caller_for(id: &super::record::UserIdentity<'_>) -> Result<Option<String>, Unmapped> {
    caller_of(id).map(|c| c.principal).map_err(Unmapped::Caller)
}

/// The event of a record from its skeleton and its [`RecordValues`].
pub(crate) fn build_event(
    r: &Record<'_>,
    sk: &Skeleton,
    values: &RecordValues<'_>,
) -> Result<MappedEvent, Unmapped> {
    let mut ctx = Context::new();
    for (k, v) in values.iter() {
        ctx.insert(k.name(), v.to_context());
    }
    let mut request = Request::with_caller(
        sk.caller.caller.as_ref().map_err(|_| Unmapped::BadCaller)?,
        &sk.action.name,
        &sk.target.arn,
        ctx,
    )
    .map_err(|_| Unmapped::BadCaller)?;
    if sk.target.account.is_some() {
        request.set_resource_account(sk.target.account.clone());
    }
    Ok(MappedEvent {
        request,
        observed: Observed::of(r.error_code.get()),
        event_id: r.event_id.get().unwrap_or_default().to_string(),
        event_time: r.event_time.get().unwrap_or_default().to_string(),
    })
}

/// Whether `text` is an IP address (`aws:SourceIp` is set only for one: a service's name
/// there, `s3.amazonaws.com`, is not). A dotted quad, the common case, is read here with no
/// allocation or error value (digits, at most 255, no leading zero: exactly what
/// [`std::net::Ipv4Addr`] accepts); anything else is left to [`IpAddr`]'s parser.
fn is_address(text: &str) -> bool {
    let (mut groups, mut digits, mut value) = (0u8, 0u8, 0u16);
    for &b in text.as_bytes() {
        match b {
            // A digit, unless the group already has three or starts with a zero.
            b'0'..=b'9' if digits < 3 && (digits == 0 || value > 0) => {
                value = value * 10 + u16::from(b - b'0');
                digits += 1;
            }
            b'.' if digits > 0 && value <= 255 && groups < 3 => {
                groups += 1;
                (digits, value) = (0, 0);
            }
            _ => return text.parse::<IpAddr>().is_ok(),
        }
    }
    (groups == 3 && digits > 0 && value <= 255) || text.parse::<IpAddr>().is_ok()
}

/// The condition keys a record gives (see the module docs), each worked out when first
/// asked: the replay's [`super::Decider`] asks only for the keys its policies read, and
/// [`build_event`] (on a new combination) for every key. The identity's keys are
/// [`super::caller::identity_value`]'s.
pub(crate) struct RecordValues<'r> {
    record: &'r Record<'r>,
    /// `eventTime` and `creationDate` read, when first needed.
    epochs: Cell<Option<(Option<i64>, Option<i64>)>>,
    /// Each key's value, by its place ([`RecordKey`] as an index), when first asked.
    memo: [Cell<Option<Option<KeyValue<'r>>>>; RECORD_KEYS],
}

impl<'r> RecordValues<'r> {
    /// The keys of `record`, none worked out yet.
    pub(crate) fn of(record: &'r Record<'r>) -> RecordValues<'r> {
        RecordValues {
            record,
            epochs: Cell::new(None),
            memo: Default::default(),
        }
    }

    /// The value of `key`, when the record gives it.
    pub(crate) fn get(&self, key: RecordKey) -> Option<KeyValue<'r>> {
        let slot = self.memo.get(key as usize)?;
        if let Some(known) = slot.get() {
            return known;
        }
        let v = self.work_out(key);
        slot.set(Some(v));
        v
    }

    /// Every key the record gives, with its value.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (RecordKey, KeyValue<'r>)> + '_ {
        RecordKey::ALL
            .into_iter()
            .filter_map(|k| self.get(k).map(|v| (k, v)))
    }

    fn epochs(&self) -> (Option<i64>, Option<i64>) {
        if let Some(e) = self.epochs.get() {
            return e;
        }
        let r = self.record;
        let e = (
            r.event_time.get().and_then(epoch_of),
            created_of(&r.user_identity),
        );
        self.epochs.set(Some(e));
        e
    }

    fn work_out(&self, key: RecordKey) -> Option<KeyValue<'r>> {
        let r = self.record;
        let s3 = || r.event_source.get() == Some("s3.amazonaws.com");
        let text = KeyValue::Text;
        match key {
            RecordKey::SourceIp => r
                .source_ip_address
                .get()
                .filter(|ip| is_address(ip))
                .map(text),
            RecordKey::UserAgent => r.user_agent.get().map(text),
            RecordKey::RequestedRegion => r.aws_region.get().map(text),
            RecordKey::CurrentTime => r
                .event_time
                .get()
                .filter(|_| self.epochs().0.is_some())
                .map(text),
            RecordKey::EpochTime => self.epochs().0.map(KeyValue::Number),
            RecordKey::SourceVpce => r.vpc_endpoint_id.get().map(text),
            RecordKey::SecureTransport => r.tls_details.as_ref().map(|_| text("true")),
            RecordKey::S3TlsVersion => r
                .tls_details
                .as_ref()
                .filter(|_| s3())
                .and_then(|tls| tls.tls_version.get())
                .and_then(|v| v.strip_prefix("TLSv"))
                .map(text),
            RecordKey::S3SignatureVersion => r
                .additional_event_data
                .signature_version
                .get()
                .filter(|_| s3())
                .map(|sig| match sig {
                    "SigV4" => text("AWS4-HMAC-SHA256"),
                    "SigV2" => text("AWS"),
                    other => text(other),
                }),
            RecordKey::S3AuthType => r
                .additional_event_data
                .authentication_method
                .get()
                .filter(|_| s3())
                .map(|m| match m {
                    "AuthHeader" => text("REST-HEADER"),
                    "QueryString" => text("REST-QUERY-STRING"),
                    other => text(other),
                }),
            identity => {
                let (now, created) = self.epochs();
                identity_value(&r.user_identity, identity, now, created)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_what_the_standard_parser_reads() {
        let mut texts = vec![
            "203.0.113.7",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "",
            ".",
            "1.2.3.4.",
            "2001:db8::1",
            "::ffff:1.2.3.4",
            "s3.amazonaws.com",
            "AWS Internal",
            "1.2.3.-4",
            "+1.2.3.4",
            "1.2.3.4 ",
            "1000.2.3.4",
            "0.00.0.0",
            "9.99.199.250",
        ];
        let generated: Vec<String> = (0..20_000u32)
            .map(|i| {
                let parts = [
                    "0", "00", "7", "07", "25", "255", "256", "300", "1000", "x", "",
                ];
                let pick = |k: u32| parts[((i / 11u32.pow(k)) % 11) as usize];
                format!("{}.{}.{}.{}", pick(0), pick(1), pick(2), pick(3))
            })
            .collect();
        texts.extend(generated.iter().map(String::as_str));
        for t in texts {
            assert_eq!(is_address(t), t.parse::<IpAddr>().is_ok(), "{t:?}");
        }
    }

    #[test]
    fn a_key_asked_alone_has_the_value_the_whole_list_gives_it() {
        let texts = [
            include_str!("../../../corpus/cloudtrail/records/identity-types.json"),
            include_str!("../../../corpus/cloudtrail/records/eventbridge.ndjson"),
        ];
        let mut given = 0;
        for text in texts {
            for r in &super::super::parse(text).unwrap() {
                let all: Vec<_> = RecordValues::of(r).iter().collect();
                for k in RecordKey::ALL {
                    let alone = RecordValues::of(r).get(k);
                    let listed = all.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
                    assert_eq!(alone, listed, "{k:?} in {:?}", r.event_id.get());
                    given += usize::from(alone.is_some());
                }
            }
        }
        // The fixtures give most keys at least once: a lookup that lost them would fail here.
        assert!(given > 40, "{given}");
    }
}
