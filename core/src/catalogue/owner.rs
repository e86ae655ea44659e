//! Whose resource-based policy governs an ARN.
//!
//! Most resources carry their own policy (an SNS topic, an SQS queue, a Glacier vault, an EFS
//! file system, a KMS key): for them the owner is the ARN itself. Some are parts of a resource
//! that holds the policy for all its parts; the catalogue cannot say which, so [`OWNER_RULES`]
//! names those pairs explicitly, and the rewrite itself is data-driven: the ARN is matched
//! against the child type's ARN format and the parent type's format is filled in with the
//! captured values (`${Partition}`, `${Region}`, `${BucketName}`…).

use std::collections::HashMap;

use super::resources::{arn_service, best_fits};
use super::Catalogue;

/// One "this part is governed by that resource's policy" rule.
pub(crate) struct OwnerRule {
    /// Service and resource type of the part.
    pub(crate) child: (&'static str, &'static str),
    /// Service and resource type of the resource holding the policy.
    pub(crate) parent: (&'static str, &'static str),
    /// Placeholder renames: (parent's name, child's name).
    pub(crate) renames: &'static [(&'static str, &'static str)],
}

/// The explicit part → policy holder rules.
///
/// Simplifications, kept on purpose to match how polcheck evaluates: Lambda actually stores a
/// separate policy per version or alias (`AddPermission --qualifier`), and DynamoDB streams
/// can carry their own policy; here both resolve to the function or table.
pub(crate) const OWNER_RULES: &[OwnerRule] = &[
    OwnerRule {
        child: ("s3", "object"),
        parent: ("s3", "bucket"),
        renames: &[],
    },
    OwnerRule {
        child: ("s3", "accesspointobject"),
        parent: ("s3", "accesspoint"),
        renames: &[],
    },
    OwnerRule {
        child: ("dynamodb", "index"),
        parent: ("dynamodb", "table"),
        renames: &[],
    },
    OwnerRule {
        child: ("dynamodb", "stream"),
        parent: ("dynamodb", "table"),
        renames: &[],
    },
    OwnerRule {
        child: ("lambda", "function alias"),
        parent: ("lambda", "function"),
        renames: &[],
    },
    OwnerRule {
        child: ("lambda", "function version"),
        parent: ("lambda", "function"),
        renames: &[],
    },
    // An API Gateway REST API's resource policy covers every execute-api ARN of the API.
    OwnerRule {
        child: ("execute-api", "execute-api-general"),
        parent: ("apigateway", "restapi"),
        renames: &[("RestApiId", "ApiId")],
    },
];

impl Catalogue {
    /// The ARN of the resource whose resource-based policy governs `arn`: an S3 object's
    /// bucket, a Lambda alias's or version's function, a DynamoDB index's or stream's table,
    /// the REST API of an `execute-api` ARN; otherwise `arn` itself. `None` when the text is
    /// not an ARN (`arn:partition:service:region:account:resource`).
    ///
    /// ```
    /// let cat = polcheck_core::catalogue::Catalogue::get()?;
    /// assert_eq!(cat.resource_policy_owner("arn:aws:s3:::photos/2024/cat.jpg").as_deref(), Some("arn:aws:s3:::photos"));
    /// let topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    /// assert_eq!(cat.resource_policy_owner(topic).as_deref(), Some(topic));
    /// assert_eq!(cat.resource_policy_owner("not-an-arn"), None);
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn resource_policy_owner(&self, arn: &str) -> Option<String> {
        let svc = arn_service(arn)?;
        let own = Some(arn.to_string());
        let Some(service) = self.service(svc) else {
            return own;
        };
        let (_, fits) = best_fits(service, arn);
        for child in fits.iter().filter_map(|&i| service.resource_types.get(i)) {
            let rule = OWNER_RULES
                .iter()
                .find(|r| r.child.0 == service.prefix && r.child.1 == child.name);
            let Some(rule) = rule else { continue };
            let Some(parent) = self
                .service(rule.parent.0)
                .and_then(|s| s.resource_type(rule.parent.1))
            else {
                continue;
            };
            for caps in child.arn_formats.iter().filter_map(|f| f.captures(arn)) {
                let caps = renamed(caps, rule.renames);
                if let Some(owner) = parent.arn_formats.iter().find_map(|f| f.render(&caps)) {
                    return Some(owner);
                }
            }
        }
        own
    }
}

fn renamed(mut caps: HashMap<String, String>, renames: &[(&str, &str)]) -> HashMap<String, String> {
    for (to, from) in renames {
        if let Some(v) = caps.get(*from).cloned() {
            caps.insert((*to).to_string(), v);
        }
    }
    caps
}

#[cfg(all(test, feature = "catalogue"))]
mod tests {
    use super::*;

    #[test]
    fn the_always_embedded_owner_data_is_the_catalogue_s(
    ) -> Result<(), crate::catalogue::CatalogueError> {
        let (full, owners) = (Catalogue::get()?, Catalogue::owners()?);
        for rule in OWNER_RULES {
            for svc in [rule.child.0, rule.parent.0] {
                let (a, b) = (full.service(svc).unwrap(), owners.service(svc).unwrap());
                let types = |s: &crate::catalogue::Service| {
                    s.resource_types
                        .iter()
                        .map(|t| (t.name.clone(), format!("{:?}", t.arn_formats)))
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    types(a),
                    types(b),
                    "{svc}: regenerate core/data/owners.json"
                );
            }
        }
        for arn in [
            "arn:aws:dynamodb:us-east-1:111122223333:table/orders/index/by-date",
            "arn:aws:s3:::photos/2024/cat.jpg",
            "arn:aws:lambda:us-east-1:111122223333:function:api:live",
            "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/prod/GET/pets",
            "arn:aws:sqs:us-east-1:111122223333:jobs",
        ] {
            assert_eq!(
                full.resource_policy_owner(arn),
                owners.resource_policy_owner(arn),
                "{arn}"
            );
        }
        Ok(())
    }

    #[test]
    fn every_rule_names_catalogue_types() -> Result<(), crate::catalogue::CatalogueError> {
        let cat = Catalogue::get()?;
        for rule in OWNER_RULES {
            for (svc, ty) in [rule.child, rule.parent] {
                assert!(
                    cat.service(svc).and_then(|s| s.resource_type(ty)).is_some(),
                    "{svc} {ty} missing from the catalogue"
                );
            }
        }
        Ok(())
    }
}
