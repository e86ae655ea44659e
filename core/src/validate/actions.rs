//! Checks of `Action`/`NotAction` and `Resource`: names the catalogue does not know, patterns
//! that match nothing, ARNs that none of the statement's actions can act on, and the
//! `Allow` + `NotAction` + `Resource: *` grant.

use std::collections::HashSet;

use super::{string_nodes, Finding, Severity, StatementCtx};
use crate::catalogue::{ActionRef, Catalogue};
use crate::policy::{Effect, Statement};

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The actions a statement names, when known exactly (see [`StatementCtx::actions`]).
pub(crate) fn known_actions<'c>(cat: &'c Catalogue, st: &Statement) -> Option<Vec<ActionRef<'c>>> {
    if st.action.negated {
        return None;
    }
    let mut out: Vec<ActionRef<'c>> = Vec::new();
    let mut seen = HashSet::new();
    for pattern in &st.action.patterns {
        if pattern
            .split_once(':')
            .is_none_or(|(s, _)| s.chars().all(|c| c == '*'))
        {
            return None; // `*` or `*:…`: every service
        }
        let expanded = cat.expand_actions(pattern);
        if expanded.is_empty() {
            return None;
        }
        for a in expanded {
            if seen.insert(a.full_name()) {
                out.push(a);
            }
        }
    }
    Some(out)
}

/// `unknown-service`, `unknown-action`, `action-matches-nothing` for each action pattern.
pub(crate) fn check_actions(ctx: &StatementCtx, out: &mut Vec<Finding>) {
    let key = if ctx.statement.action.negated {
        "NotAction"
    } else {
        "Action"
    };
    let Some(node) = ctx.node.get(key) else {
        return;
    };
    let cat = ctx.catalogue;
    for (pattern, n, path) in string_nodes(node, &ctx.path.key(key)) {
        let Some((svc, name)) = pattern.split_once(':') else {
            continue; // `*`; anything else was refused by the parser
        };
        let finding = |code, severity, message, suggestion| Finding {
            code,
            severity,
            location: ctx.at.at(n.span.start, &path),
            message,
            suggestion,
        };
        if !has_wildcard(svc) && cat.service(svc).is_none() {
            let suggestion = cat.suggest_service(svc).map(|s| format!("{s}:{name}"));
            out.push(finding(
                "unknown-service",
                Severity::Error,
                format!("unknown service `{svc}` in `{pattern}`"),
                suggestion,
            ));
        } else if !has_wildcard(pattern) && cat.action(svc, name).is_none() {
            out.push(finding(
                "unknown-action",
                Severity::Error,
                format!("unknown action `{pattern}`"),
                cat.suggest_action(pattern),
            ));
        } else if has_wildcard(pattern) && cat.expand_actions(pattern).is_empty() {
            out.push(finding(
                "action-matches-nothing",
                Severity::Error,
                format!("`{pattern}` matches no action"),
                None,
            ));
        }
    }
}

/// How a `*` of an ARN pattern is filled in when looking for a concrete ARN that fits.
const FILLINGS: &[&str] = &["", "x", "x/x", "x:x", "x/x/x", "x:x/x", "x/x:x"];
/// ARNs with more `*`s than this are not checked (the fillings multiply).
const MAX_STARS: usize = 3;

/// The concrete ARNs standing for `pattern`: itself, or each way of filling its `*`s.
fn instances(pattern: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut parts = pattern.split('*').peekable();
    while let Some(part) = parts.next() {
        for s in &mut out {
            s.push_str(part);
        }
        if parts.peek().is_some() {
            out = out
                .iter()
                .flat_map(|s| FILLINGS.iter().map(move |f| format!("{s}{f}")))
                .collect();
        }
    }
    out
}

/// `resource-mismatch` for each checkable `Resource` ARN, then `allow-notaction-star-resource`.
pub(crate) fn check_resources(ctx: &StatementCtx, out: &mut Vec<Finding>) {
    let st = ctx.statement;
    let Some(resource) = &st.resource else {
        return;
    };
    if st.effect == Effect::Allow
        && st.action.negated
        && !resource.negated
        && resource.patterns.iter().any(|p| p == "*")
    {
        if let Some(node) = ctx.node.get("NotAction") {
            out.push(Finding {
                code: "allow-notaction-star-resource",
                severity: Severity::Warning,
                location: ctx.at.at(node.span.start, &ctx.path.key("NotAction")),
                message: "`Allow` with `NotAction` and `Resource` `*` grants every other action \
                          of every service on every resource"
                    .into(),
                suggestion: None,
            });
        }
    }
    if resource.negated {
        return;
    }
    let Some(actions) = &ctx.actions else {
        return;
    };
    // Actions that take resource types, one per distinct (service, types) to keep it cheap.
    let mut typed: Vec<&ActionRef> = Vec::new();
    let mut seen = HashSet::new();
    for a in actions {
        let types: Vec<&str> = a.resource_types().map(|(t, _)| t.name()).collect();
        if !types.is_empty() && seen.insert((a.service.prefix(), types)) {
            typed.push(a);
        }
    }
    if typed.is_empty() {
        return;
    }
    let Some(node) = ctx.node.get("Resource") else {
        return;
    };
    for (arn, n, path) in string_nodes(node, &ctx.path.key("Resource")) {
        if !checkable(arn, ctx.has_variables) {
            continue;
        }
        let fits = fits_some(ctx.catalogue, &typed, arn);
        if fits {
            continue;
        }
        let mut takes: Vec<String> = Vec::new();
        for a in actions {
            for (t, _) in a.resource_types() {
                let name = format!("`{}`", t.name());
                if !takes.contains(&name) {
                    takes.push(name);
                }
            }
        }
        let more = takes.len().saturating_sub(6);
        takes.truncate(6);
        let mut list = takes.join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        out.push(Finding {
            code: "resource-mismatch",
            severity: Severity::Error,
            location: ctx.at.at(n.span.start, &path),
            message: format!(
                "resource `{arn}` fits none of the resource types of the statement's actions \
                 (they take {list})"
            ),
            suggestion: None,
        });
    }
}

/// The service field of an ARN or ARN format (`arn:${Partition}:ec2:…` → `ec2`).
fn service_field(arn: &str) -> Option<&str> {
    arn.split(':').nth(2)
}

/// Whether some concrete ARN that `pattern` stands for fits a resource type of one of
/// `typed` (actions that take resource types).
///
/// For actions of the service the ARN names, one lookup of the ARN's best-fitting types
/// ([`Catalogue::resource_type_of_arn`]) per concrete ARN serves them all: an action fits
/// when one of its types is among them. Actions of other services are asked one by one, and
/// only when one of their formats names the ARN's service.
fn fits_some(cat: &Catalogue, typed: &[&ActionRef], pattern: &str) -> bool {
    let Some(arn_service) = service_field(pattern) else {
        return true;
    };
    let mut own: HashSet<(&str, &str)> = HashSet::new();
    let mut others: Vec<&ActionRef> = Vec::new();
    for a in typed {
        if a.service.prefix().eq_ignore_ascii_case(arn_service) {
            own.extend(a.resource_types().map(|(t, _)| (t.service(), t.name())));
        } else if a.resource_types().any(|(t, _)| {
            t.arn_formats()
                .any(|f| service_field(f) == Some(arn_service))
        }) {
            others.push(a);
        }
    }
    instances(pattern).iter().any(|concrete| {
        (!own.is_empty()
            && cat
                .resource_type_of_arn(concrete)
                .iter()
                .any(|t| own.contains(&(t.service(), t.name()))))
            || others.iter().any(|a| {
                !cat.resource_types_for_arn(a.service.prefix(), a.action.name(), concrete)
                    .is_empty()
            })
    })
}

/// Whether an ARN pattern can be checked soundly: an ARN (six `:` fields) with literal
/// `arn`, partition and service, no `?`, no policy variable, few `*`.
fn checkable(arn: &str, has_variables: bool) -> bool {
    if arn == "*" || arn.contains('?') || (has_variables && arn.contains("${")) {
        return false;
    }
    if arn.matches('*').count() > MAX_STARS {
        return false;
    }
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    fields.len() == 6
        && fields.iter().take(3).all(|f| !f.contains('*'))
        && fields.first() == Some(&"arn")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_fill_each_star() {
        assert_eq!(instances("a"), ["a"]);
        let i = instances("arn:aws:s3:::*");
        assert!(i.contains(&"arn:aws:s3:::x/x".to_string()));
        assert_eq!(instances("*a*").len(), FILLINGS.len() * FILLINGS.len());
    }

    #[test]
    fn checkable_arns() {
        assert!(checkable("arn:aws:s3:::b/*", true));
        assert!(!checkable("*", true));
        assert!(!checkable("arn:aws:*:::b", true));
        assert!(!checkable("arn:aws:s3:::${aws:username}", true));
        assert!(!checkable("not-an-arn", true));
    }
}
