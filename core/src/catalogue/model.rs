//! The catalogue's data types: services, actions, resource types, condition keys.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use super::arn_format::ArnFormat;
use super::template::KeyTemplate;

/// How IAM classifies an action (the "Access level" column of the Service Authorization
/// Reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AccessLevel {
    /// Lists resources (`s3:ListBucket`).
    List,
    /// Reads data or configuration (`s3:GetObject`).
    Read,
    /// Creates, changes or deletes (`s3:PutObject`).
    Write,
    /// Changes who may do what (`iam:PutRolePolicy`).
    PermissionsManagement,
    /// Changes tags only (`ec2:CreateTags`).
    Tagging,
}

impl AccessLevel {
    /// The name AWS prints, e.g. `"Permissions management"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// Decodes the one-letter code of the embedded file (`L`, `R`, `W`, `P`, `T`).
    pub(crate) fn from_code(code: &str) -> Option<AccessLevel> {
        Some(match code {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "P" => AccessLevel::PermissionsManagement,
            "T" => AccessLevel::Tagging,
            _ => return None,
        })
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value type IAM declares for a condition key; it decides which condition operators fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs, reason = "the variants are AWS's type names")]
#[non_exhaustive]
pub enum ConditionKeyType {
    String,
    ArrayOfString,
    Numeric,
    ArrayOfNumeric,
    Date,
    ArrayOfDate,
    Bool,
    ArrayOfBool,
    IpAddress,
    ArrayOfIpAddress,
    Arn,
    ArrayOfArn,
    Binary,
    ArrayOfBinary,
    Null,
}

impl ConditionKeyType {
    /// AWS's spelling, e.g. `"IPAddress"`, `"ArrayOfARN"`.
    pub fn as_str(self) -> &'static str {
        use ConditionKeyType::*;
        match self {
            String => "String",
            ArrayOfString => "ArrayOfString",
            Numeric => "Numeric",
            ArrayOfNumeric => "ArrayOfNumeric",
            Date => "Date",
            ArrayOfDate => "ArrayOfDate",
            Bool => "Bool",
            ArrayOfBool => "ArrayOfBool",
            IpAddress => "IPAddress",
            ArrayOfIpAddress => "ArrayOfIPAddress",
            Arn => "ARN",
            ArrayOfArn => "ArrayOfARN",
            Binary => "Binary",
            ArrayOfBinary => "ArrayOfBinary",
            Null => "Null",
        }
    }

    /// Whether the key carries a set of values (the `ArrayOf…` types), which calls for
    /// `ForAnyValue:`/`ForAllValues:` operators.
    pub fn is_multivalued(self) -> bool {
        self.as_str().starts_with("ArrayOf")
    }
}

impl fmt::Display for ConditionKeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`ConditionKeyType::from_str`]: the text names no IAM condition key type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown condition key type `{0}`")]
pub struct UnknownKeyType(pub String);

impl FromStr for ConditionKeyType {
    type Err = UnknownKeyType;

    /// Parses AWS's spelling, ignoring ASCII case (`"IPAddress"`, `"ipaddress"`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use ConditionKeyType::*;
        const ALL: [ConditionKeyType; 15] = [
            String,
            ArrayOfString,
            Numeric,
            ArrayOfNumeric,
            Date,
            ArrayOfDate,
            Bool,
            ArrayOfBool,
            IpAddress,
            ArrayOfIpAddress,
            Arn,
            ArrayOfArn,
            Binary,
            ArrayOfBinary,
            Null,
        ];
        ALL.into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownKeyType(s.to_string()))
    }
}

/// A condition key as declared, possibly templated (`aws:ResourceTag/${TagKey}`,
/// `s3:ExistingObjectTag/<key>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    pub(crate) name: String,
    pub(crate) ty: ConditionKeyType,
    pub(crate) template: KeyTemplate,
}

impl ConditionKey {
    /// The declared name, e.g. `aws:PrincipalTag/${TagKey}`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The declared value type.
    pub fn key_type(&self) -> ConditionKeyType {
        self.ty
    }

    /// Whether `name` is this key, ignoring ASCII case; a template part (`${TagKey}`, `<key>`)
    /// stands for one or more characters.
    pub fn matches(&self, name: &str) -> bool {
        self.template.matches(name)
    }
}

/// A kind of resource an action can act on, with its ARN formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub(crate) service: String,
    pub(crate) name: String,
    pub(crate) arn_formats: Vec<ArnFormat>,
    pub(crate) condition_keys: Vec<usize>,
}

impl ResourceType {
    /// The prefix of the service that declares this type (`s3`).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The type's name in the Service Authorization Reference (`bucket`, `function alias`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its ARN formats, e.g. `arn:${Partition}:s3:::${BucketName}` (most types have one).
    pub fn arn_formats(&self) -> impl Iterator<Item = &str> {
        self.arn_formats.iter().map(ArnFormat::as_str)
    }
}

/// One action of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub(crate) name: String,
    pub(crate) access_level: AccessLevel,
    /// (index into the service's resource types, required)
    pub(crate) resource_types: Vec<(usize, bool)>,
    /// indices into the service's condition keys
    pub(crate) condition_keys: Vec<usize>,
}

impl Action {
    /// The action's name as AWS spells it (`GetObject`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The action's access level.
    pub fn access_level(&self) -> AccessLevel {
        self.access_level
    }
}

/// An AWS service as IAM knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub(crate) prefix: String,
    pub(crate) name: String,
    pub(crate) condition_keys: Vec<ConditionKey>,
    pub(crate) resource_types: Vec<ResourceType>,
    pub(crate) actions: Vec<Action>,
    /// lower-case action name → index
    pub(crate) action_index: HashMap<String, usize>,
}

impl Service {
    /// The service prefix used in actions (`s3`, `elasticloadbalancing`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The service's full name (`Amazon S3`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// All its actions, sorted by name.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// An action by name, ignoring ASCII case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        let i = self.action_index.get(&name.to_ascii_lowercase())?;
        self.actions.get(*i)
    }

    /// All its resource types.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// A resource type by name, ignoring ASCII case.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }

    /// The condition keys the service declares (its own, and the `aws:` keys it lists).
    pub fn condition_keys(&self) -> &[ConditionKey] {
        &self.condition_keys
    }
}

/// An action together with its service: what lookups and [`expand_actions`] return.
///
/// [`expand_actions`]: super::Catalogue::expand_actions
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionRef<'a> {
    /// The service.
    pub service: &'a Service,
    /// The action.
    pub action: &'a Action,
}

impl<'a> ActionRef<'a> {
    /// `service:Action`, e.g. `s3:GetObject`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service.prefix, self.action.name)
    }

    /// The action's access level.
    pub fn access_level(&self) -> AccessLevel {
        self.action.access_level
    }

    /// The resource types the action takes, each with whether it is required.
    pub fn resource_types(&self) -> impl Iterator<Item = (&'a ResourceType, bool)> + 'a {
        let service = self.service;
        self.action
            .resource_types
            .iter()
            .filter_map(move |&(i, req)| service.resource_types.get(i).map(|r| (r, req)))
    }

    /// The condition keys listed for the action itself and for its rows per resource type.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'a ConditionKey> + Clone + 'a {
        let service = self.service;
        self.action
            .condition_keys
            .iter()
            .filter_map(move |&i| service.condition_keys.get(i))
    }
}

/// How many of each thing the catalogue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Services.
    pub services: usize,
    /// Actions over all services.
    pub actions: usize,
    /// Resource types over all services.
    pub resource_types: usize,
    /// Distinct condition key names (service keys and global keys, ignoring case).
    pub condition_keys: usize,
}
