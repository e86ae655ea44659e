//! A single-pass reader for the common policy: a JSON object with the keys IAM knows, no
//! escape in any string, every value of the type and form IAM takes. It reads the text once,
//! straight into a [`Policy`], without the JSON tree and its allocations, and gives exactly
//! the policy [`super::parse::parse_text`] would. Anything else, every error included, it
//! declines (`None`), and the general reader then reads or reports it: so this reader never
//! needs an error message, and the located errors stay in one place.

use super::parse::{limits, valid_service_prefix, value_is_readable};
use super::{
    ActionClause, Condition, Effect, Policy, PrincipalClause, PrincipalKind, ResourceClause,
    Statement, Version,
};
use crate::condition::ConditionOperator;
use crate::json::fast::Reader as Cursor;
use crate::json::{JsonKind, LineIndex};

/// The policy in `text`, when it is of the common form.
pub(super) fn parse(text: &str) -> Option<Policy> {
    if text.len() > limits::MAX_DOCUMENT_BYTES {
        return None;
    }
    let mut c = Cursor::new(text);
    c.ws();
    if c.peek()? != b'{' {
        return None;
    }
    let lines = LineIndex::new(text);
    let mut r = Reader { c, lines: &lines };
    let policy = r.policy()?;
    r.c.ws();
    r.c.at_end().then_some(policy)
}

struct Reader<'a, 'l> {
    c: Cursor<'a>,
    lines: &'l LineIndex,
}

impl<'a> Reader<'a, '_> {
    /// An object's members in order, `f` reading each value; `None` ends the read.
    fn members(&mut self, mut f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        if !self.c.eat(b'{') {
            return None;
        }
        if self.c.eat(b'}') {
            return Some(());
        }
        loop {
            self.c.ws();
            let key = self.c.plain_string()?;
            if !self.c.eat(b':') {
                return None;
            }
            self.c.ws();
            f(self, key)?;
            if self.c.eat(b',') {
                continue;
            }
            return self.c.eat(b'}').then_some(());
        }
    }

    /// An array's elements in order, `f` reading each; the number read.
    fn elements(&mut self, mut f: impl FnMut(&mut Self) -> Option<()>) -> Option<usize> {
        if !self.c.eat(b'[') {
            return None;
        }
        if self.c.eat(b']') {
            return Some(0);
        }
        let mut n = 0;
        loop {
            self.c.ws();
            f(self)?;
            n += 1;
            if self.c.eat(b',') {
                continue;
            }
            return self.c.eat(b']').then_some(n);
        }
    }

    fn string(&mut self) -> Option<&'a str> {
        self.c.ws();
        self.c.plain_string()
    }

    fn policy(&mut self) -> Option<Policy> {
        let mut version = None;
        let mut id = None;
        let mut statements = None;
        self.members(|r, key| {
            match key {
                "Version" if version.is_none() => {
                    // Statements read before the version would have been read with another.
                    if statements.is_some() {
                        return None;
                    }
                    version = Some(match r.string()? {
                        "2012-10-17" => Version::V2012_10_17,
                        "2008-10-17" => Version::V2008_10_17,
                        _ => return None,
                    });
                }
                "Id" if id.is_none() => id = Some(r.string()?.to_string()),
                "Statement" if statements.is_none() => {
                    let v = version.unwrap_or(Version::Unspecified);
                    statements = Some(r.statements(v)?);
                }
                _ => return None,
            }
            Some(())
        })?;
        Some(Policy {
            id,
            version: version.unwrap_or(Version::Unspecified),
            statements: statements?,
            source: None,
        })
    }

    fn statements(&mut self, version: Version) -> Option<Vec<Statement>> {
        self.c.ws();
        if self.c.peek()? == b'{' {
            return Some(vec![self.statement(version)?]);
        }
        let mut out = Vec::new();
        self.elements(|r| {
            if out.len() >= limits::MAX_STATEMENTS {
                return None;
            }
            out.push(r.statement(version)?);
            Some(())
        })?;
        out.shrink_to_fit();
        Some(out)
    }

    fn statement(&mut self, version: Version) -> Option<Statement> {
        self.c.ws();
        let start = self.c.pos;
        let mut sid = None;
        let mut effect = None;
        let mut action: Option<ActionClause> = None;
        let mut resource: Option<ResourceClause> = None;
        let mut principal: Option<PrincipalClause> = None;
        let mut conditions: Option<Vec<Condition>> = None;
        self.members(|r, key| {
            match key {
                "Sid" if sid.is_none() => sid = Some(r.string()?.to_string()),
                "Effect" if effect.is_none() => {
                    effect = Some(match r.string()? {
                        "Allow" => Effect::Allow,
                        "Deny" => Effect::Deny,
                        _ => return None,
                    })
                }
                "Action" | "NotAction" if action.is_none() => {
                    let patterns = r.strings()?;
                    let valid = |a: &String| {
                        a == "*"
                            || a.split_once(':')
                                .is_some_and(|(s, _)| valid_service_prefix(s))
                    };
                    if !patterns.iter().all(valid) {
                        return None;
                    }
                    action = Some(ActionClause {
                        negated: key == "NotAction",
                        patterns,
                    });
                }
                "Resource" | "NotResource" if resource.is_none() => {
                    resource = Some(ResourceClause {
                        negated: key == "NotResource",
                        patterns: r.strings()?,
                    })
                }
                "Principal" | "NotPrincipal" if principal.is_none() => {
                    principal = Some(r.principal(key == "NotPrincipal")?)
                }
                "Condition" if conditions.is_none() => conditions = Some(r.conditions(version)?),
                _ => return None,
            }
            Some(())
        })?;
        Some(Statement {
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            conditions: conditions.unwrap_or_default(),
            start: self.lines.position(start),
            end: self.lines.position(self.c.pos),
        })
    }

    /// A string or a non-empty array of strings, each within the wildcard limit.
    fn strings(&mut self) -> Option<Vec<String>> {
        self.c.ws();
        let mut out = Vec::new();
        if self.c.peek()? == b'"' {
            // One value, the common case: exactly one slot.
            let one = self.string()?;
            return within_wildcards(one).then(|| vec![one.to_string()]);
        } else {
            self.elements(|r| {
                if out.len() >= limits::MAX_VALUES {
                    return None;
                }
                out.push(r.string()?.to_string());
                Some(())
            })?;
            if out.is_empty() {
                return None;
            }
        }
        out.iter().all(|v| within_wildcards(v)).then_some(out)
    }

    fn principal(&mut self, negated: bool) -> Option<PrincipalClause> {
        self.c.ws();
        let mut clause = PrincipalClause {
            negated,
            everyone: false,
            entries: Vec::new(),
        };
        if self.c.peek()? == b'"' {
            clause.everyone = self.string()? == "*";
            return clause.everyone.then_some(clause);
        }
        let mut seen: Vec<PrincipalKind> = Vec::new();
        self.members(|r, key| {
            let kind = match key {
                "AWS" => PrincipalKind::Aws,
                "Service" => PrincipalKind::Service,
                "Federated" => PrincipalKind::Federated,
                "CanonicalUser" => PrincipalKind::CanonicalUser,
                _ => return None,
            };
            if seen.contains(&kind) {
                return None;
            }
            seen.push(kind);
            for v in r.strings()? {
                if kind == PrincipalKind::Aws && v == "*" {
                    clause.everyone = true;
                } else {
                    clause.entries.push((kind, v));
                }
            }
            Some(())
        })?;
        Some(clause)
    }

    fn conditions(&mut self, version: Version) -> Option<Vec<Condition>> {
        self.c.ws();
        let mut out = Vec::new();
        let mut operators: Vec<&str> = Vec::new();
        self.members(|r, op_key| {
            if operators.contains(&op_key) || operators.len() >= 16 {
                return None;
            }
            operators.push(op_key);
            let operator: ConditionOperator = op_key.parse().ok()?;
            let mut keys: Vec<&str> = Vec::new();
            r.c.ws();
            r.members(|r, key| {
                if keys.contains(&key) || keys.len() >= 16 {
                    return None;
                }
                keys.push(key);
                let values = r.condition_values()?;
                let readable = values
                    .iter()
                    .all(|v| within_wildcards(v) && value_is_readable(operator, v, version));
                if !readable {
                    return None;
                }
                out.push(Condition {
                    operator,
                    key: key.to_string(),
                    values,
                });
                Some(())
            })
        })?;
        Some(out)
    }

    /// A scalar or an array of scalars, as text (numbers as written).
    fn condition_values(&mut self) -> Option<Vec<String>> {
        self.c.ws();
        let mut out = Vec::new();
        if self.c.peek()? == b'[' {
            self.elements(|r| {
                if out.len() >= limits::MAX_VALUES {
                    return None;
                }
                out.push(r.scalar()?);
                Some(())
            })?;
        } else {
            out.push(self.scalar()?);
        }
        Some(out)
    }

    fn scalar(&mut self) -> Option<String> {
        self.c.ws();
        let start = self.c.pos;
        match self.c.peek()? {
            b'"' => Some(self.c.plain_string()?.to_string()),
            b't' => {
                self.c.word(b"true", JsonKind::Null)?;
                Some("true".to_string())
            }
            b'f' => {
                self.c.word(b"false", JsonKind::Null)?;
                Some("false".to_string())
            }
            b'-' | b'0'..=b'9' => {
                self.c.number()?;
                Some(self.c.slice(start)?.to_string())
            }
            _ => None,
        }
    }
}

fn within_wildcards(v: &str) -> bool {
    v.bytes().filter(|b| matches!(b, b'*' | b'?')).count() <= limits::MAX_WILDCARDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{self, JsonPath};

    fn general(text: &str) -> Option<Policy> {
        let doc = json::parse(text).ok()?;
        super::super::parse::from_json(&doc.root, doc.line_index(), &JsonPath::root()).ok()
    }

    /// Every policy the fast reader accepts is the one the general reader gives: sample
    /// policies, then thousands of one- and two-byte mutations of them (seeded).
    #[test]
    fn the_fast_reader_gives_the_general_readers_policy() {
        let samples = [
            r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"1","Effect":"Allow","Action":["s3:Get*","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},
              {"Effect":"Deny","NotAction":"iam:*","NotResource":["arn:aws:iam::1:role/r"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":false},"NumericLessThan":{"s3:max-keys":[10, 2.5e1]}}}]}"#,
            r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["*","arn:aws:iam::1:root"],"Service":"s3.amazonaws.com"},"Action":"*","Resource":"*",
              "Condition":{"StringLike":{"aws:userid":"AID*:${aws:username}"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]},"Null":{"k":"true"}}}}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":"*","Action":"sts:AssumeRole","Condition":{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},"ForAnyValue:StringEquals":{"aws:TagKeys":[]}}}]}"#,
        ];
        for s in samples {
            let fast = parse(s);
            assert!(fast.is_some(), "{s}");
            assert_eq!(fast, general(s), "{s}");
        }
        // A version after the statements would have to be read first: declined.
        assert_eq!(
            parse(r#"{"Statement":{"Effect":"Allow","Action":"*"},"Version":"2012-10-17"}"#),
            None
        );
        let alphabet = b"{}[]:,\" \n*?$AaSsEe0123456789-.tfnl";
        let mut mutate = crate::json::Mutations::new(0x5eed_2026, alphabet);
        let (mut accepted, mut declined) = (0, 0);
        for round in 0..30_000 {
            let Some(text) = mutate.next_of(samples[round % samples.len()]) else {
                continue;
            };
            match parse(&text) {
                Some(p) => {
                    accepted += 1;
                    assert_eq!(Some(p), general(&text), "{text}");
                }
                None => declined += 1,
            }
        }
        assert!(
            accepted > 1_000 && declined > 1_000,
            "{accepted} / {declined}"
        );
    }
}
