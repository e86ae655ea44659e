//! Which resource type an ARN is.
//!
//! Formats are matched by the rule in the `arn_format` module docs. When several types of a
//! service fit, only those whose fitting format has the most literal text are kept: the
//! object format `${BucketName}/${ObjectName}` beats the bucket format `${BucketName}` for
//! `arn:aws:s3:::b/k`, and `table/${TableName}/index/${IndexName}` beats `table/${TableName}`.

use super::model::{ResourceType, Service};
use super::Catalogue;

/// The service field of an ARN (`arn:aws:s3:::b` → `s3`), if the text looks like an ARN.
pub(crate) fn arn_service(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (head, _partition, service) = (parts.next()?, parts.next()?, parts.next()?);
    (head == "arn" && parts.count() == 3 && !service.is_empty()).then_some(service)
}

/// Indices of `service`'s resource types that fit `arn` best, with their specificity.
pub(crate) fn best_fits(service: &Service, arn: &str) -> (usize, Vec<usize>) {
    let mut best = 0;
    let mut out = Vec::new();
    for (i, rt) in service.resource_types.iter().enumerate() {
        let Some(score) = rt
            .arn_formats
            .iter()
            .filter(|f| f.matches(arn))
            .map(|f| f.specificity())
            .max()
        else {
            continue;
        };
        if score > best {
            best = score;
            out.clear();
        }
        if score == best {
            out.push(i);
        }
    }
    (best, out)
}

impl Catalogue {
    /// The ARN a resource that is not one most likely meant, for `action`: its text after
    /// any `arn:`, partition and service fields, under the prefix of an ARN format of a type
    /// the action takes that needs no region or account (`demo-artifacts/v1.zip` and
    /// `arn:aws:s3::demo-artifacts/v1.zip` for `s3:GetObject`:
    /// `arn:aws:s3:::demo-artifacts/v1.zip`), when the result is of that type.
    #[cfg(feature = "catalogue")]
    pub(crate) fn arn_suggestion(&self, action: &str, resource: &str) -> Option<String> {
        let cat = self;
        let (service, name) = action.split_once(':')?;
        let action = cat.action(service, name)?;
        // The resource part: what is left after the fields a mistyped ARN starts with.
        let tail = match resource.strip_prefix("arn:") {
            Some(rest) => {
                let mut rest = rest;
                while let Some((field, after)) = rest.split_once(':') {
                    if field.is_empty() || field.starts_with("aws") || field == service {
                        rest = after;
                    } else {
                        break;
                    }
                }
                rest
            }
            None => resource,
        };
        if tail.is_empty() || tail.contains(':') {
            return None;
        }
        action.resource_types().find_map(|(t, _)| {
            t.arn_formats().find_map(|format| {
                // `arn:${Partition}:s3:::` is what comes before the resource part.
                let prefix = format.get(..=nth_colon(format, 5)?)?;
                let prefix = prefix.replace("${Partition}", "aws");
                if prefix.contains('$') {
                    return None;
                }
                let candidate = format!("{prefix}{tail}");
                cat.resource_types_for_arn(service, name, &candidate)
                    .iter()
                    .any(|fit| fit.name() == t.name())
                    .then_some(candidate)
            })
        })
    }

    /// The resource types an ARN is, judged by their ARN formats: first among the types of
    /// the service the ARN names (`arn:aws:lambda:…` → `lambda`), and when none of those fits,
    /// among every service's types (most-specific fit wins; ties are all returned). Empty when
    /// nothing fits or the text is not an ARN.
    ///
    /// ```
    /// let cat = polcheck_core::catalogue::Catalogue::get()?;
    /// let types = cat.resource_type_of_arn("arn:aws:s3:::my-bucket/photos/cat.jpg");
    /// assert_eq!(types.iter().map(|t| t.name()).collect::<Vec<_>>(), ["object"]);
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn resource_type_of_arn(&self, arn: &str) -> Vec<&ResourceType> {
        let Some(svc) = arn_service(arn) else {
            return Vec::new();
        };
        if let Some(service) = self.service(svc) {
            let (_, fits) = best_fits(service, arn);
            if !fits.is_empty() {
                return fits
                    .into_iter()
                    .filter_map(|i| service.resource_types.get(i))
                    .collect();
            }
        }
        let mut best = 0;
        let mut out: Vec<&ResourceType> = Vec::new();
        for service in &self.services {
            let (score, fits) = best_fits(service, arn);
            if fits.is_empty() || score < best {
                continue;
            }
            if score > best {
                best = score;
                out.clear();
            }
            out.extend(
                fits.into_iter()
                    .filter_map(|i| service.resource_types.get(i)),
            );
        }
        out
    }

    /// Which of an action's resource types `arn` is: the action's types among the best fits
    /// over all of the action's service's types, so an object ARN is not taken for a bucket
    /// by `s3:ListBucket`. Empty when the action is unknown or takes no type the ARN is.
    ///
    /// ```
    /// let cat = polcheck_core::catalogue::Catalogue::get()?;
    /// let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/ByDate";
    /// let types = cat.resource_types_for_arn("dynamodb", "Query", arn);
    /// assert_eq!(types.iter().map(|t| t.name()).collect::<Vec<_>>(), ["index"]);
    /// assert!(cat.resource_types_for_arn("s3", "ListBucket", "arn:aws:s3:::b/key").is_empty());
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn resource_types_for_arn(
        &self,
        service: &str,
        action: &str,
        arn: &str,
    ) -> Vec<&ResourceType> {
        let Some(action) = self.action(service, action) else {
            return Vec::new();
        };
        let (_, fits) = best_fits(action.service, arn);
        action
            .action
            .resource_types
            .iter()
            .filter(|(i, _)| fits.contains(i))
            .filter_map(|&(i, _)| action.service.resource_types.get(i))
            .collect()
    }
}

#[cfg(all(test, feature = "catalogue"))]
mod tests {
    use super::arn_service;

    #[test]
    fn arn_service_field() {
        assert_eq!(arn_service("arn:aws:s3:::b"), Some("s3"));
        assert_eq!(
            arn_service("arn:aws:lambda:r:a:function:f:1"),
            Some("lambda")
        );
        assert_eq!(arn_service("arn:aws:s3::b"), None);
        assert_eq!(arn_service("urn:aws:s3:::b"), None);
        assert_eq!(arn_service("*"), None);
    }
}

/// Where the `n`th colon of `text` is (1-based).
#[cfg(feature = "catalogue")]
fn nth_colon(text: &str, n: usize) -> Option<usize> {
    text.match_indices(':')
        .nth(n.checked_sub(1)?)
        .map(|(i, _)| i)
}
