//! Every policy document of a world file, for `polcheck validate --world`.

use std::collections::HashMap;

use super::{Finding, Options, PolicyType, Severity};
use crate::json::{Json, JsonPath, LineIndex};
use crate::policy::Location;

/// At most this many SCPs attached to one root, OU or account (AWS Organizations User Guide,
/// *Managing policies in AWS Organizations*, the policy types table: SCP, "Maximum number you
/// can attach to a root, OU, or account": 5). `AttachPolicy` refuses a sixth.
pub const SCPS_PER_TARGET: usize = 5;

/// The findings of a world file's `Organization` as a whole (its documents are checked one
/// by one through [`policy_documents`]): `scp-attachment-limit` at each attachment beyond
/// [`SCPS_PER_TARGET`] on one target, counted in the order the file lists them.
pub fn organization_findings(root: &Json, lines: &LineIndex) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(org) = root.get("Organization") else {
        return out;
    };
    let base = JsonPath::root()
        .key("Organization")
        .key("ServiceControlPolicies");
    let mut attached: HashMap<&str, usize> = HashMap::new();
    let policies = org
        .get("ServiceControlPolicies")
        .and_then(Json::as_array)
        .unwrap_or_default();
    for (i, policy) in policies.iter().enumerate() {
        let targets = policy
            .get("Targets")
            .and_then(Json::as_array)
            .unwrap_or_default();
        for (j, target) in targets.iter().enumerate() {
            let Some(name) = target.as_str() else {
                continue;
            };
            let count = attached.entry(name).or_default();
            *count += 1;
            if *count == SCPS_PER_TARGET + 1 {
                let policy_name = policy.get("Name").and_then(Json::as_str).unwrap_or("?");
                out.push(
                    Finding::new(
                        "scp-attachment-limit",
                        Severity::Error,
                        Location {
                            path: base.index(i).key("Targets").index(j),
                            position: lines.position(target.span.start),
                            inner: None,
                        },
                        format!(
                            "`{policy_name}` is a sixth SCP attached to `{name}`: AWS \
                             Organizations attaches at most {SCPS_PER_TARGET} to a root, OU or \
                             account"
                        ),
                    )
                    .with_fix("merge SCPs attached to the same target into fewer documents"),
                );
            }
        }
    }
    out
}

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

    /// *Managing policies in AWS Organizations*: at most 5 SCPs on one root, OU or account.
    #[test]
    fn a_sixth_scp_on_one_target_is_refused() {
        let scp = |n: usize, targets: &str| {
            format!(r#"{{"Name": "p{n}", "Targets": {targets}, "Policy": {{}}}}"#)
        };
        let five: Vec<String> = (1..=5).map(|n| scp(n, r#"["ou-a", "r-root"]"#)).collect();
        let text = format!(
            r#"{{"Organization": {{"ServiceControlPolicies": [{}]}}}}"#,
            five.join(",")
        );
        let doc = crate::json::parse(&text).expect("json");
        assert!(organization_findings(&doc.root, doc.line_index()).is_empty());
        let mut six = five.clone();
        six.push(scp(6, r#"["ou-b", "ou-a"]"#));
        let text = format!(
            r#"{{"Organization": {{"ServiceControlPolicies": [{}]}}}}"#,
            six.join(",")
        );
        let doc = crate::json::parse(&text).expect("json");
        let found = organization_findings(&doc.root, doc.line_index());
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code, "scp-attachment-limit");
        assert_eq!(
            found[0].location.path.as_str(),
            "Organization.ServiceControlPolicies[5].Targets[1]"
        );
        assert!(found[0].message.contains("`ou-a`"), "{}", found[0].message);
    }

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
