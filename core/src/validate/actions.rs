//! Checks of `Action`/`NotAction` and `Resource`: names the catalogue does not know, patterns
//! that match nothing, ARNs that none of the statement's actions can act on, and the
//! `Allow` + `NotAction` + `Resource: *` grant.

use std::collections::HashSet;

use super::{string_nodes, Finding, Severity, StatementCtx};
use crate::catalogue::arn_format::ArnFormat;
use crate::catalogue::{ActionRef, Catalogue, ResourceType};
use crate::pattern::lang::{Class, Item, Lang};
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
            suggestion,
            ..Finding::new(code, severity, ctx.at.at(n.span.start, &path), message)
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

/// Services whose catalogue entry merges two APIs under one prefix (API Gateway's v1 REST
/// and v2 HTTP/WebSocket management APIs, Elastic Load Balancing's classic and v2), where an
/// action's resource list comes from one of them only: their actions are checked against
/// every resource type of the service, so the ARN's shape decides.
const MERGED_SERVICES: &[&str] = &["apigateway", "elasticloadbalancing"];

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
            out.push(Finding::new(
                "allow-notaction-star-resource",
                Severity::Warning,
                ctx.at.at(node.span.start, &ctx.path.key("NotAction")),
                "`Allow` with `NotAction` and `Resource` `*` grants every other action \
                 of every service on every resource"
                    .into(),
            ));
        }
    }
    if resource.negated {
        return;
    }
    let Some(actions) = &ctx.actions else {
        return;
    };
    // The ARN formats the statement's actions take, each once.
    let mut formats: Vec<&ArnFormat> = Vec::new();
    let mut seen = HashSet::new();
    for a in actions {
        let merged = MERGED_SERVICES.contains(&a.service.prefix());
        let types: Vec<&ResourceType> = if merged && a.resource_types().next().is_some() {
            a.service.resource_types.iter().collect()
        } else {
            a.resource_types().map(|(t, _)| t).collect()
        };
        for t in types {
            for f in &t.arn_formats {
                if seen.insert(f.as_str()) {
                    formats.push(f);
                }
            }
        }
    }
    if formats.is_empty() {
        return;
    }
    let Some(node) = ctx.node.get("Resource") else {
        return;
    };
    for (arn, n, path) in string_nodes(node, &ctx.path.key("Resource")) {
        let Some(lang) = pattern_language(arn, ctx.has_variables) else {
            continue;
        };
        // A renamed service answers to both names in ARNs.
        let alias = renamed(arn).and_then(|a| pattern_language(&a, ctx.has_variables));
        let fits = formats.iter().any(|f| {
            f.with_children().intersects(&lang)
                || alias
                    .as_ref()
                    .is_some_and(|a| f.with_children().intersects(a))
        });
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
        out.push(Finding::new(
            "resource-mismatch",
            Severity::Error,
            ctx.at.at(n.span.start, &path),
            format!(
                "resource `{arn}` fits none of the resource types of the statement's actions \
                 (they take {list})"
            ),
        ));
    }
}

/// Services AWS renamed, whose ARNs IAM accepts under either name (*AWS CodeConnections*:
/// "the `codestar-connections` prefix ... continues to work").
const RENAMED: &[(&str, &str)] = &[("codeconnections", "codestar-connections")];

/// `arn` with its service field written as the service's other name, if it has one.
fn renamed(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(4, ':');
    let (head, partition, service, rest) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let other = RENAMED.iter().find_map(|&(a, b)| {
        if a == service {
            Some(b)
        } else if b == service {
            Some(a)
        } else {
            None
        }
    })?;
    Some(format!("{head}:{partition}:{other}:{rest}"))
}

/// The language of a `Resource` ARN pattern, when it can be checked: an ARN with its five
/// colons, `*` and `?` as wildcards, and (with `Version` `2012-10-17`) each policy variable
/// standing for any text. `None` for `*`, for text that is not an ARN, and for a pattern
/// with fewer than five colons (its last part matches the rest of the ARN).
fn pattern_language(arn: &str, has_variables: bool) -> Option<Lang> {
    if arn == "*" || !arn.starts_with("arn:") || arn.matches(':').count() < 5 {
        return None;
    }
    let mut lang = Lang::new();
    let mut rest = arn;
    let mut colons = 0;
    while let Some(c) = rest.chars().next() {
        // IAM matches the first five parts one by one: their wildcards take no `:`.
        let class = if colons < 5 {
            Class::NoneOf(vec![':'])
        } else {
            Class::Any
        };
        if has_variables && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                lang.push(Item::many(class));
                rest = rest.get(end + 1..).unwrap_or("");
                continue;
            }
        }
        match c {
            '*' => lang.push(Item::many(class)),
            '?' => lang.push(Item::once(class)),
            ':' => {
                colons += 1;
                lang.push(Item::once(Class::Char(c)));
            }
            _ => lang.push(Item::once(Class::Char(c))),
        }
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    Some(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_languages() {
        assert!(pattern_language("*", true).is_none());
        assert!(pattern_language("s3", true).is_none());
        assert!(pattern_language("arn:aws:*", true).is_none());
        let l = pattern_language("arn:aws:s3:::${aws:username}/*", true);
        assert!(l.is_some_and(|l| l.is_match("arn:aws:s3:::alice/x")));
        let lit = pattern_language("arn:aws:s3:::${aws:username}", false);
        assert!(lit.is_some_and(|l| l.is_match("arn:aws:s3:::${aws:username}")));
        assert_eq!(
            renamed("arn:aws:codeconnections:*:*:connection/*").as_deref(),
            Some("arn:aws:codestar-connections:*:*:connection/*")
        );
        assert_eq!(renamed("arn:aws:s3:::b"), None);
        // A `*` before the fifth colon stays in its part; in the last part it takes `:`.
        let region = pattern_language("arn:aws:ssm:*::parameter/x", true);
        assert!(region.is_some_and(|l| !l.is_match("arn:aws:ssm:r:a:document/p::parameter/x")));
        let last = pattern_language("arn:aws:logs:r:a:*", true);
        assert!(last.is_some_and(|l| l.is_match("arn:aws:logs:r:a:log-group:g:log-stream:s")));
    }
}
