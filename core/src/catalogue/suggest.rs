//! Did-you-mean suggestions for misspelt services and actions (Levenshtein distance).

use super::Catalogue;

/// The candidate closest to `input` (compared lower-case), if within a distance of a third of
/// the input's length (at least 1, at most 4); ties go to the first candidate.
fn nearest<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_ascii_lowercase();
    let limit = (input.chars().count() / 3).clamp(1, 4);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::levenshtein(&input, &c.to_ascii_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

impl Catalogue {
    /// A service prefix close to a misspelt `prefix` (`lamda` → `lambda`); `None` when `prefix`
    /// exists (in any case) or nothing is close.
    ///
    /// ```
    /// let cat = polcheck_core::catalogue::Catalogue::get()?;
    /// assert_eq!(cat.suggest_service("lamda").as_deref(), Some("lambda"));
    /// assert_eq!(cat.suggest_service("s3"), None);
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn suggest_service(&self, prefix: &str) -> Option<String> {
        if self.service(prefix).is_some() {
            return None;
        }
        nearest(prefix, self.services.iter().map(|s| s.prefix.as_str())).map(str::to_string)
    }

    /// A `service:Action` close to a misspelt one (`s3:GetObjekt` → `s3:GetObject`,
    /// `lamda:InvokeFunction` → `lambda:InvokeFunction`); the service is corrected first. `None`
    /// when the action exists (in any case), the text has no `:` or holds a wildcard, or
    /// nothing is close.
    ///
    /// ```
    /// let cat = polcheck_core::catalogue::Catalogue::get()?;
    /// assert_eq!(cat.suggest_action("s3:GetObjekt").as_deref(), Some("s3:GetObject"));
    /// assert_eq!(cat.suggest_action("s3:getobject"), None);
    /// # Ok::<(), polcheck_core::catalogue::CatalogueError>(())
    /// ```
    pub fn suggest_action(&self, action: &str) -> Option<String> {
        let (svc, name) = action.split_once(':')?;
        if action.contains(['*', '?']) || self.action(svc, name).is_some() {
            return None;
        }
        let service = match self.service(svc) {
            Some(s) => s,
            None => self.service(&self.suggest_service(svc)?)?,
        };
        let found = match service.action(name) {
            Some(a) => a.name.as_str(),
            None => nearest(name, service.actions.iter().map(|a| a.name.as_str()))?,
        };
        Some(format!("{}:{}", service.prefix, found))
    }
}
