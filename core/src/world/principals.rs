//! Read-only views of the world's users and roles for analyses that walk every principal
//! (the access paths of [`crate::paths`]): who they are, the ARN to ask as, their trust
//! policy, the managed policies and groups they hold, and the other versions of managed
//! policies. Deciding stays with the engine; these only say what exists.

use crate::compile::NamedPolicy;
use crate::policy::Policy;

use super::{Entity, Group, World};

/// A user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PrincipalType {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

/// A group a user is in.
#[derive(Debug, Clone, Copy)]
pub struct GroupInfo<'a> {
    /// The group's name.
    pub name: &'a str,
    /// The group's ARN.
    pub arn: &'a str,
    /// The group's inline and managed policies, named as explanations name them.
    pub policies: &'a [NamedPolicy],
    /// ARNs of the managed policies attached to the group.
    pub managed: &'a [String],
}

/// A user or role of the world.
#[derive(Debug, Clone)]
pub struct PrincipalInfo<'a> {
    /// User or role.
    pub kind: PrincipalType,
    /// The name.
    pub name: &'a str,
    /// The user's or role's ARN (with its path).
    pub arn: &'a str,
    /// The account.
    pub account: &'a str,
    /// The ARN to put in a request to ask as this principal: the user's ARN, or for a role
    /// the representative session `arn:aws:sts::ACCOUNT:assumed-role/ROLE/polcheck` (as
    /// [`World::principals`] lists it).
    pub caller: String,
    /// A role's trust policy.
    pub trust: Option<&'a NamedPolicy>,
    /// Its own identity policies, inline then managed, named as explanations name them
    /// (a user's groups' are in [`PrincipalInfo::groups`]).
    pub policies: &'a [NamedPolicy],
    /// ARNs of the managed policies attached directly.
    pub managed: &'a [String],
    /// A user's groups, in `GroupList` order.
    pub groups: Vec<GroupInfo<'a>>,
    /// Whether a permissions boundary is set.
    pub has_boundary: bool,
    /// The permissions boundary, when one is set.
    pub boundary: Option<&'a NamedPolicy>,
    /// A role's instance profiles (`InstanceProfileList[].Arn`); empty for a user.
    pub instance_profiles: &'a [String],
}

impl World {
    /// Every user, then every role, in export order.
    pub fn principal_infos(&self) -> Vec<PrincipalInfo<'_>> {
        let users = self.users.iter().map(|e| self.info(e, PrincipalType::User));
        let roles = self.roles.iter().map(|e| self.info(e, PrincipalType::Role));
        users.chain(roles).collect()
    }

    /// The groups of the world, in export order.
    pub fn group_infos(&self) -> Vec<GroupInfo<'_>> {
        self.groups.iter().map(group_info).collect()
    }

    /// The versions of a managed policy other than its default one: (policy name, version
    /// id, document), in export order. Empty when it has none or is not in the world.
    pub fn other_policy_versions(&self, policy_arn: &str) -> Vec<(&str, &str, &Policy)> {
        self.other_versions
            .get(policy_arn)
            .map(|o| {
                o.versions
                    .iter()
                    .map(|(v, p)| (o.name.as_str(), v.as_str(), p.as_ref()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn info<'a>(&'a self, e: &'a Entity, kind: PrincipalType) -> PrincipalInfo<'a> {
        let caller = match kind {
            PrincipalType::User => e.arn.clone(),
            PrincipalType::Role => format!(
                "arn:aws:sts::{}:assumed-role/{}/polcheck",
                e.account, e.name
            ),
        };
        PrincipalInfo {
            kind,
            name: &e.name,
            arn: &e.arn,
            account: &e.account,
            caller,
            trust: e.trust.as_ref(),
            policies: &e.policies,
            managed: &e.managed_arns,
            groups: e
                .groups
                .iter()
                .filter_map(|&g| self.groups.get(g))
                .map(group_info)
                .collect(),
            has_boundary: e.boundary.is_some(),
            boundary: e.boundary.as_ref(),
            instance_profiles: &e.instance_profiles,
        }
    }
}

fn group_info(g: &Group) -> GroupInfo<'_> {
    GroupInfo {
        name: &g.name,
        arn: &g.arn,
        policies: &g.policies,
        managed: &g.managed_arns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_users_roles_groups_and_other_versions() {
        let text = include_str!("../../../corpus/worlds/demo/iam.json");
        let (world, _) = World::load(&[("iam.json".into(), text.into())]).unwrap();
        let infos = world.principal_infos();
        let alice = infos.iter().find(|p| p.name == "alice").unwrap();
        assert_eq!(alice.kind, PrincipalType::User);
        assert_eq!(alice.groups.first().map(|g| g.name), Some("Developers"));
        assert_eq!(
            alice.groups.first().map(|g| g.managed.to_vec()),
            Some(vec![
                "arn:aws:iam::111122223333:policy/DevAccess".to_string()
            ])
        );
        let app = infos.iter().find(|p| p.name == "AppRole").unwrap();
        assert_eq!(
            app.caller,
            "arn:aws:sts::111122223333:assumed-role/AppRole/polcheck"
        );
        assert!(app.trust.is_some());
        let v = world.other_policy_versions("arn:aws:iam::111122223333:policy/DevAccess");
        assert_eq!(v.iter().map(|(_, id, _)| *id).collect::<Vec<_>>(), ["v1"]);
        assert!(world
            .other_policy_versions("arn:aws:iam::111122223333:policy/DeployAccess")
            .is_empty());
    }
}
