//! Every policy document of a world file, for `polcheck validate --world`.

use super::{Options, PolicyType};
use crate::json::{Json, JsonPath};

/// How to check the document at `path` of a world file (a path from
/// [`policy_documents`]): its policy type, and the size quota of the place it is stored in
/// (*IAM and AWS STS quotas*: a user's inline policies 2,048 characters, a group's 5,120, a
/// role's 10,240).
pub fn options_for(path: &JsonPath) -> Options {
    let p = path.as_str();
    let (policy_type, size_limit) = if p.contains("AssumeRolePolicyDocument") {
        (PolicyType::Trust, None)
    } else if p.starts_with("UserDetailList") {
        (PolicyType::Identity, Some(2_048))
    } else if p.starts_with("GroupDetailList") {
        (PolicyType::Identity, Some(5_120))
    } else if p.starts_with("RoleDetailList") {
        (PolicyType::Identity, Some(10_240))
    } else if p.starts_with("ResourcePolicies") {
        (PolicyType::Resource, None)
    } else if p.contains("ServiceControlPolicies") {
        (PolicyType::Scp, None)
    } else if p.contains("ResourceControlPolicies") {
        (PolicyType::Rcp, None)
    } else {
        (PolicyType::Identity, None)
    };
    Options {
        policy_type: Some(policy_type),
        size_limit,
        account: None,
    }
}

/// [`options_for`], with the account that holds the document: the role's for a trust
/// policy (its `Arn`), else the file's `AccountId`.
pub fn options_in(root: &Json, path: &JsonPath) -> Options {
    let mut options = options_for(path);
    let p = path.as_str();
    let role_account = p
        .strip_prefix("RoleDetailList[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| root.get("RoleDetailList")?.as_array()?.get(i))
        .and_then(|role| role.get("Arn")?.as_str())
        .and_then(|arn| crate::arn::Arn::parse(arn).map(|a| a.account.to_string()));
    options.account = role_account.or_else(|| {
        root.get("AccountId")
            .and_then(Json::as_str)
            .map(str::to_string)
    });
    options
}

/// The policy documents a world file holds, with their paths: inline user, group and role
/// policies, trust policies, every version of managed policies, resource policies, SCPs and
/// RCPs.
pub fn policy_documents(root: &Json) -> Vec<(JsonPath, &Json)> {
    let mut out = Vec::new();
    let top = JsonPath::root();
    let mut each = |list: &str, inner: &[&str], doc: &str| {
        let Some(items) = root.get(list).and_then(Json::as_array) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let base = top.key(list).index(i);
            walk(item, &base, inner, doc, &mut out);
        }
    };
    each("UserDetailList", &["UserPolicyList"], "PolicyDocument");
    each("GroupDetailList", &["GroupPolicyList"], "PolicyDocument");
    each("RoleDetailList", &["RolePolicyList"], "PolicyDocument");
    each("RoleDetailList", &[], "AssumeRolePolicyDocument");
    each("Policies", &["PolicyVersionList"], "Document");
    each("ResourcePolicies", &[], "Policy");
    if let Some(org) = root.get("Organization") {
        let base = top.key("Organization");
        for kind in ["ServiceControlPolicies", "ResourceControlPolicies"] {
            for (i, p) in org
                .get(kind)
                .and_then(Json::as_array)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if let Some(doc) = p.get("Policy") {
                    out.push((base.key(kind).index(i).key("Policy"), doc));
                }
            }
        }
    }
    out
}

/// Follows the lists named in `inner` (at most one level) down to the `doc` key.
fn walk<'a>(
    item: &'a Json,
    base: &JsonPath,
    inner: &[&str],
    doc: &str,
    out: &mut Vec<(JsonPath, &'a Json)>,
) {
    match inner.split_first() {
        None => {
            if let Some(d) = item.get(doc).filter(|d| !d.is_null()) {
                out.push((base.key(doc), d));
            }
        }
        Some((list, rest)) => {
            for (j, sub) in item
                .get(list)
                .and_then(Json::as_array)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                walk(sub, &base.key(list).index(j), rest, doc, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_kind_of_document() {
        let doc = crate::json::parse(
            r#"{"UserDetailList":[{"UserPolicyList":[{"PolicyDocument":{}}]}],
                "RoleDetailList":[{"AssumeRolePolicyDocument":"{}","RolePolicyList":[]}],
                "Policies":[{"PolicyVersionList":[{"Document":{}},{"Document":{}}]}],
                "ResourcePolicies":[{"Policy":{}}],
                "Organization":{"ServiceControlPolicies":[{"Policy":{}}]}}"#,
        )
        .unwrap();
        let paths: Vec<String> = policy_documents(&doc.root)
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "UserDetailList[0].UserPolicyList[0].PolicyDocument",
                "RoleDetailList[0].AssumeRolePolicyDocument",
                "Policies[0].PolicyVersionList[0].Document",
                "Policies[0].PolicyVersionList[1].Document",
                "ResourcePolicies[0].Policy",
                "Organization.ServiceControlPolicies[0].Policy",
            ]
        );
        let types: Vec<Option<PolicyType>> = policy_documents(&doc.root)
            .iter()
            .map(|(p, _)| options_for(p).policy_type)
            .collect();
        use PolicyType::*;
        assert_eq!(
            types,
            [
                Some(Identity),
                Some(Trust),
                Some(Identity),
                Some(Identity),
                Some(Resource),
                Some(Scp)
            ]
        );
    }
}
