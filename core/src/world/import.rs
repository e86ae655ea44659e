//! First pass: every file's entries into raw records, in one walk of each document. References
//! (groups, managed policies, boundaries, SCP targets) are kept as text with their place and
//! resolved once every file is read (see `resolve.rs`), since they may cross files.

use std::collections::HashMap;
use std::sync::Arc;

use crate::arn::Arn;
use crate::compile::NamedPolicy;
use crate::json::{Document, Json, JsonKind, JsonPath};
use crate::policy::Policy;

use super::error::{At, WorldError, WorldWarning};
use super::read::Reader;
use super::resource::{resource_policy_name, unreachable_holder};

/// Keys of the network exports: read by the network importer, accepted here silently.
pub const NETWORK_KEYS: &[&str] = &[
    "Vpcs",
    "Subnets",
    "RouteTables",
    "InternetGateways",
    "NetworkAcls",
    "SecurityGroups",
    "Reservations",
    "NetworkInterfaces",
    "ManagedPrefixLists",
    "PrefixLists",
    "PrefixListEntries",
    "NatGateways",
    "VpcPeeringConnections",
    "EgressOnlyInternetGateways",
    "TransitGatewayAttachments",
    "TransitGatewayRouteTables",
    "TransitGatewayRoutes",
    "VpcEndpoints",
    "VpnConnections",
    "LoadBalancers",
    "Listeners",
    "LoadBalancerListeners",
    "TargetGroups",
    "LoadBalancerTargetHealth",
    "DBInstances",
    "DBClusters",
    "MountTargets",
    "MountTargetSecurityGroups",
    "CacheClusters",
    "CacheSubnetGroups",
    "Functions",
    "tasks",
];

/// The keys whose elements count towards [`super::limits::MAX_ENTITIES`].
const ENTITY_KEYS: &[&str] = &[
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
    "ResourcePolicies",
];

/// A reference by name or ARN, with where it was made.
pub(super) struct Ref {
    pub target: String,
    pub at: At,
}

/// A user, group or role as exported.
pub(super) struct RawEntity {
    pub name: String,
    pub id: Option<String>,
    pub arn: String,
    pub account: String,
    pub groups: Vec<Ref>,
    pub inline: Vec<NamedPolicy>,
    pub managed: Vec<Ref>,
    pub boundary: Option<Ref>,
    pub tags: Vec<(String, String)>,
    pub trust: Option<NamedPolicy>,
    /// A role's instance profiles (`InstanceProfileList[].Arn`).
    pub instance_profiles: Vec<String>,
    pub at: At,
}

/// The default version of a managed policy, and the others (for the access-path analysis:
/// `iam:SetDefaultPolicyVersion` can make one of them the default).
pub(super) struct RawManaged {
    pub name: String,
    pub version: String,
    pub policy: Arc<Policy>,
    pub others: Vec<(String, Arc<Policy>)>,
}

/// A `ResourcePolicies` entry.
pub(super) struct RawResource {
    pub account: Option<String>,
    pub policy: NamedPolicy,
}

/// An SCP or RCP with its targets.
pub(super) struct RawOrgPolicy {
    pub name: String,
    pub targets: Vec<Ref>,
    pub policy: Arc<Policy>,
}

/// Everything read so far, merged across files.
#[derive(Default)]
pub(super) struct Builder {
    pub account: Option<(String, At)>,
    pub users: Vec<RawEntity>,
    pub groups: Vec<RawEntity>,
    pub roles: Vec<RawEntity>,
    pub managed: HashMap<String, RawManaged>,
    pub resources: HashMap<String, RawResource>,
    pub accounts: HashMap<String, (Vec<String>, At)>,
    /// `Organization.MasterAccountId`, with where it was given.
    pub management: Option<(String, At)>,
    /// `Organization.Id` (`o-...`), with where it was given.
    pub org_id: Option<(String, At)>,
    pub scps: Vec<RawOrgPolicy>,
    pub rcps: Vec<RawOrgPolicy>,
    /// ARNs of the account's IAM identity providers (`OpenIDConnectProviderList`,
    /// `SAMLProviderList`).
    pub providers: Vec<String>,
    pub warnings: Vec<WorldWarning>,
    /// Statements and entities read so far, for [`super::limits`].
    pub statements: usize,
    pub entities: usize,
}

/// The keys that differ between users, groups and roles.
struct Kind {
    label: &'static str,
    name: &'static str,
    id: &'static str,
    inline: &'static str,
    arn_prefix: &'static str,
}

const USER: Kind = Kind {
    label: "user",
    name: "UserName",
    id: "UserId",
    inline: "UserPolicyList",
    arn_prefix: "user/",
};
const GROUP: Kind = Kind {
    label: "group",
    name: "GroupName",
    id: "GroupId",
    inline: "GroupPolicyList",
    arn_prefix: "group/",
};
const ROLE: Kind = Kind {
    label: "role",
    name: "RoleName",
    id: "RoleId",
    inline: "RolePolicyList",
    arn_prefix: "role/",
};

impl Builder {
    /// Reads one file's document into the builder.
    pub fn document(&mut self, file: &str, doc: &Document) -> Result<(), WorldError> {
        let statements = std::cell::Cell::new(self.statements);
        let r = Reader {
            file,
            lines: doc.line_index(),
            statements: &statements,
        };
        let root = JsonPath::root();
        r.object(&doc.root, &root)?;
        for m in doc.root.members().unwrap_or(&[]) {
            let path = root.key(&m.key);
            let v = &m.value;
            if ENTITY_KEYS.contains(&m.key.as_str()) {
                self.entities += v.as_array().map_or(0, <[Json]>::len);
                if self.entities > super::limits::MAX_ENTITIES {
                    return Err(WorldError::Limit {
                        at: r.at(v, &path),
                        what: "users, groups, roles, managed policies and resource policies",
                        limit: super::limits::MAX_ENTITIES,
                    });
                }
            }
            match m.key.as_str() {
                "AccountId" => {
                    let account = r.string(v, &path)?;
                    self.set_account(account, r.at(v, &path))?;
                }
                "UserDetailList" => self.entities(&r, v, &path, &USER)?,
                "GroupDetailList" => self.entities(&r, v, &path, &GROUP)?,
                "RoleDetailList" => self.entities(&r, v, &path, &ROLE)?,
                "Policies" => {
                    for (i, p) in r.array(v, &path)?.iter().enumerate() {
                        self.managed_policy(&r, p, &path.index(i))?;
                    }
                }
                "ResourcePolicies" => {
                    for (i, p) in r.array(v, &path)?.iter().enumerate() {
                        self.resource_policy(&r, p, &path.index(i))?;
                    }
                }
                "Organization" => self.organization(&r, v, &path)?,
                // `aws iam list-open-id-connect-providers` and `aws iam list-saml-providers`
                // print `{"OpenIDConnectProviderList": [{"Arn": ...}]}` and
                // `{"SAMLProviderList": [{"Arn": ..., "ValidUntil": ..., "CreateDate": ...}]}`.
                "OpenIDConnectProviderList" | "SAMLProviderList" => {
                    for (i, e) in r.array(v, &path)?.iter().enumerate() {
                        let at = path.index(i);
                        r.object(e, &at)?;
                        if let Some(arn) = r.opt_str(e, "Arn", &at)? {
                            self.providers.push(arn.to_string());
                        }
                    }
                }
                k if NETWORK_KEYS.contains(&k) => {}
                k => self.warnings.push(WorldWarning::UnknownKey {
                    at: r.at_span(m.key_span, &path),
                    key: k.to_string(),
                }),
            }
        }
        self.statements = statements.get();
        Ok(())
    }

    fn set_account(&mut self, account: &str, at: At) -> Result<(), WorldError> {
        match &self.account {
            Some((first, first_at)) if first != account => Err(WorldError::AccountMismatch {
                at,
                expected: first.clone(),
                found: account.to_string(),
                first: Box::new(first_at.clone()),
            }),
            Some(_) => Ok(()),
            None => {
                self.account = Some((account.to_string(), at));
                Ok(())
            }
        }
    }

    fn entities(
        &mut self,
        r: &Reader,
        list: &Json,
        path: &JsonPath,
        kind: &Kind,
    ) -> Result<(), WorldError> {
        for (i, node) in r.array(list, path)?.iter().enumerate() {
            let e = entity(r, node, &path.index(i), kind)?;
            match kind.label {
                "user" => self.users.push(e),
                "group" => self.groups.push(e),
                _ => self.roles.push(e),
            }
        }
        Ok(())
    }

    fn managed_policy(
        &mut self,
        r: &Reader,
        node: &Json,
        path: &JsonPath,
    ) -> Result<(), WorldError> {
        r.object(node, path)?;
        let arn = r.req_str(node, "Arn", path)?;
        let name = r.req_str(node, "PolicyName", path)?;
        let mut default = Vec::new();
        let mut others = Vec::new();
        for (v, vp) in r.items(node, "PolicyVersionList", path)? {
            r.object(v, &vp)?;
            if matches!(
                v.get("IsDefaultVersion").map(|d| &d.kind),
                Some(JsonKind::Bool(true))
            ) {
                default.push((v, vp));
            } else {
                others.push((v, vp));
            }
        }
        let [(v, vp)] = default.as_slice() else {
            return Err(WorldError::DefaultVersion {
                at: r.at(node, path),
                arn: arn.into(),
                count: default.len(),
            });
        };
        let version = r
            .opt_str(v, "VersionId", vp)?
            .unwrap_or("default")
            .to_string();
        let (doc, dp) = r.required(v, "Document", vp)?;
        let policy = Arc::new(r.policy(doc, &dp)?);
        let mut other_versions = Vec::with_capacity(others.len());
        for (v, vp) in others {
            let id = r.opt_str(v, "VersionId", &vp)?.unwrap_or("").to_string();
            let (doc, dp) = r.required(v, "Document", &vp)?;
            other_versions.push((id, Arc::new(r.policy(doc, &dp)?)));
        }
        if self.managed.contains_key(arn) {
            return Err(WorldError::Duplicate {
                at: r.at(node, path),
                what: "managed policy",
                name: arn.into(),
            });
        }
        self.managed.insert(
            arn.to_string(),
            RawManaged {
                name: name.into(),
                version,
                policy,
                others: other_versions,
            },
        );
        Ok(())
    }

    fn resource_policy(
        &mut self,
        r: &Reader,
        node: &Json,
        path: &JsonPath,
    ) -> Result<(), WorldError> {
        r.object(node, path)?;
        const KNOWN: &[&str] = &["ResourceArn", "AccountId", "Policy"];
        for (key, at) in r.unknown_keys(node, KNOWN, path) {
            self.warnings.push(WorldWarning::UnknownKey { at, key });
        }
        let arn = r.req_str(node, "ResourceArn", path)?;
        let account = r.opt_str(node, "AccountId", path)?.map(str::to_string);
        let (doc, dp) = r.required(node, "Policy", path)?;
        let policy = r.policy(doc, &dp)?;
        if self.resources.contains_key(arn) {
            return Err(WorldError::Duplicate {
                at: r.at(node, path),
                what: "resource policy",
                name: arn.into(),
            });
        }
        if let Some(why) = unreachable_holder(arn) {
            self.warnings.push(WorldWarning::UnreachablePolicy {
                at: r.at(node, &path.key("ResourceArn")),
                arn: arn.to_string(),
                why,
            });
        }
        let policy = NamedPolicy::new(resource_policy_name(arn), policy);
        self.resources
            .insert(arn.to_string(), RawResource { account, policy });
        Ok(())
    }

    fn organization(&mut self, r: &Reader, node: &Json, path: &JsonPath) -> Result<(), WorldError> {
        r.object(node, path)?;
        // `MasterAccountId` and the other keys are those `aws organizations
        // describe-organization` prints inside its `Organization` object; only the management
        // account matters to decisions, and the organization's id to the external-access
        // findings (`aws:PrincipalOrgID` naming it is inside the organization).
        const KNOWN: &[&str] = &[
            "Accounts",
            "ServiceControlPolicies",
            "ResourceControlPolicies",
            "MasterAccountId",
            "MasterAccountArn",
            "MasterAccountEmail",
            "Id",
            "Arn",
            "FeatureSet",
            "AvailablePolicyTypes",
        ];
        for (key, at) in r.unknown_keys(node, KNOWN, path) {
            self.warnings.push(WorldWarning::UnknownKey { at, key });
        }
        if let Some(id) = r.opt_str(node, "MasterAccountId", path)? {
            let at = r.at(node, &path.key("MasterAccountId"));
            match &self.management {
                Some((known, _)) if known != id => {
                    return Err(WorldError::Duplicate {
                        at,
                        what: "organization management account",
                        name: id.to_string(),
                    });
                }
                Some(_) => {}
                None => self.management = Some((id.to_string(), at)),
            }
        }
        if let Some(id) = r.opt_str(node, "Id", path)? {
            let at = r.at(node, &path.key("Id"));
            match &self.org_id {
                Some((known, _)) if known != id => {
                    return Err(WorldError::Duplicate {
                        at,
                        what: "organization id",
                        name: id.to_string(),
                    });
                }
                Some(_) => {}
                None => self.org_id = Some((id.to_string(), at)),
            }
        }
        if let Some((accounts, ap)) = r.field(node, "Accounts", path) {
            r.object(accounts, &ap)?;
            for m in accounts.members().unwrap_or(&[]) {
                let p = ap.key(&m.key);
                let levels = r
                    .array(&m.value, &p)?
                    .iter()
                    .enumerate()
                    .map(|(i, t)| r.string(t, &p.index(i)).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                match self.accounts.get(&m.key) {
                    Some((known, _)) if *known != levels => {
                        return Err(WorldError::Duplicate {
                            at: r.at(&m.value, &p),
                            what: "organization path of account",
                            name: m.key.clone(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        self.accounts
                            .insert(m.key.clone(), (levels, r.at(&m.value, &p)));
                    }
                }
            }
        }
        for (key, rcp) in [
            ("ServiceControlPolicies", false),
            ("ResourceControlPolicies", true),
        ] {
            for (item, ip) in r.items(node, key, path)? {
                let policy = org_policy(r, item, &ip, &mut self.warnings)?;
                let list = if rcp { &mut self.rcps } else { &mut self.scps };
                if list.iter().any(|p| p.name == policy.name) {
                    return Err(WorldError::Duplicate {
                        at: r.at(item, &ip),
                        what: if rcp { "RCP" } else { "SCP" },
                        name: policy.name,
                    });
                }
                list.push(policy);
            }
        }
        Ok(())
    }
}

/// Reads a user, group or role.
fn entity(r: &Reader, node: &Json, path: &JsonPath, kind: &Kind) -> Result<RawEntity, WorldError> {
    r.object(node, path)?;
    let name = r.req_str(node, kind.name, path)?.to_string();
    let (arn_node, arn_path) = r.required(node, "Arn", path)?;
    let arn = r.string(arn_node, &arn_path)?.to_string();
    let account = match Arn::parse(&arn) {
        Some(a) if a.service == "iam" && a.resource.starts_with(kind.arn_prefix) => {
            a.account.to_string()
        }
        _ => {
            return Err(WorldError::BadArn {
                at: r.at(arn_node, &arn_path),
                arn,
                expected: kind.label,
            });
        }
    };
    let refs = |key: &str, field: Option<&'static str>| -> Result<Vec<Ref>, WorldError> {
        r.items(node, key, path)?
            .into_iter()
            .map(|(item, ip)| {
                let target = match field {
                    None => r.string(item, &ip)?,
                    Some(f) => {
                        r.object(item, &ip)?;
                        r.req_str(item, f, &ip)?
                    }
                };
                Ok(Ref {
                    target: target.to_string(),
                    at: r.at(item, &ip),
                })
            })
            .collect()
    };
    let mut inline = Vec::new();
    for (item, ip) in r.items(node, kind.inline, path)? {
        r.object(item, &ip)?;
        let pname = r.req_str(item, "PolicyName", &ip)?;
        let (doc, dp) = r.required(item, "PolicyDocument", &ip)?;
        let label = match kind.label {
            "group" => format!("group {name} via inline {pname}"),
            l => format!("{l} inline {name}/{pname}"),
        };
        inline.push(NamedPolicy::new(label, r.policy(doc, &dp)?));
    }
    let boundary = match r.field(node, "PermissionsBoundary", path) {
        Some((b, bp)) => {
            r.object(b, &bp)?;
            let arn = r.req_str(b, "PermissionsBoundaryArn", &bp)?;
            Some(Ref {
                target: arn.to_string(),
                at: r.at(b, &bp),
            })
        }
        None => None,
    };
    let mut tags = Vec::new();
    for (t, tp) in r.items(node, "Tags", path)? {
        r.object(t, &tp)?;
        tags.push((
            r.req_str(t, "Key", &tp)?.to_string(),
            r.req_str(t, "Value", &tp)?.to_string(),
        ));
    }
    let trust = match r.field(node, "AssumeRolePolicyDocument", path) {
        Some((doc, dp)) => Some(NamedPolicy::new(
            format!("trust policy of role {name}"),
            r.policy(doc, &dp)?,
        )),
        None => None,
    };
    let mut instance_profiles = Vec::new();
    for (item, ip) in r.items(node, "InstanceProfileList", path)? {
        r.object(item, &ip)?;
        // The profile's other keys (`Roles`, `Path`, `CreateDate`...) are not read.
        if let Some(arn) = r.opt_str(item, "Arn", &ip)? {
            instance_profiles.push(arn.to_string());
        }
    }
    Ok(RawEntity {
        instance_profiles,
        id: r.opt_str(node, kind.id, path)?.map(str::to_string),
        groups: refs("GroupList", None)?,
        managed: refs("AttachedManagedPolicies", Some("PolicyArn"))?,
        inline,
        boundary,
        tags,
        trust,
        at: r.at(node, path),
        name,
        arn,
        account,
    })
}

/// Reads an SCP or RCP entry.
fn org_policy(
    r: &Reader,
    node: &Json,
    path: &JsonPath,
    warnings: &mut Vec<WorldWarning>,
) -> Result<RawOrgPolicy, WorldError> {
    r.object(node, path)?;
    const KNOWN: &[&str] = &["Name", "Targets", "Policy"];
    for (key, at) in r.unknown_keys(node, KNOWN, path) {
        warnings.push(WorldWarning::UnknownKey { at, key });
    }
    let name = r.req_str(node, "Name", path)?.to_string();
    let mut targets = Vec::new();
    for (t, tp) in r.items(node, "Targets", path)? {
        targets.push(Ref {
            target: r.string(t, &tp)?.to_string(),
            at: r.at(t, &tp),
        });
    }
    let (doc, dp) = r.required(node, "Policy", path)?;
    Ok(RawOrgPolicy {
        name,
        targets,
        policy: Arc::new(r.policy(doc, &dp)?),
    })
}
