//! A statement in one line, for explanations: `Deny s3:PutObject on arn:aws:s3:::b/* when
//! StringNotEquals aws:PrincipalArn = arn:aws:iam::111122223333:role/Deploy`.

use std::fmt;

use super::{Effect, PrincipalKind, Statement};

/// At most this many values of one element are printed; the rest are counted.
const SHOWN: usize = 3;

fn list(f: &mut fmt::Formatter<'_>, items: &[String]) -> fmt::Result {
    let shown: Vec<&str> = items.iter().take(SHOWN).map(String::as_str).collect();
    f.write_str(&shown.join(", "))?;
    if items.len() > SHOWN {
        write!(f, " (+{} more)", items.len() - SHOWN)?;
    }
    Ok(())
}

impl fmt::Display for Statement {
    /// ```
    /// use polcheck_core::policy::Policy;
    /// let p = Policy::parse(r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny",
    ///   "NotAction": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}}"#).unwrap();
    /// assert_eq!(p.statements[0].to_string(),
    ///     "Deny every action but iam:* on * when Bool aws:MultiFactorAuthPresent = false");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.effect {
            Effect::Allow => "Allow ",
            Effect::Deny => "Deny ",
        })?;
        if self.action.negated {
            f.write_str("every action but ")?;
        }
        list(f, &self.action.patterns)?;
        if let Some(r) = &self.resource {
            f.write_str(if r.negated {
                " on everything but "
            } else {
                " on "
            })?;
            list(f, &r.patterns)?;
        }
        if let Some(p) = &self.principal {
            f.write_str(if p.negated {
                " for everyone but "
            } else {
                " for "
            })?;
            let mut names: Vec<String> = p
                .entries
                .iter()
                .map(|(k, v)| match k {
                    PrincipalKind::Aws => v.clone(),
                    PrincipalKind::Service => format!("service {v}"),
                    PrincipalKind::Federated => format!("federated {v}"),
                    PrincipalKind::CanonicalUser => format!("canonical user {v}"),
                })
                .collect();
            if p.everyone {
                names.insert(0, "*".into());
            }
            list(f, &names)?;
        }
        for (i, c) in self.conditions.iter().enumerate() {
            f.write_str(if i == 0 { " when " } else { " and " })?;
            write!(f, "{} {} = ", c.operator, c.key)?;
            list(f, &c.values)?;
        }
        Ok(())
    }
}
