//! Templated names: `aws:PrincipalTag/${TagKey}`, `s3:ExistingObjectTag/<key>`,
//! `arn:${Partition}:s3:::${BucketName}`.
//!
//! A template is literal text with placeholders written `${Name}`, `{Name}` or `<name>`.

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Text that must appear as written.
    Lit(String),
    /// A named placeholder.
    Var(String),
    /// A literal `*` in an ARN format: any run, possibly empty.
    Star,
}

/// Splits `text` into literals and placeholders. With `star`, a `*` becomes [`Token::Star`].
/// An opening `${`, `{` or `<` without its closing brace stays literal text.
pub(crate) fn tokenize(text: &str, star: bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let (open_len, close) = match c {
            '$' if rest.starts_with("${") => (2, '}'),
            '{' => (1, '}'),
            '<' => (1, '>'),
            _ => (0, ' '),
        };
        if open_len > 0 {
            if let Some(end) = rest[open_len..].find(close) {
                let name = &rest[open_len..open_len + end];
                if !name.is_empty() {
                    if !lit.is_empty() {
                        out.push(Token::Lit(std::mem::take(&mut lit)));
                    }
                    out.push(Token::Var(name.to_string()));
                    rest = &rest[open_len + end + 1..];
                    continue;
                }
            }
        }
        if star && c == '*' {
            if !lit.is_empty() {
                out.push(Token::Lit(std::mem::take(&mut lit)));
            }
            out.push(Token::Star);
        } else {
            lit.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    if !lit.is_empty() {
        out.push(Token::Lit(lit));
    }
    out
}

/// A condition key name as a case-insensitive template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyTemplate {
    /// Lower-cased tokens; `Var` names are kept but unused when matching.
    tokens: Vec<Token>,
}

impl KeyTemplate {
    /// Builds the template of a declared key name.
    /// Besides the braces, a name ending in `/tag-key` is a template: the catalogue writes
    /// `secretsmanager:ResourceTag/tag-key` and `ssm:resourceTag/tag-key` for the tag keys
    /// that other services write `${TagKey}`.
    pub(crate) fn new(name: &str) -> KeyTemplate {
        let mut tokens: Vec<Token> = tokenize(name, false)
            .into_iter()
            .map(|t| match t {
                Token::Lit(s) => Token::Lit(s.to_ascii_lowercase()),
                other => other,
            })
            .collect();
        if let Some(Token::Lit(last)) = tokens.last_mut() {
            if let Some(head) = last.strip_suffix("/tag-key") {
                *last = format!("{head}/");
                tokens.push(Token::Var("tag-key".into()));
            }
        }
        KeyTemplate { tokens }
    }

    /// Whether the key has placeholders.
    pub(crate) fn is_templated(&self) -> bool {
        self.tokens.iter().any(|t| !matches!(t, Token::Lit(_)))
    }

    /// Whether `name` fits: literals compare ignoring ASCII case, a placeholder takes one or
    /// more characters (any characters: tag keys may hold `/` and `:`).
    pub(crate) fn matches(&self, name: &str) -> bool {
        match_from(&self.tokens, name)
    }
}

/// Backtracking match, literals (stored lowercased) compared ignoring ASCII case, so nothing
/// is allocated; the templates hold at most a couple of placeholders, so the search is
/// short (each placeholder tries each split point once per position of the one before).
fn match_from(tokens: &[Token], s: &str) -> bool {
    match tokens.split_first() {
        None => s.is_empty(),
        Some((Token::Lit(l), rest)) => {
            s.get(..l.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(l))
                && s.get(l.len()..).is_some_and(|t| match_from(rest, t))
        }
        Some((_, rest)) => {
            if rest.is_empty() {
                return !s.is_empty();
            }
            s.char_indices()
                .skip(1)
                .map(|(i, _)| i)
                .any(|i| match_from(rest, &s[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_all_placeholder_spellings() {
        let t = tokenize("a/${B}-{C}<d>*", true);
        assert_eq!(
            t,
            vec![
                Token::Lit("a/".into()),
                Token::Var("B".into()),
                Token::Lit("-".into()),
                Token::Var("C".into()),
                Token::Var("d".into()),
                Token::Star
            ]
        );
        assert_eq!(
            tokenize("x${unclosed", false),
            vec![Token::Lit("x${unclosed".into())]
        );
    }

    #[test]
    fn key_templates_match_ignoring_case() {
        let k = KeyTemplate::new("aws:PrincipalTag/${TagKey}");
        assert!(k.is_templated());
        assert!(k.matches("AWS:principaltag/CostCenter"));
        assert!(k.matches("aws:PrincipalTag/team/sub:x"));
        assert!(!k.matches("aws:PrincipalTag/"));
        assert!(!k.matches("aws:PrincipalTags/x"));
        let s = KeyTemplate::new("s3:ExistingObjectTag/<key>");
        assert!(s.matches("s3:existingobjecttag/Classification"));
        let mid = KeyTemplate::new("codebuild:secondarySources/${id}.location");
        assert!(mid.matches("codebuild:secondarySources/src1.location"));
        assert!(!mid.matches("codebuild:secondarySources/src1.type"));
        assert!(!KeyTemplate::new("aws:SourceIp").is_templated());
        let sm = KeyTemplate::new("secretsmanager:ResourceTag/tag-key");
        assert!(sm.is_templated());
        assert!(sm.matches("secretsmanager:ResourceTag/aws:secretsmanager:owningService"));
        assert!(KeyTemplate::new("ssm:resourceTag/tag-key").matches("ssm:ResourceTag/Team"));
        assert!(!sm.matches("secretsmanager:ResourceTag/"));
    }
}
