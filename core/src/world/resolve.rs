//! Second pass: references resolved through hash maps (linear in the size of the world), the
//! sources named, broken references turned into errors or warnings.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::arn::Arn;
use crate::compile::NamedPolicy;
use crate::policy::{Policy, Version};

use super::error::{WorldError, WorldWarning};
use super::import::{Builder, RawEntity, RawManaged, RawOrgPolicy, Ref};
use super::{Cache, Entity, Group, OrgPolicy, Organization, OtherVersions, ResourcePolicy, World};

/// `true` for `arn:aws:iam::aws:policy/...` (any partition).
fn is_aws_managed(arn: &str) -> bool {
    Arn::parse(arn).is_some_and(|a| a.service == "iam" && a.account == "aws")
}

/// An attached managed policy: found (named by `name`), missing AWS-managed (warning, left
/// out), or missing customer-managed (error).
fn attached(
    managed: &HashMap<String, RawManaged>,
    r: &Ref,
    name: impl Fn(&RawManaged) -> String,
    warnings: &mut Vec<WorldWarning>,
) -> Result<Option<NamedPolicy>, WorldError> {
    if let Some(m) = managed.get(&r.target) {
        return Ok(Some(NamedPolicy::shared(name(m), Arc::clone(&m.policy))));
    }
    if is_aws_managed(&r.target) {
        warnings.push(WorldWarning::MissingAwsPolicy {
            at: r.at.clone(),
            arn: r.target.clone(),
        });
        return Ok(None);
    }
    Err(WorldError::UnknownPolicy {
        at: r.at.clone(),
        arn: r.target.clone(),
    })
}

/// A permissions boundary: a missing AWS-managed one allows nothing (warning), a missing
/// customer-managed one is an error.
fn boundary(
    managed: &HashMap<String, RawManaged>,
    r: &Ref,
    warnings: &mut Vec<WorldWarning>,
) -> Result<NamedPolicy, WorldError> {
    if let Some(m) = managed.get(&r.target) {
        return Ok(NamedPolicy::shared(
            format!("boundary {} {}", m.name, m.version),
            Arc::clone(&m.policy),
        ));
    }
    if is_aws_managed(&r.target) {
        warnings.push(WorldWarning::MissingAwsBoundary {
            at: r.at.clone(),
            arn: r.target.clone(),
        });
        let nothing = Policy {
            id: None,
            version: Version::V2012_10_17,
            statements: Vec::new(),
            source: None,
        };
        return Ok(NamedPolicy::new(
            format!("boundary {} (not in the export)", r.target),
            nothing,
        ));
    }
    Err(WorldError::UnknownPolicy {
        at: r.at.clone(),
        arn: r.target.clone(),
    })
}

/// Indexes entities by `account/name`, refusing duplicates.
fn index(list: &[RawEntity], what: &'static str) -> Result<HashMap<String, usize>, WorldError> {
    let mut map = HashMap::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        if map.insert(format!("{}/{}", e.account, e.name), i).is_some() {
            return Err(WorldError::Duplicate {
                at: e.at.clone(),
                what,
                name: e.arn.clone(),
            });
        }
    }
    Ok(map)
}

impl Builder {
    /// Resolves every reference and builds the world.
    pub fn finish(self) -> Result<(World, Vec<WorldWarning>), WorldError> {
        let Builder {
            account,
            users,
            groups,
            roles,
            managed,
            resources,
            accounts,
            management,
            org_id,
            scps,
            rcps,
            providers,
            mut warnings,
            ..
        } = self;
        let group_index = index(&groups, "group")?;
        let users_by_name = index(&users, "user")?;
        let roles_by_name = index(&roles, "role")?;
        let mut out_groups = Vec::with_capacity(groups.len());
        for g in groups {
            let mut policies = g.inline;
            for r in &g.managed {
                let by = if is_aws_managed(&r.target) {
                    "AWS "
                } else {
                    ""
                };
                let name = |m: &RawManaged| {
                    format!("group {} via {by}managed {} {}", g.name, m.name, m.version)
                };
                policies.extend(attached(&managed, r, name, &mut warnings)?);
            }
            out_groups.push(Group {
                managed_arns: g.managed.iter().map(|r| r.target.clone()).collect(),
                name: g.name,
                arn: g.arn,
                policies,
            });
        }
        let mut entities = |list: Vec<RawEntity>, label: &str| -> Result<Vec<Entity>, WorldError> {
            let mut out = Vec::with_capacity(list.len());
            for e in list {
                let mut policies = e.inline;
                for r in &e.managed {
                    let by = if is_aws_managed(&r.target) {
                        "AWS "
                    } else {
                        ""
                    };
                    let name =
                        |m: &RawManaged| format!("{label} {by}managed {} {}", m.name, m.version);
                    policies.extend(attached(&managed, r, name, &mut warnings)?);
                }
                let mut member_of = Vec::with_capacity(e.groups.len());
                for r in &e.groups {
                    match group_index.get(&format!("{}/{}", e.account, r.target)) {
                        Some(&g) => member_of.push(g),
                        None => {
                            return Err(WorldError::UnknownGroup {
                                at: r.at.clone(),
                                user: e.name,
                                group: r.target.clone(),
                            })
                        }
                    }
                }
                let boundary = e
                    .boundary
                    .as_ref()
                    .map(|r| boundary(&managed, r, &mut warnings))
                    .transpose()?;
                out.push(Entity {
                    managed_arns: e.managed.iter().map(|r| r.target.clone()).collect(),
                    name: e.name,
                    id: e.id,
                    arn: e.arn,
                    account: e.account,
                    policies,
                    groups: member_of,
                    boundary,
                    tags: e.tags,
                    trust: e.trust,
                    instance_profiles: e.instance_profiles,
                    at: e.at,
                });
            }
            Ok(out)
        };
        let users = entities(users, "user")?;
        let roles = entities(roles, "role")?;
        let world_account = account
            .map(|(a, _)| a)
            .or_else(|| users.iter().chain(&roles).map(|e| e.account.clone()).next());
        let on_paths: HashSet<&str> = accounts
            .iter()
            .flat_map(|(acct, (path, _))| path.iter().map(String::as_str).chain([acct.as_str()]))
            .collect();
        let mut org_list = |list: Vec<RawOrgPolicy>| {
            let mut by_target: HashMap<String, Vec<usize>> = HashMap::new();
            let mut policies = Vec::with_capacity(list.len());
            for (i, p) in list.into_iter().enumerate() {
                for t in p.targets {
                    if !on_paths.contains(t.target.as_str()) {
                        warnings.push(WorldWarning::UnusedTarget {
                            at: t.at.clone(),
                            target: t.target.clone(),
                        });
                    }
                    by_target.entry(t.target).or_default().push(i);
                }
                policies.push(OrgPolicy {
                    name: p.name,
                    policy: p.policy,
                });
            }
            (policies, by_target)
        };
        let (scps, scp_targets) = org_list(scps);
        let (rcps, rcp_targets) = org_list(rcps);
        let organization = Organization {
            accounts: accounts
                .into_iter()
                .map(|(k, (path, _))| (k, path))
                .collect(),
            management: management.map(|(id, _)| id),
            id: org_id.map(|(id, _)| id),
            scps,
            scp_targets,
            rcps,
            rcp_targets,
        };
        let resources = resources
            .into_iter()
            .map(|(arn, r)| {
                (
                    arn,
                    ResourcePolicy {
                        account: r.account,
                        policy: r.policy,
                        compiled: std::sync::OnceLock::new(),
                    },
                )
            })
            .collect();
        let other_versions = managed
            .iter()
            .filter(|(_, m)| !m.others.is_empty())
            .map(|(arn, m)| {
                let versions = OtherVersions {
                    name: m.name.clone(),
                    versions: m.others.clone(),
                };
                (arn.clone(), versions)
            })
            .collect();
        let world = World {
            other_versions,
            account: world_account,
            users,
            roles,
            groups: out_groups,
            users_by_name,
            roles_by_name,
            resources,
            organization,
            providers: providers.into_iter().collect(),
            cache: Cache::default(),
        };
        Ok((world, warnings))
    }
}
