//! Condition keys: their types, and which keys an action can carry.

use std::collections::HashSet;

use super::model::{ConditionKey, ConditionKeyType};
use super::Catalogue;

/// Where a condition key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyScope {
    /// An AWS global key (`aws:…`, or a cross-service key on the global keys page).
    Global,
    /// A key declared by this service (by prefix).
    Service(String),
}

/// A condition key as found: its declared name (possibly templated), type and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKeyInfo {
    /// The declared name, e.g. `aws:PrincipalTag/${TagKey}` for a lookup of
    /// `aws:principaltag/team`.
    pub name: String,
    /// The declared value type.
    pub key_type: ConditionKeyType,
    /// Global or service-specific.
    pub scope: KeyScope,
}

impl ConditionKeyInfo {
    fn new(key: &ConditionKey, declared_by: Option<&str>) -> ConditionKeyInfo {
        let global = declared_by.is_none() || key.name.to_ascii_lowercase().starts_with("aws:");
        ConditionKeyInfo {
            name: key.name.clone(),
            key_type: key.ty,
            scope: match declared_by {
                Some(p) if !global => KeyScope::Service(p.to_string()),
                _ => KeyScope::Global,
            },
        }
    }
}

/// The key in `keys` that `name` is: an exact (untemplated) declaration first, then a
/// templated one.
fn find<'k>(
    keys: impl Iterator<Item = &'k ConditionKey> + Clone,
    name: &str,
) -> Option<&'k ConditionKey> {
    keys.clone()
        .find(|k| !k.template.is_templated() && k.matches(name))
        .or_else(|| {
            keys.into_iter()
                .find(|k| k.template.is_templated() && k.matches(name))
        })
}

impl Catalogue {
    /// What IAM knows about condition key `name` (ASCII case ignored; templated keys such as
    /// `aws:ResourceTag/${TagKey}` or `s3:ExistingObjectTag/<key>` match any non-empty value
    /// for the template part). Looks in the keys of `for_action` (`(service, action)`) and its
    /// service first, then the global keys, then the service named by the key's prefix, then
    /// every service. `None` for a key no one declares.
    ///
    /// ```
    /// use polcheck_core::catalogue::{Catalogue, ConditionKeyType, KeyScope};
    /// let cat = Catalogue::get()?;
    /// let ip = cat.condition_key("aws:sourceip", None).expect("global key");
    /// assert_eq!((ip.key_type, ip.scope), (ConditionKeyType::IpAddress, KeyScope::Global));
    /// let tag = cat.condition_key("s3:ExistingObjectTag/Project", Some(("s3", "GetObject"))).expect("s3 key");
    /// assert_eq!(tag.name, "s3:ExistingObjectTag/<key>");
    /// assert_eq!(tag.scope, KeyScope::Service("s3".into()));
    /// assert!(cat.condition_key("s3:NoSuchKey", None).is_none());
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn condition_key(
        &self,
        name: &str,
        for_action: Option<(&str, &str)>,
    ) -> Option<ConditionKeyInfo> {
        if let Some((svc, act)) = for_action {
            if let Some(a) = self.action(svc, act) {
                let prefix = Some(a.service.prefix.as_str());
                if let Some(k) = find(a.condition_keys(), name) {
                    return Some(ConditionKeyInfo::new(k, prefix));
                }
                if let Some(k) = find(a.service.condition_keys.iter(), name) {
                    return Some(ConditionKeyInfo::new(k, prefix));
                }
            }
        }
        if let Some(k) = find(self.global_keys.iter(), name) {
            return Some(ConditionKeyInfo::new(k, None));
        }
        let own = name.split_once(':').and_then(|(p, _)| self.service(p));
        own.into_iter().chain(self.services.iter()).find_map(|s| {
            find(s.condition_keys.iter(), name).map(|k| ConditionKeyInfo::new(k, Some(&s.prefix)))
        })
    }

    /// Every condition key an action can carry: those listed for the action, those of the
    /// resource types it takes, and the global keys, without duplicates (by name, ignoring
    /// case), in that order. `None` for an unknown action.
    ///
    /// ```
    /// let cat = polcheck_core::catalogue::Catalogue::get()?;
    /// let keys = cat.action_condition_keys("s3", "ListBucket").expect("action exists");
    /// let names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
    /// assert!(names.contains(&"s3:prefix") && names.contains(&"aws:SourceIp"));
    /// assert!(!names.contains(&"ec2:InstanceType"));
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn action_condition_keys(
        &self,
        service: &str,
        action: &str,
    ) -> Option<Vec<ConditionKeyInfo>> {
        let a = self.action(service, action)?;
        let prefix = a.service.prefix.as_str();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut push = |k: &ConditionKey, by: Option<&str>| {
            if seen.insert(k.name.to_ascii_lowercase()) {
                out.push(ConditionKeyInfo::new(k, by));
            }
        };
        for k in a.condition_keys() {
            push(k, Some(prefix));
        }
        for (rt, _) in a.resource_types() {
            for k in rt
                .condition_keys
                .iter()
                .filter_map(|&i| a.service.condition_keys.get(i))
            {
                push(k, Some(prefix));
            }
        }
        for k in &self.global_keys {
            push(k, None);
        }
        Some(out)
    }
}
