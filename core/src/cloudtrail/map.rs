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

use std::fmt;
use std::net::IpAddr;

use crate::context::Context;
use crate::request::Request;

use super::action::{action_of, ActionError};
use super::caller::{
    caller_of, epoch_of, identity_values, CallerError, KeyValue, RecordKey, RecordValues,
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
    let mut values = RecordValues::default();
    record_values(r, &mut values);
    build_event(r, &sk, &values)
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

/// The event of a record from its skeleton and its [`record_values`].
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

/// Every condition key a record gives (lowercased), with its value: the record's own keys
/// (see the module docs), then the identity's ([`super::caller::add_identity_keys`]).
pub(crate) fn record_values<'r>(r: &'r Record<'r>, out: &mut RecordValues<'r>) {
    *out = RecordValues::default();
    let epoch = r.event_time.get().and_then(epoch_of);
    if let Some(ip) = r.source_ip_address.get() {
        if is_address(ip) {
            out.set((RecordKey::SourceIp, KeyValue::Text(ip)));
        }
    }
    if let Some(ua) = r.user_agent.get() {
        out.set((RecordKey::UserAgent, KeyValue::Text(ua)));
    }
    if let Some(region) = r.aws_region.get() {
        out.set((RecordKey::RequestedRegion, KeyValue::Text(region)));
    }
    if let (Some(t), Some(e)) = (r.event_time.get(), epoch) {
        out.set((RecordKey::CurrentTime, KeyValue::Text(t)));
        out.set((RecordKey::EpochTime, KeyValue::Number(e)));
    }
    if let Some(v) = r.vpc_endpoint_id.get() {
        out.set((RecordKey::SourceVpce, KeyValue::Text(v)));
    }
    let s3 = r.event_source.get() == Some("s3.amazonaws.com");
    if let Some(tls) = &r.tls_details {
        out.set((RecordKey::SecureTransport, KeyValue::Text("true")));
        if s3 {
            if let Some(v) = tls.tls_version.get().and_then(|v| v.strip_prefix("TLSv")) {
                out.set((RecordKey::S3TlsVersion, KeyValue::Text(v)));
            }
        }
    }
    if s3 {
        let extra = &r.additional_event_data;
        if let Some(sig) = extra.signature_version.get() {
            let value = match sig {
                "SigV4" => "AWS4-HMAC-SHA256",
                "SigV2" => "AWS",
                other => other,
            };
            out.set((RecordKey::S3SignatureVersion, KeyValue::Text(value)));
        }
        if let Some(m) = extra.authentication_method.get() {
            let value = match m {
                "AuthHeader" => "REST-HEADER",
                "QueryString" => "REST-QUERY-STRING",
                other => other,
            };
            out.set((RecordKey::S3AuthType, KeyValue::Text(value)));
        }
    }
    identity_values(&r.user_identity, epoch, out);
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
}
