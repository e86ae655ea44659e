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

use crate::context::{Context, ContextValue};
use crate::request::Request;

use super::action::{action_of, ActionError};
use super::caller::{add_identity_keys, caller_of, epoch_of, CallerError};
use super::record::Record;
use super::resource::{target_of, TargetError};

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
    if let Some(t) = r.event_type.get() {
        if t != "AwsApiCall" {
            return Err(Unmapped::NotAnApiCall(t.to_string()));
        }
    }
    let caller = caller_of(&r.user_identity).map_err(Unmapped::Caller)?;
    let source = r.event_source.get().unwrap_or_default();
    let name = r.event_name.get().unwrap_or_default();
    let mut action = action_of(source, name).map_err(Unmapped::Action)?;
    if action == "s3:GetObject"
        && name == "GetObject"
        && r.request_parameters.version_id.get().is_some()
    {
        // Amazon S3 User Guide: getting a specific version needs s3:GetObjectVersion.
        action = "s3:GetObjectVersion".to_string();
    }
    let account = r
        .user_identity
        .account_id
        .get()
        .filter(|a| a.len() == 12)
        .or(r.recipient_account_id.get())
        .unwrap_or_default();
    let target = target_of(r, &action, account).map_err(Unmapped::Resource)?;
    let epoch = r.event_time.get().and_then(epoch_of);
    let mut ctx = Context::new();
    record_keys(r, epoch, &mut ctx);
    add_identity_keys(&r.user_identity, epoch, &mut ctx);
    let mut request = Request::new(caller.principal.as_deref(), &action, &target.arn, ctx)
        .map_err(|_| Unmapped::BadCaller)?;
    if target.account.is_some() {
        request.set_resource_account(target.account);
    }
    Ok(MappedEvent {
        request,
        observed: Observed::of(r.error_code.get()),
        event_id: r.event_id.get().unwrap_or_default().to_string(),
        event_time: r.event_time.get().unwrap_or_default().to_string(),
    })
}

fn record_keys(r: &Record<'_>, epoch: Option<i64>, ctx: &mut Context) {
    if let Some(ip) = r.source_ip_address.get() {
        if ip.parse::<IpAddr>().is_ok() {
            ctx.insert("aws:SourceIp", ContextValue::single(ip));
        }
    }
    if let Some(ua) = r.user_agent.get() {
        ctx.insert("aws:UserAgent", ContextValue::single(ua));
    }
    if let Some(region) = r.aws_region.get() {
        ctx.insert("aws:RequestedRegion", ContextValue::single(region));
    }
    if let (Some(t), Some(e)) = (r.event_time.get(), epoch) {
        ctx.insert("aws:CurrentTime", ContextValue::single(t));
        ctx.insert("aws:EpochTime", ContextValue::Single(e.to_string()));
    }
    if let Some(v) = r.vpc_endpoint_id.get() {
        ctx.insert("aws:SourceVpce", ContextValue::single(v));
    }
    if let Some(tls) = &r.tls_details {
        ctx.insert("aws:SecureTransport", ContextValue::single("true"));
        if r.event_source.get() == Some("s3.amazonaws.com") {
            if let Some(v) = tls.tls_version.get().and_then(|v| v.strip_prefix("TLSv")) {
                ctx.insert("s3:TlsVersion", ContextValue::single(v));
            }
        }
    }
    if r.event_source.get() == Some("s3.amazonaws.com") {
        let extra = &r.additional_event_data;
        if let Some(sig) = extra.signature_version.get() {
            let value = match sig {
                "SigV4" => "AWS4-HMAC-SHA256",
                "SigV2" => "AWS",
                other => other,
            };
            ctx.insert("s3:signatureversion", ContextValue::single(value));
        }
        if let Some(m) = extra.authentication_method.get() {
            let value = match m {
                "AuthHeader" => "REST-HEADER",
                "QueryString" => "REST-QUERY-STRING",
                other => other,
            };
            ctx.insert("s3:authType", ContextValue::single(value));
        }
    }
}
