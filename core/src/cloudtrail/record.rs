//! CloudTrail records as AWS writes them, read without copying what needs no unescaping.
//!
//! Three shapes carry the same record (AWS CloudTrail User Guide, "CloudTrail record
//! contents for management, data, and network activity events"):
//!
//! - a log file delivered to S3: `{"Records": [record, ...]}` ("CloudTrail log file examples");
//! - NDJSON, one record per line, as CloudTrail Lake and Athena exports write them;
//! - an EventBridge event whose `detail` is the record (`"detail-type": "AWS API Call via
//!   CloudTrail"`), one per line or as a JSON array.
//!
//! [`parse`] tells them apart by the first non-blank byte and the keys present. Only the
//! fields polcheck reads are kept; `requestParameters` and `additionalEventData` keep only the
//! keys [`super::resource`] and [`super::caller`] use.

use std::borrow::Cow;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A string field that may hold another JSON type in some records: non-strings read as `None`
/// instead of failing the whole record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The text, when the field held a non-empty string.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// An object field that may be `null` or another type: anything but an object reads as the
/// default.
fn lenient<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// One CloudTrail record: the fields polcheck reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Record<'a> {
    /// `eventVersion`.
    #[serde(borrow)]
    pub event_version: Text<'a>,
    /// `eventTime` (UTC, `2026-11-02T10:00:00Z`).
    #[serde(borrow)]
    pub event_time: Text<'a>,
    /// `eventSource`: `s3.amazonaws.com`.
    #[serde(borrow)]
    pub event_source: Text<'a>,
    /// `eventName`: the API operation, `GetObject`.
    #[serde(borrow)]
    pub event_name: Text<'a>,
    /// `awsRegion`.
    #[serde(borrow)]
    pub aws_region: Text<'a>,
    /// `sourceIPAddress`: an address, or a service name for calls AWS made on the caller's behalf.
    #[serde(borrow, rename = "sourceIPAddress")]
    pub source_ip_address: Text<'a>,
    /// `userAgent`.
    #[serde(borrow)]
    pub user_agent: Text<'a>,
    /// `errorCode`: present when the call failed (`AccessDenied`, `NoSuchKey`...).
    #[serde(borrow)]
    pub error_code: Text<'a>,
    /// `eventID`.
    #[serde(borrow, rename = "eventID")]
    pub event_id: Text<'a>,
    /// `eventType`: `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`...
    #[serde(borrow)]
    pub event_type: Text<'a>,
    /// `recipientAccountId`: the account that received the call.
    #[serde(borrow)]
    pub recipient_account_id: Text<'a>,
    /// `vpcEndpointId`: the VPC endpoint the call came through.
    #[serde(borrow)]
    pub vpc_endpoint_id: Text<'a>,
    /// `userIdentity`.
    #[serde(borrow, deserialize_with = "lenient")]
    pub user_identity: UserIdentity<'a>,
    /// `requestParameters`, the keys that name resources.
    #[serde(borrow, deserialize_with = "lenient")]
    pub request_parameters: Parameters<'a>,
    /// `additionalEventData`, the keys that become condition keys.
    #[serde(borrow, deserialize_with = "lenient")]
    pub additional_event_data: AdditionalData<'a>,
    /// `tlsDetails`.
    #[serde(borrow, deserialize_with = "lenient")]
    pub tls_details: Option<TlsDetails<'a>>,
    /// `resources[]`.
    #[serde(borrow, deserialize_with = "lenient")]
    pub resources: Vec<ResourceRef<'a>>,
    /// A log file's `Records`, when this object is the file rather than a record.
    #[serde(borrow, rename = "Records")]
    pub(super) records: Option<Vec<Record<'a>>>,
    /// An EventBridge event's `detail`, when this object is the event.
    #[serde(borrow)]
    pub(super) detail: Option<Box<Record<'a>>>,
}

/// `userIdentity` ("CloudTrail userIdentity element").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity<'a> {
    /// `Root`, `IAMUser`, `AssumedRole`, `Role`, `FederatedUser`, `AWSAccount`, `AWSService`,
    /// `Directory`, `IdentityCenterUser`, `SAMLUser`, `WebIdentityUser`, `Unknown`.
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
    /// `principalId`: `AIDA...` for users, `AROA...:SESSION` for role sessions.
    #[serde(borrow)]
    pub principal_id: Text<'a>,
    /// `arn`.
    #[serde(borrow)]
    pub arn: Text<'a>,
    /// `accountId` (`ANONYMOUS_PRINCIPAL` for unauthenticated S3 calls).
    #[serde(borrow)]
    pub account_id: Text<'a>,
    /// `userName`.
    #[serde(borrow)]
    pub user_name: Text<'a>,
    /// `invokedBy`: the service that made the call (`AWSService` callers, calls via a service).
    #[serde(borrow)]
    pub invoked_by: Text<'a>,
    /// `sessionContext`.
    #[serde(borrow, deserialize_with = "lenient")]
    pub session_context: SessionContext<'a>,
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionContext<'a> {
    /// `sessionIssuer`: the role (or user) the temporary credentials came from.
    #[serde(borrow, deserialize_with = "lenient")]
    pub session_issuer: SessionIssuer<'a>,
    /// `attributes`: `mfaAuthenticated`, `creationDate`.
    #[serde(borrow, deserialize_with = "lenient")]
    pub attributes: SessionAttributes<'a>,
    /// `sourceIdentity`.
    #[serde(borrow)]
    pub source_identity: Text<'a>,
    /// `webIdFederationData.federatedProvider`.
    #[serde(borrow, deserialize_with = "lenient")]
    pub web_id_federation_data: WebIdFederation<'a>,
}

/// `sessionContext.sessionIssuer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionIssuer<'a> {
    /// `Role` or `IAMUser`.
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
    /// The role's ARN (with its path).
    #[serde(borrow)]
    pub arn: Text<'a>,
    /// `principalId`: the role's id.
    #[serde(borrow)]
    pub principal_id: Text<'a>,
    /// The role's name.
    #[serde(borrow)]
    pub user_name: Text<'a>,
}

/// `sessionContext.attributes`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionAttributes<'a> {
    /// `"true"` or `"false"` (some services write a JSON boolean).
    #[serde(borrow)]
    pub mfa_authenticated: Text<'a>,
    /// When the credentials were issued.
    #[serde(borrow)]
    pub creation_date: Text<'a>,
}

/// `sessionContext.webIdFederationData`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebIdFederation<'a> {
    /// The identity provider: `accounts.google.com`, an OIDC provider ARN...
    #[serde(borrow)]
    pub federated_provider: Text<'a>,
}

/// `tlsDetails`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TlsDetails<'a> {
    /// `TLSv1.2`.
    #[serde(borrow)]
    pub tls_version: Text<'a>,
}

/// One entry of `resources[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResourceRef<'a> {
    /// `ARN`.
    #[serde(borrow, rename = "ARN")]
    pub arn: Text<'a>,
    /// `accountId`: the resource's owner.
    #[serde(borrow, rename = "accountId")]
    pub account_id: Text<'a>,
    /// `AWS::S3::Object`...
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
}

/// The `requestParameters` keys that name a resource in the common services.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[allow(
    missing_docs,
    reason = "each field is the CloudTrail key of the same name"
)]
pub struct Parameters<'a> {
    #[serde(borrow, rename = "bucketName")]
    pub bucket_name: Text<'a>,
    #[serde(borrow)]
    pub key: Text<'a>,
    #[serde(borrow, rename = "versionId")]
    pub version_id: Text<'a>,
    #[serde(borrow, rename = "tableName")]
    pub table_name: Text<'a>,
    #[serde(borrow, rename = "functionName")]
    pub function_name: Text<'a>,
    #[serde(borrow, rename = "keyId")]
    pub key_id: Text<'a>,
    #[serde(borrow, rename = "topicArn")]
    pub topic_arn: Text<'a>,
    #[serde(borrow, rename = "targetArn")]
    pub target_arn: Text<'a>,
    #[serde(borrow, rename = "queueUrl")]
    pub queue_url: Text<'a>,
    #[serde(borrow, rename = "queueName")]
    pub queue_name: Text<'a>,
    #[serde(borrow, rename = "userName")]
    pub user_name: Text<'a>,
    #[serde(borrow, rename = "roleName")]
    pub role_name: Text<'a>,
    #[serde(borrow, rename = "groupName")]
    pub group_name: Text<'a>,
    #[serde(borrow, rename = "policyArn")]
    pub policy_arn: Text<'a>,
    #[serde(borrow, rename = "roleArn")]
    pub role_arn: Text<'a>,
    #[serde(borrow, rename = "secretId")]
    pub secret_id: Text<'a>,
    #[serde(borrow, rename = "logGroupName")]
    pub log_group_name: Text<'a>,
    #[serde(borrow, rename = "logStreamName")]
    pub log_stream_name: Text<'a>,
    #[serde(borrow, rename = "instanceProfileName")]
    pub instance_profile_name: Text<'a>,
}

/// The `additionalEventData` keys that become condition keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[allow(
    missing_docs,
    reason = "each field is the CloudTrail key of the same name"
)]
pub struct AdditionalData<'a> {
    /// S3: `SigV4`, `SigV2`.
    #[serde(borrow, rename = "SignatureVersion")]
    pub signature_version: Text<'a>,
    /// S3: `AuthHeader`, `QueryString`.
    #[serde(borrow, rename = "AuthenticationMethod")]
    pub authentication_method: Text<'a>,
    /// Console sign-in: `Yes` / `No`.
    #[serde(borrow, rename = "MFAUsed")]
    pub mfa_used: Text<'a>,
}

/// Why a text is not CloudTrail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Not JSON, or not the shape of a record.
    #[error("{line}:{column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// JSON, but neither `{"Records": [...]}`, a record, nor an EventBridge event.
    #[error("{line}:1: expected a CloudTrail log file (`{{\"Records\": [...]}}`), a record with `eventName`, or an EventBridge event with `detail`")]
    Shape {
        /// 1-based line.
        line: usize,
    },
}

fn json_error(e: &serde_json::Error) -> RecordError {
    RecordError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

impl<'a> Record<'a> {
    /// The records this object stands for: a log file's, an EventBridge event's `detail`, or
    /// itself.
    fn into_records(self, line: usize) -> Result<Vec<Record<'a>>, RecordError> {
        if let Some(r) = self.records {
            return Ok(r);
        }
        if let Some(d) = self.detail {
            return Ok(vec![*d]);
        }
        if self.event_name.get().is_some() {
            return Ok(vec![self]);
        }
        Err(RecordError::Shape { line })
    }
}

/// Whether a file of this name holds CloudTrail records in a shape [`parse`] reads: `.json`
/// (S3 log files, EventBridge events), `.ndjson` or `.jsonl` (Lake and Athena exports), each
/// optionally gzip-compressed (`.gz`, as CloudTrail delivers to S3). The rule every reader of
/// a directory of logs applies (the CLI's `replay`, `polcheck-datafusion`'s table).
pub fn is_log_file_name(name: &str) -> bool {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    [".json", ".ndjson", ".jsonl"]
        .iter()
        .any(|x| name.ends_with(x))
}

/// Reads CloudTrail text of any of the three shapes (see the module docs), borrowing from it.
///
/// ```
/// let text = r#"{"Records": [{"eventSource": "s3.amazonaws.com", "eventName": "GetObject"}]}"#;
/// let records = polcheck_core::cloudtrail::parse(text)?;
/// assert_eq!(records.len(), 1);
/// assert_eq!(records.first().and_then(|r| r.event_name.get()), Some("GetObject"));
/// # Ok::<(), polcheck_core::cloudtrail::RecordError>(())
/// ```
pub fn parse(text: &str) -> Result<Vec<Record<'_>>, RecordError> {
    let mut out = Vec::new();
    parse_into(text, &mut out)?;
    Ok(out)
}

/// [`parse`] into `out` (emptied first), whose allocation the records reuse: a reader of
/// many files keeps one vector and hands it back through [`recycle`] between files.
///
/// ```
/// use polcheck_core::cloudtrail::{parse_into, recycle, Record};
/// let mut spare: Vec<Record<'static>> = Vec::new();
/// for text in [r#"{"Records": [{"eventName": "GetObject"}]}"#, r#"{"eventName": "PutObject"}"#] {
///     let mut records = recycle(std::mem::take(&mut spare));
///     parse_into(text, &mut records)?;
///     assert_eq!(records.len(), 1);
///     spare = recycle(records);
/// }
/// # Ok::<(), polcheck_core::cloudtrail::RecordError>(())
/// ```
pub fn parse_into<'a>(text: &'a str, out: &mut Vec<Record<'a>>) -> Result<(), RecordError> {
    if super::reader::read_into(text, out).is_none() {
        out.clear();
        let records = parse_with_serde(text)?;
        if out.capacity() >= records.len() {
            out.extend(records);
        } else {
            *out = records;
        }
    }
    Ok(())
}

/// An empty vector of records with the allocation of `v` (whose records are dropped), for
/// records borrowing another text: the allocation outlives the text it was read from.
#[expect(
    clippy::unnecessary_filter_map,
    reason = "the closure changes the records' lifetime, which `filter` cannot"
)]
pub fn recycle<'b>(mut v: Vec<Record<'_>>) -> Vec<Record<'b>> {
    v.clear();
    // Collecting an empty vector's iterator into a vector of the same layout reuses its
    // allocation (the standard library's in-place collection); nothing is converted.
    v.into_iter().filter_map(|_| None).collect()
}

/// [`parse`] by serde's derive alone: the definition of a record's reading, and where every
/// error (with its line and column) comes from.
pub(super) fn parse_with_serde(text: &str) -> Result<Vec<Record<'_>>, RecordError> {
    if text.trim_start().starts_with('[') {
        // A JSON array of records or EventBridge events.
        let items: Vec<Record<'_>> = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.extend(item.into_records(1)?);
        }
        return Ok(out);
    }
    // One document (a delivered log file) or one per line (NDJSON): the same stream.
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Record<'_>>();
    // The line of each item's first byte, counted on from the last item's (counting from the
    // top for each line of an NDJSON export would be quadratic in the file's length).
    let (mut start, mut line) = (0, 1);
    while let Some(item) = stream.next() {
        let item = item.map_err(|e| json_error(&e))?;
        let rest = text.get(start..).unwrap_or_default();
        let first = rest.len() - rest.trim_start().len();
        line +=
            memchr::memchr_iter(b'\n', rest.as_bytes().get(..first).unwrap_or_default()).count();
        let records = item.into_records(line)?;
        if out.is_empty() {
            // A delivered log file is one document: its records are the answer, not copied.
            out = records;
        } else {
            out.extend(records);
        }
        let end = stream.byte_offset();
        line += memchr::memchr_iter(
            b'\n',
            text.as_bytes().get(start + first..end).unwrap_or_default(),
        )
        .count();
        start = end;
    }
    Ok(out)
}
