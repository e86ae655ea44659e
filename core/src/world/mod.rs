//! The world: what polcheck knows about an AWS estate, read from the exports AWS prints
//! (`/work/shared/spec/world.md`), and the policies that bear on each request.
//!
//! # What is imported
//!
//! | top-level key | taken from it |
//! | --- | --- |
//! | `UserDetailList` | `UserName`, `UserId`, `Arn`, `GroupList`, `UserPolicyList`, `AttachedManagedPolicies`, `PermissionsBoundary`, `Tags` |
//! | `GroupDetailList` | `GroupName`, `Arn`, `GroupPolicyList`, `AttachedManagedPolicies` |
//! | `RoleDetailList` | `RoleName`, `RoleId`, `Arn`, `AssumeRolePolicyDocument` (the trust policy), `RolePolicyList`, `AttachedManagedPolicies`, `PermissionsBoundary`, `Tags`, `InstanceProfileList` (each profile's `Arn`, for the access paths' SSM edges) |
//! | `Policies` | `Arn`, `PolicyName`, and the one `PolicyVersionList` entry whose `IsDefaultVersion` is `true` (AWS-managed policies too, when exported) |
//! | `AccountId` | the account the export belongs to (else the account of the first user or role) |
//! | `ResourcePolicies` | `ResourceArn`, `AccountId` (the owner, default `AccountId`), `Policy` |
//! | `Organization` | `Accounts` (account → targets from the root down), `ServiceControlPolicies` and `ResourceControlPolicies` (`Name`, `Targets`, `Policy`), `MasterAccountId` (the management account, as `aws organizations describe-organization` prints it), `Id` (the organization's id, read by the external-access findings; its other keys `Arn`, `FeatureSet`, `MasterAccountArn`, `MasterAccountEmail`, `AvailablePolicyTypes` are accepted and ignored) |
//! | `Vpcs`, `Subnets`, `RouteTables`, `InternetGateways`, `NetworkAcls`, `SecurityGroups`, `Reservations`, `NetworkInterfaces`, `ManagedPrefixLists` | nothing here: the network importer reads them from the same documents |
//!
//! Other fields of AWS's entries (`CreateDate`, `RoleLastUsed`...) are
//! ignored. Policy documents may be objects, JSON strings or URL-encoded strings.
//!
//! # Merging files
//!
//! Files are read in the order given, as if their keys were concatenated: lists under the same
//! key append, `Organization.Accounts` merge by account, SCP and RCP lists append. `AccountId`
//! must be the same wherever it is given. A user, group or role (by account and name), a
//! managed policy or resource policy (by ARN), an SCP or RCP (by name) defined twice is an
//! error, and so is an account given two different organization paths.
//!
//! # Errors and warnings
//!
//! Errors stop the load and say the file, the JSON path and the line:column
//! ([`WorldError`]). Warnings come back beside the world ([`WorldWarning`]); nothing is printed.
//!
//! | situation | |
//! | --- | --- |
//! | a file that is not JSON, a policy that does not parse, a value of the wrong type, a missing required key (`UserName`, `Arn`, `PolicyDocument`...) | error |
//! | `AccountId` differing between files | error |
//! | a duplicate definition (see above) | error |
//! | a managed policy without exactly one default version | error |
//! | a user's group absent from every `GroupDetailList` (the export is cut short: the group's grants would be lost silently) | error |
//! | an attached or boundary **customer-managed** policy absent from `Policies` | error |
//! | an attached **AWS-managed** policy (`arn:aws:iam::aws:policy/...`) absent from `Policies` (exports omit them unless filtered for): left out, so polcheck may deny what AWS allows | warning |
//! | an AWS-managed **boundary** absent from `Policies`: taken as allowing nothing | warning |
//! | an unknown top-level key, or an unknown key in polcheck's own objects (`ResourcePolicies` entries, `Organization`, SCP and RCP entries) | warning |
//! | an SCP or RCP target on no account's path | warning |
//! | a `ResourcePolicies` entry no request reaches (`ResourceArn` not an ARN, or an S3 object ARN) | warning |
//! | `MasterAccountId` given two different values | error |
//!
//! # Which policies a request meets ([`World::layers_for`])
//!
//! - identity: for a user, its inline policies, its managed policies, then for each group in
//!   `GroupList` order the group's inline and managed policies; for a role session (or a role
//!   ARN as the caller), the role's inline and managed policies. Other callers (root, services,
//!   anonymous, principals outside the world) have none.
//! - boundary: the user's or role's `PermissionsBoundary`.
//! - resource: the `ResourcePolicies` entry whose `ResourceArn` is the resource, else the one
//!   of its [`governing_resource`] (an object's bucket, a qualified function's function), or
//!   for an API Gateway method the API's `execute-api` ARN ([`policy_holders`]); for
//!   an `sts:` action on a role ARN, the role's trust policy.
//! - SCPs and RCPs never bind the management account (`MasterAccountId`: none for its
//!   callers, none for its resources) nor a service-linked role (a role whose ARN path starts
//!   with `/aws-service-role/`).
//! - SCPs: when the caller's account is in `Organization.Accounts`, one level per target on its
//!   path (the account id itself appended as the last level), each holding the SCPs whose
//!   `Targets` name it. A level with no SCP attached is **left out** (it passes, as AWS's
//!   `FullAWSAccess` would). An account not in `Accounts` gets no SCP layer at all.
//! - RCPs: the same for the resource's account (the request's `resource_account`, else
//!   [`World::resource_account`], else the ARN's or the caller's account).
//!
//! Each policy is named for where it came from, as explanations print it:
//! `user inline alice/OwnQueue`, `user managed DevAccess v2`,
//! `group Developers via inline Name`, `group Developers via managed DevAccess v2`,
//! `role inline AppRole/Tables`, `role managed Name v1`, `boundary LogsOnly v1`,
//! `bucket policy of dev-artifacts`, `key policy of ARN`, `resource policy of ARN`,
//! `trust policy of role AppRole`, `SCP NoEcr at ou-workloads`, `RCP X at r-root`.
//!
//! Each caller's identity and boundary sets, each resource policy and each account's SCP and
//! RCP levels are compiled once, on first use, and kept; [`World`] is `Send + Sync`.
//!
//! ```
//! use polcheck_core::{decide::{decide, Outcome}, world::World, Context, Request};
//! let text = r#"{"AccountId": "111122223333", "UserDetailList": [{"UserName": "alice",
//!   "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice",
//!   "UserPolicyList": [{"PolicyName": "Read", "PolicyDocument":
//!     {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}]}"#;
//! let (world, warnings) = World::load(&[("iam.json".to_string(), text.to_string())]).unwrap();
//! assert!(warnings.is_empty());
//! let mut req = Request::new(Some("arn:aws:iam::111122223333:user/alice"), "s3:GetObject",
//!     "arn:aws:s3:::b/k", Context::new()).unwrap();
//! world.prepare(&mut req);
//! assert_eq!(decide(&world.layers_for(&req), &req).outcome, Outcome::Allowed);
//! ```

mod error;
mod import;

/// Limits on one world, all its files together, far above real accounts (IAM's quotas: 5,000
/// users, 300 groups, 1,000 roles and 1,500 customer managed policies per account by default,
/// roles and policies adjustable to 10,000), so
/// that a hostile export is refused with a clear error rather than exhausting memory. The
/// CLI also bounds each file to 64 MiB, and each policy document has the limits of
/// [`crate::policy::parse::limits`].
pub mod limits {
    /// Statements of every policy document of the world (inline, managed, trust, resource,
    /// SCP, RCP) together.
    pub const MAX_STATEMENTS: usize = 1_000_000;
    /// Elements of `UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies` and
    /// `ResourcePolicies`, across every file.
    pub const MAX_ENTITIES: usize = 1_000_000;
}
mod layers;
mod policies_view;
mod principals;
mod read;
mod resolve;
mod resource;

pub use error::{At, WorldError, WorldWarning};
pub use import::NETWORK_KEYS;
pub use layers::{CallerLayers, ResourceLayers};
pub use policies_view::{OrgPolicyInfo, ResourcePolicyInfo};
pub use principals::{GroupInfo, PrincipalInfo, PrincipalType};
pub use resource::{governing_resource, policy_holders, resource_policy_name, unreachable_holder};

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::arn::Arn;
use crate::compile::NamedPolicy;
use crate::context::{Context, ContextValue};
use crate::json::{self, Document};
use crate::policy::Policy;
use crate::principal::Principal;
use crate::request::{Caller, Request};

/// An AWS estate: users, groups, roles, managed policies, resource policies, organization.
pub struct World {
    account: Option<String>,
    users: Vec<Entity>,
    roles: Vec<Entity>,
    groups: Vec<Group>,
    users_by_name: HashMap<String, usize>,
    roles_by_name: HashMap<String, usize>,
    resources: HashMap<String, ResourcePolicy, crate::hash::Fx>,
    organization: Organization,
    /// Non-default versions of managed policies, by policy ARN (only those that have some).
    other_versions: HashMap<String, OtherVersions>,
    /// The IAM identity providers the export lists (`OpenIDConnectProviderList`,
    /// `SAMLProviderList`), by ARN.
    providers: std::collections::BTreeSet<String>,
    cache: layers::Cache,
}

use layers::Cache;

/// A user or role, references resolved.
struct Entity {
    name: String,
    id: Option<String>,
    arn: String,
    account: String,
    /// Inline then managed policies, named.
    policies: Vec<NamedPolicy>,
    /// Indexes into `World::groups` (users only).
    groups: Vec<usize>,
    boundary: Option<NamedPolicy>,
    tags: Vec<(String, String)>,
    /// Roles only.
    trust: Option<NamedPolicy>,
    /// ARNs of the managed policies attached to it (as exported, found or not).
    managed_arns: Vec<String>,
    /// Roles only: the ARNs of its instance profiles (`InstanceProfileList`).
    instance_profiles: Vec<String>,
    /// Where the export holds it.
    at: At,
}

impl Entity {
    /// A service-linked role: a role whose path starts with `/aws-service-role/`.
    fn is_service_linked(&self) -> bool {
        Arn::parse(&self.arn)
            .is_some_and(|a| a.service == "iam" && a.resource.starts_with("role/aws-service-role/"))
    }
}

/// A group's inline then managed policies, named.
struct Group {
    name: String,
    arn: String,
    policies: Vec<NamedPolicy>,
    /// ARNs of the managed policies attached to it.
    managed_arns: Vec<String>,
}

/// The versions of a managed policy other than its default one.
struct OtherVersions {
    name: String,
    versions: Vec<(String, Arc<Policy>)>,
}

/// A `ResourcePolicies` entry.
struct ResourcePolicy {
    account: Option<String>,
    policy: NamedPolicy,
    /// The policy compiled, on first use (the world never changes, so it never goes stale).
    compiled: std::sync::OnceLock<Arc<crate::compile::PolicySet>>,
}

/// An SCP or RCP.
struct OrgPolicy {
    name: String,
    policy: Arc<Policy>,
}

/// `Organization`, with the policies indexed by target.
struct Organization {
    accounts: HashMap<String, Vec<String>>,
    /// `MasterAccountId`: SCPs and RCPs never apply to its principals or resources.
    management: Option<String>,
    /// `Id`: the organization's id (`o-...`), when the export gives it.
    id: Option<String>,
    scps: Vec<OrgPolicy>,
    scp_targets: HashMap<String, Vec<usize>>,
    rcps: Vec<OrgPolicy>,
    rcp_targets: HashMap<String, Vec<usize>>,
}

impl World {
    /// Parses and loads world files, given as (file name, text). The file names appear in
    /// errors and warnings.
    pub fn load(files: &[(String, String)]) -> Result<(World, Vec<WorldWarning>), WorldError> {
        let docs = parse_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))?;
        let refs: Vec<(&str, &Document)> = docs.iter().map(|(n, d)| (*n, d)).collect();
        World::from_documents(&refs)
    }

    /// Loads world files already parsed (so the same documents can go to the network
    /// importer). The documents are not kept.
    pub fn from_documents(
        docs: &[(&str, &Document)],
    ) -> Result<(World, Vec<WorldWarning>), WorldError> {
        let mut builder = import::Builder::default();
        for (file, doc) in docs {
            builder.document(file, doc)?;
        }
        builder.finish()
    }

    /// The account the world belongs to: `AccountId`, else the first user's or role's.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    fn user(&self, account: &str, name: &str) -> Option<&Entity> {
        let i = by_name(&self.users_by_name, account, name)?;
        self.users.get(i)
    }

    fn role(&self, account: &str, name: &str) -> Option<&Entity> {
        let i = by_name(&self.roles_by_name, account, name)?;
        self.roles.get(i)
    }

    /// The user or role a caller is, as its place in the world (the per-caller caches are
    /// kept by it).
    fn entity_id(&self, p: &Principal) -> Option<EntityId> {
        match p {
            Principal::User { account, name, .. } => {
                by_name(&self.users_by_name, account, name).map(EntityId::User)
            }
            Principal::AssumedRole { account, role, .. } => {
                by_name(&self.roles_by_name, account, role).map(EntityId::Role)
            }
            _ => None,
        }
    }

    fn entity(&self, id: EntityId) -> Option<&Entity> {
        match id {
            EntityId::User(i) => self.users.get(i),
            EntityId::Role(i) => self.roles.get(i),
        }
    }

    /// Whether the world holds the caller: its user or role (a session of a role of the
    /// world), or the root of an account of the world.
    pub fn holds(&self, p: &Principal) -> bool {
        match p {
            // Every account has its root user: an account of the world's organization (its
            // management account too) holds one although the IAM export is of another.
            Principal::Root { account } => {
                self.account() == Some(account.as_str())
                    || self.organization.accounts.contains_key(account.as_str())
                    || self.organization.management.as_deref() == Some(account.as_str())
                    || self
                        .users
                        .iter()
                        .chain(&self.roles)
                        .any(|e| e.arn.split(':').nth(4) == Some(account.as_str()))
            }
            Principal::IdentityProvider { provider } => {
                let caller = provider_caller(provider);
                self.providers.contains(provider.as_str())
                    || self.identity_providers().contains(&caller)
            }
            _ => self.entity_of(p).is_some(),
        }
    }

    /// The identity providers the world knows, as callers are written
    /// (`arn:aws:iam::ACCOUNT:oidc-provider/HOST`, `federated:accounts.google.com`): those its
    /// export lists (`OpenIDConnectProviderList`, `SAMLProviderList`) and those a role's trust
    /// policy names with `"Principal": {"Federated": ...}`.
    pub fn identity_providers(&self) -> std::collections::BTreeSet<String> {
        let mut out = self.providers.clone();
        for role in &self.roles {
            let Some(trust) = &role.trust else { continue };
            for s in &trust.policy().statements {
                let Some(p) = &s.principal else { continue };
                for (kind, value) in &p.entries {
                    if *kind == crate::policy::PrincipalKind::Federated {
                        out.insert(provider_caller(value));
                    }
                }
            }
        }
        out
    }

    /// The user or role a caller is, when the world has it.
    fn entity_of(&self, p: &Principal) -> Option<&Entity> {
        match p {
            Principal::User { account, name, .. } => self.user(account, name),
            Principal::AssumedRole { account, role, .. } => self.role(account, role),
            _ => None,
        }
    }

    /// Adds the keys the world knows about a caller, unless the context sets them:
    /// `aws:PrincipalTag/KEY` for each tag of the user or role, and `aws:userid` (the
    /// user's `UserId`; `ROLEID:SESSION` for a role session, as AWS forms it).
    pub fn request_context(&self, principal: &Principal, ctx: &mut Context) {
        let Some(e) = self.entity_of(principal) else {
            return;
        };
        for (k, v) in &e.tags {
            ctx.insert_default(
                &format!("aws:PrincipalTag/{k}"),
                ContextValue::single(v.as_str()),
            );
        }
        let user_id = match (principal, &e.id) {
            (Principal::AssumedRole { session, .. }, Some(id)) if !session.is_empty() => {
                Some(format!("{id}:{session}"))
            }
            (_, Some(id)) => Some(id.clone()),
            (_, None) => None,
        };
        if let Some(id) = user_id {
            ctx.insert_default("aws:userid", ContextValue::Single(id));
        }
    }

    /// The account owning a resource: the ARN's account when it has one; else (S3 buckets and
    /// objects) the `AccountId` of the `ResourcePolicies` entry governing it, defaulting to
    /// the world's `AccountId`; else `None`, meaning unknown (the request then takes the
    /// caller's account, as the suite format says).
    pub fn resource_account(&self, arn: &str) -> Option<String> {
        self.resource_account_of(arn, Arn::parse(arn).as_ref())
    }

    /// [`World::resource_account`] of `arn`, already split as `parsed` (`None` when it is
    /// not an ARN).
    fn resource_account_of(&self, arn: &str, parsed: Option<&Arn<'_>>) -> Option<String> {
        if let Some(a) = parsed.filter(|a| !a.account.is_empty()) {
            return Some(a.account.to_string());
        }
        let entry = self.held_policy(arn, parsed)?;
        entry.account.clone().or_else(|| self.account.clone())
    }

    /// The `ResourcePolicies` entry governing `arn` (split as `parsed`): the one held under
    /// `arn` itself, else under the first of its [`policy_holders`] that has one.
    fn held_policy(&self, arn: &str, parsed: Option<&Arn<'_>>) -> Option<&ResourcePolicy> {
        if !self.may_hold_policy_for(parsed) {
            return None;
        }
        if let Some(p) = self.resources.get(arn) {
            return Some(p);
        }
        // An S3 bucket or object: its only holder is the bucket, a prefix of the text.
        if let Some(bucket) = resource::s3_governing(arn) {
            return self.resources.get(bucket);
        }
        policy_holders(arn)
            .iter()
            .find_map(|h| self.resources.get(h.as_str()))
    }

    /// Completes a request with what the world knows: its `resource_account` when unset
    /// ([`World::resource_account`]), and [`World::request_context`].
    pub fn prepare(&self, req: &mut Request) {
        self.prepare_resource(req);
        if let Some(caller) = self.prepared_caller(req.caller()) {
            req.set_caller(caller);
        }
    }

    /// The resource half of [`World::prepare`]: the request's `resource_account`, when
    /// unset, from [`World::resource_account`].
    pub fn prepare_resource(&self, req: &mut Request) {
        if req.resource_account().is_none() {
            let account = self.resource_account_for(req);
            if account.is_some() {
                req.set_resource_account(account);
            }
        }
    }

    /// The account [`World::prepare_resource`] sets on a request without one.
    pub(crate) fn resource_account_for(&self, req: &Request) -> Option<String> {
        self.resource_account_of(req.resource(), req.resource_arn().as_ref())
    }

    /// `caller` with the keys the world knows of it ([`World::request_context`]) under its
    /// own, or `None` when the world adds nothing. What [`World::prepare`] does to a
    /// request's caller, for callers that build many requests of one caller
    /// ([`Request::with_caller`]); cached per caller, so asking again is one lookup.
    pub fn prepared_caller(&self, caller: &Caller) -> Option<Caller> {
        self.cache.prepared_caller(caller, |c| {
            let mut more = Context::new();
            self.request_context(c.principal(), &mut more);
            (!more.is_empty()).then(|| c.with_defaults(&more))
        })
    }

    /// Where the export holds the user or role whose ARN (or, for a role, session ARN as
    /// [`World::principals`] forms it) is `principal`.
    pub fn principal_at(&self, principal: &str) -> Option<&At> {
        self.users
            .iter()
            .find(|u| u.arn == principal)
            .or_else(|| {
                self.roles.iter().find(|r| {
                    principal
                        == format!(
                            "arn:aws:sts::{}:assumed-role/{}/polcheck",
                            r.account, r.name
                        )
                })
            })
            .map(|e| &e.at)
    }

    /// Every caller to ask about in a who-can query: each user's ARN, and for each role a
    /// representative session `arn:aws:sts::ACCOUNT:assumed-role/ROLE/polcheck`, in export
    /// order.
    pub fn principals(&self) -> Vec<String> {
        let users = self.users.iter().map(|u| u.arn.clone());
        let roles = self.roles.iter().map(|r| {
            format!(
                "arn:aws:sts::{}:assumed-role/{}/polcheck",
                r.account, r.name
            )
        });
        users.chain(roles).collect()
    }
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("World")
            .field("account", &self.account)
            .field("users", &self.users.len())
            .field("groups", &self.groups.len())
            .field("roles", &self.roles.len())
            .field("resource_policies", &self.resources.len())
            .field("organization_accounts", &self.organization.accounts.len())
            .finish()
    }
}

/// A provider as a caller is written: an IAM provider's ARN as it is, a public provider's
/// name (`accounts.google.com`) as `federated:NAME`.
fn provider_caller(provider: &str) -> String {
    if provider.starts_with("arn:") {
        provider.to_string()
    } else {
        format!("federated:{provider}")
    }
}

/// A user (`User`) or role (`Role`) by its place in the world's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntityId {
    User(usize),
    Role(usize),
}

/// `map["ACCOUNT/NAME"]`, the key written on the stack (no allocation) when it is short.
fn by_name(map: &HashMap<String, usize>, account: &str, name: &str) -> Option<usize> {
    let mut buf = [0u8; 160];
    let len = account.len() + 1 + name.len();
    if let Some(dst) = buf.get_mut(..len) {
        let (a, rest) = dst.split_at_mut(account.len());
        a.copy_from_slice(account.as_bytes());
        if let Some((slash, n)) = rest.split_first_mut() {
            *slash = b'/';
            n.copy_from_slice(name.as_bytes());
        }
        if let Ok(key) = std::str::from_utf8(dst) {
            return map.get(key).copied();
        }
    }
    map.get(&format!("{account}/{name}")).copied()
}

/// Parses world files (name, text), naming the file of the first that is not JSON.
pub fn parse_files<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(&'a str, Document)>, WorldError> {
    files
        .into_iter()
        .map(|(name, text)| {
            json::parse(text)
                .map(|d| (name, d))
                .map_err(|error| WorldError::Syntax {
                    file: name.to_string(),
                    error,
                })
        })
        .collect()
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn entities_over_the_world_limit_are_refused_before_they_are_read() {
        let roles = vec!["{}"; limits::MAX_ENTITIES + 1].join(",");
        let a = r#"{"UserDetailList": []}"#.to_string();
        let b = format!("{{\n\"RoleDetailList\": [{roles}]}}");
        let files = [("a.json".to_string(), a), ("b.json".to_string(), b)];
        let Err(err) = World::load(&files) else {
            panic!("loaded")
        };
        assert!(matches!(err, WorldError::Limit { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("b.json:2:19: RoleDetailList: more than 1000000 users"),
            "{err}"
        );
    }
}
