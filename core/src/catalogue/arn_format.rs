//! ARN formats of resource types and how a concrete ARN fits them.
//!
//! # The matching rule
//!
//! A format such as `arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}` is
//! literal text and placeholders. An ARN fits when the literals appear exactly as written
//! (case-sensitive, as IAM compares ARNs) and each placeholder takes a non-empty run of
//! characters, with these limits that keep the ARN's structure:
//!
//! * a placeholder never takes a `:`, except the last one of the format when the literal
//!   before it ends in `/` (a path tail: an S3 object key, an API Gateway resource path);
//! * a placeholder followed by a literal starting with `/` takes no `/` (so `${BucketName}/…`
//!   stops at the first slash, while `log-group:${LogGroupName}:…` may hold slashes);
//! * a `*` written in a format (`…:${ClusterResourceId}/*`) takes any run, possibly empty,
//!   under the same `:` limit.
//!
//! Several types of one service can fit one ARN (`${BucketName}` can take `bucket/key`), so
//! callers keep the fitting formats with the most literal characters: see
//! [`ArnFormat::specificity`].

use std::collections::HashMap;

use super::template::{tokenize, Token};
use crate::pattern::lang::{Class, Item, Lang};

/// One ARN format, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArnFormat {
    text: String,
    tokens: Vec<Token>,
    /// The ARNs of this format as a language (see [`ArnFormat::language`]).
    lang: Lang,
    /// When another format of the service continues this one at a `:` (a log group's log
    /// streams, a function's aliases and versions): this format's ARNs followed by `:` and
    /// anything (see [`ArnFormat::with_children`]).
    children: Option<Lang>,
}

impl ArnFormat {
    /// Parses a format string from the catalogue.
    pub(crate) fn new(text: &str) -> ArnFormat {
        let tokens = tokenize(text, true);
        let lang = language(&tokens, &[]);
        ArnFormat {
            text: text.to_string(),
            tokens,
            lang,
            children: None,
        }
    }

    /// Recomputes the language of every format of one service, now that each can see the
    /// others (see [`ArnFormat::language`]).
    pub(crate) fn refine_service(formats: &mut [&mut ArnFormat]) {
        let all: Vec<Vec<Token>> = formats.iter().map(|f| f.tokens.clone()).collect();
        for f in formats.iter_mut() {
            f.lang = language(&f.tokens, &all);
            let n = f.tokens.len();
            let continued = all.iter().any(|o| {
                o.get(..n) == Some(f.tokens.as_slice())
                    && matches!(o.get(n), Some(Token::Lit(l)) if l.starts_with(':'))
            });
            f.children = continued.then(|| {
                let mut l = f.lang.clone();
                l.push_literal(":");
                l.push(Item::many(Class::Any));
                l
            });
        }
    }

    /// The ARNs IAM checks against this type: the format's own, and, when another format
    /// of the service continues it at a `:`, those of its children too. The Service
    /// Authorization Reference lists `logs:PutLogEvents` on `log-group` and
    /// `lambda:InvokeFunction` on `function`, while AWS evaluates them on the log stream's
    /// ARN (`log-group:NAME:log-stream:STREAM`) and the qualified function ARN
    /// (`function:NAME:ALIAS`), as AWS's own policies write them.
    #[cfg_attr(
        not(feature = "catalogue"),
        allow(
            dead_code,
            reason = "validate and the question check use it, with the catalogue"
        )
    )]
    pub(crate) fn with_children(&self) -> &Lang {
        self.children.as_ref().unwrap_or(&self.lang)
    }

    /// The ARNs of this format as a language, for deciding exactly whether a policy's
    /// resource pattern can name one ([`Lang::intersects`]). Literals are themselves; a
    /// placeholder is one or more characters, with these limits:
    ///
    /// * `${Region}` and `${Account}` may be empty: AWS's own resources have ARNs without
    ///   them (`arn:aws:ssm:us-east-1::document/AWS-RunShellScript`);
    /// * a placeholder takes no `:`, except the last one of the format;
    /// * it takes no `/` when the literal after it starts with `/`;
    /// * the last one takes no `/` (or `:`) when another format of the service continues
    ///   this one with a literal starting with `/` (or `:`): `${BucketName}` takes no `/`
    ///   because `${BucketName}/${ObjectName}` is the object, `function:${FunctionName}`
    ///   takes no `:` because `…:${Alias}` is the alias;
    /// * a `*` written in a format takes any run.
    #[cfg(test)]
    pub(crate) fn language(&self) -> &Lang {
        &self.lang
    }

    /// The format's tokens (literals, placeholders, `*`).
    #[cfg(feature = "catalogue")]
    pub(crate) fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The format as written in the catalogue.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// How many literal characters the format has: of two formats that fit an ARN, the one
    /// with more literal text is the more specific.
    pub(crate) fn specificity(&self) -> usize {
        self.tokens
            .iter()
            .map(|t| match t {
                Token::Lit(l) => l.chars().count(),
                _ => 0,
            })
            .sum()
    }

    /// Whether `arn` fits (module docs give the rule).
    pub(crate) fn matches(&self, arn: &str) -> bool {
        // Every literal must appear, in order and apart: most formats of a service fail
        // here (`accesspoint/`, `job/`), without running the matcher.
        let mut from = 0;
        for t in &self.tokens {
            if let Token::Lit(l) = t {
                match find_bytes(arn.as_bytes().get(from..).unwrap_or_default(), l.as_bytes()) {
                    Some(i) => from += i + l.len(),
                    None => return false,
                }
            }
        }
        let mut m = Matcher {
            tokens: &self.tokens,
            arn,
            dead: vec![false; (self.tokens.len() + 1) * (arn.len() + 1)],
        };
        m.run(0, 0, &mut Vec::new())
    }

    /// The placeholder values when `arn` fits, by placeholder name.
    pub(crate) fn captures(&self, arn: &str) -> Option<HashMap<String, String>> {
        let mut m = Matcher {
            tokens: &self.tokens,
            arn,
            dead: vec![false; (self.tokens.len() + 1) * (arn.len() + 1)],
        };
        let mut caps = Vec::new();
        if m.run(0, 0, &mut caps) {
            Some(
                caps.into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        } else {
            None
        }
    }

    /// Writes the format with its placeholders replaced from `values`; `None` when one is
    /// missing.
    pub(crate) fn render(&self, values: &HashMap<String, String>) -> Option<String> {
        let mut out = String::new();
        for t in &self.tokens {
            match t {
                Token::Lit(l) => out.push_str(l),
                Token::Var(v) => out.push_str(values.get(v)?),
                Token::Star => out.push('*'),
            }
        }
        Some(out)
    }
}

/// Where `needle` first occurs in `hay`: a plain scan, cheaper than `str::find`'s searcher
/// for the short literals of ARN formats.
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let last_start = hay.len().checked_sub(needle.len())?;
    (0..=last_start)
        .find(|&i| hay.get(i) == Some(&first) && hay.get(i + 1..i + needle.len()) == Some(rest))
}

/// The language of `tokens`, knowing the token lists of the service's other formats.
fn language(tokens: &[Token], service: &[Vec<Token>]) -> Lang {
    let mut lang = Lang::new();
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Lit(l) => lang.push_literal(l),
            Token::Star => lang.push(Item::many(Class::Any)),
            Token::Var(name) => {
                let last = i + 1 == tokens.len();
                let next_starts =
                    |c: char| matches!(tokens.get(i + 1), Some(Token::Lit(l)) if l.starts_with(c));
                let continued = |c: char| {
                    last && service.iter().any(|other| {
                        other.get(..=i) == Some(tokens)
                            && matches!(other.get(i + 1), Some(Token::Lit(l)) if l.starts_with(c))
                    })
                };
                let mut out = Vec::new();
                if !last || continued(':') {
                    out.push(':');
                }
                if next_starts('/') || continued('/') {
                    out.push('/');
                }
                let class = if out.is_empty() {
                    Class::Any
                } else {
                    Class::NoneOf(out)
                };
                if !(name.eq_ignore_ascii_case("Region") || name.eq_ignore_ascii_case("Account")) {
                    lang.push(Item::once(class.clone()));
                }
                lang.push(Item::many(class));
            }
        }
    }
    lang
}

/// Backtracking matcher with a memo of failed (token, position) pairs, so a hostile ARN costs
/// at most tokens × length² steps.
struct Matcher<'a> {
    tokens: &'a [Token],
    arn: &'a str,
    dead: Vec<bool>,
}

impl<'a> Matcher<'a> {
    fn run(&mut self, ti: usize, pos: usize, caps: &mut Vec<(&'a str, &'a str)>) -> bool {
        let cell = ti * (self.arn.len() + 1) + pos;
        if self.dead.get(cell).copied().unwrap_or(true) {
            return false;
        }
        let ok = self.step(ti, pos, caps);
        if !ok {
            if let Some(d) = self.dead.get_mut(cell) {
                *d = true;
            }
        }
        ok
    }

    fn step(&mut self, ti: usize, pos: usize, caps: &mut Vec<(&'a str, &'a str)>) -> bool {
        let tokens = self.tokens;
        let rest = &self.arn[pos..];
        let Some(token) = tokens.get(ti) else {
            return rest.is_empty();
        };
        let (name, min) = match token {
            Token::Lit(l) => {
                return rest.starts_with(l.as_str()) && self.run(ti + 1, pos + l.len(), caps)
            }
            Token::Var(v) => (Some(v.as_str()), 1),
            Token::Star => (None, 0),
        };
        let last = ti + 1 == tokens.len();
        let path_tail = last
            && matches!(ti.checked_sub(1).and_then(|p| tokens.get(p)), Some(Token::Lit(l)) if l.ends_with('/'));
        let no_slash = matches!(tokens.get(ti + 1), Some(Token::Lit(l)) if l.starts_with('/'));
        // Longest run this placeholder may take: up to the first forbidden character.
        let limit = rest
            .char_indices()
            .find(|&(_, c)| (c == ':' && !path_tail) || (c == '/' && no_slash))
            .map_or(rest.len(), |(i, _)| i);
        if last {
            // The last token must take everything that is left.
            return limit == rest.len() && rest.len() >= min && {
                if let Some(n) = name {
                    caps.push((n, rest));
                }
                true
            };
        }
        let ends = rest[..limit]
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(limit));
        // When a literal follows, only the ends where it starts are worth trying.
        let next_lit = match tokens.get(ti + 1) {
            Some(Token::Lit(l)) => Some(l.as_str()),
            _ => None,
        };
        let viable = |e: &usize| *e >= min && next_lit.is_none_or(|l| rest[*e..].starts_with(l));
        for end in ends.filter(viable) {
            let before = caps.len();
            if let Some(n) = name {
                caps.push((n, &rest[..end]));
            }
            if self.run(ti + 1, pos + end, caps) {
                return true;
            }
            caps.truncate(before);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(format: &str, arn: &str) -> bool {
        ArnFormat::new(format).matches(arn)
    }

    #[test]
    fn s3_bucket_and_object() {
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert!(fits(bucket, "arn:aws:s3:::my-bucket"));
        assert!(!fits(object, "arn:aws:s3:::my-bucket"));
        assert!(fits(object, "arn:aws:s3:::my-bucket/a/b:c.txt"));
        assert!(!fits(bucket, "arn:aws:s3:us-east-1::my-bucket"));
        let caps = ArnFormat::new(object)
            .captures("arn:aws:s3:::b/k/x")
            .unwrap_or_default();
        assert_eq!(caps.get("BucketName").map(String::as_str), Some("b"));
        assert_eq!(caps.get("ObjectName").map(String::as_str), Some("k/x"));
        assert!(ArnFormat::new(object).specificity() > ArnFormat::new(bucket).specificity());
    }

    #[test]
    fn colons_separate_lambda_qualifiers() {
        let function = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}";
        let alias =
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Alias}";
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod";
        assert!(!fits(function, arn));
        assert!(fits(alias, arn));
        assert!(fits(
            function,
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
        ));
    }

    #[test]
    fn log_group_names_keep_slashes() {
        let stream = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
        assert!(fits(
            stream,
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:log-stream:2024/01/01/x"
        ));
        let group = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(fits(
            group,
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f"
        ));
    }

    #[test]
    fn star_and_empty_fields() {
        let neptune = "arn:${Partition}:neptune-db:${Region}:${Account}:${ClusterResourceId}/*";
        assert!(fits(
            neptune,
            "arn:aws:neptune-db:us-east-1:123456789012:cluster-ABCDEFGHIJ/*"
        ));
        assert!(fits(
            neptune,
            "arn:aws:neptune-db:us-east-1:123456789012:cluster-ABCDEFGHIJ/database"
        ));
        assert!(!fits(
            neptune,
            "arn:aws:neptune-db:us-east-1:123456789012:cluster-ABCDEFGHIJ"
        ));
        let image = "arn:${Partition}:ec2:${Region}::image/${ImageId}";
        assert!(fits(
            image,
            "arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890"
        ));
        assert!(!fits(
            image,
            "arn:aws:ec2:us-east-1:123456789012:image/ami-0abcdef1234567890"
        ));
        assert!(!fits(image, "arn:aws:ec2:us-east-1::image/"));
    }

    #[test]
    fn renders_from_captures() {
        let table =
            ArnFormat::new("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}");
        let index = ArnFormat::new(
            "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}",
        );
        let caps =
            index.captures("arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/ByDate");
        assert_eq!(
            caps.and_then(|c| table.render(&c)).as_deref(),
            Some("arn:aws:dynamodb:us-east-1:123456789012:table/Orders")
        );
        assert_eq!(table.render(&HashMap::new()), None);
    }

    /// The languages of a service's formats, refined as the catalogue loads them.
    fn service(formats: &[&str]) -> Vec<ArnFormat> {
        let mut fs: Vec<ArnFormat> = formats.iter().map(|f| ArnFormat::new(f)).collect();
        ArnFormat::refine_service(&mut fs.iter_mut().collect::<Vec<_>>());
        fs
    }

    fn meets(f: &ArnFormat, pattern: &str) -> bool {
        f.language().intersects(&Lang::glob(pattern))
    }

    #[test]
    fn languages_of_formats() {
        let s3 = service(&[
            "arn:${Partition}:s3:::${BucketName}",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
        ]);
        let (bucket, object) = (&s3[0], &s3[1]);
        // `s3:ListBucket` on `arn:aws:s3:::b/*` names objects only.
        assert!(!meets(bucket, "arn:aws:s3:::b/*"));
        assert!(meets(object, "arn:aws:s3:::b/*"));
        assert!(meets(bucket, "arn:aws:s3:::b*"));
        assert!(meets(object, "arn:aws:s3:::*"));
        // A `*` in the last part covers `/` and `:` of the format's literals.
        let logs = service(&[
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
        ]);
        assert!(meets(&logs[0], "arn:aws:logs:*:*:*"));
        assert!(meets(&logs[1], "arn:aws:logs:*:*:*"));
        assert!(meets(&logs[0], "arn:aws:logs:*:*:log-group:/aws/lambda/*"));
        assert!(!meets(
            &logs[0],
            "arn:aws:logs:*:*:log-group:/aws/x:log-stream:*"
        ));
        let children = |f: &ArnFormat, p: &str| f.with_children().intersects(&Lang::glob(p));
        assert!(children(
            &logs[0],
            "arn:aws:logs:*:*:log-group:/aws/x:log-stream:*"
        ));
        assert!(children(&logs[0], "arn:aws:logs:*:*:log-group:/aws/x"));
        // AWS-owned documents have no account.
        let ssm = service(&["arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}"]);
        assert!(meets(&ssm[0], "arn:aws:ssm:*::document/AWS-*"));
        assert!(!meets(&ssm[0], "arn:aws:ssm:us-east-1::parameter/x"));
        // The last placeholder takes `:` unless another format continues at a `:`.
        let lambda = service(&[
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Alias}",
        ]);
        assert!(!meets(&lambda[0], "arn:aws:lambda:*:*:function:f:prod"));
        assert!(meets(&lambda[1], "arn:aws:lambda:*:*:function:f:prod"));
        assert!(lambda[0]
            .with_children()
            .intersects(&Lang::glob("arn:aws:lambda:*:*:function:*:SSM*")));
        // `/` children are not taken: the bucket is not its objects.
        assert_eq!(s3[0].with_children(), s3[0].language());
        let rds = service(&[
            "arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:${ClusterSnapshotName}",
        ]);
        assert!(meets(
            &rds[0],
            "arn:aws:rds:*:*:cluster-snapshot:awsbackup:*"
        ));
        assert!(!meets(&rds[0], "arn:aws:rds:us-east-1:1:cluster-snapshot:"));
    }

    #[test]
    fn hostile_input_is_cheap() {
        let f = ArnFormat::new("arn:${P}:x:${R}:${A}:${B}-${C}-${D}-${E}/z");
        let arn = format!("arn:aws:x:r:a:{}", "-".repeat(2048));
        assert!(!f.matches(&arn));
    }
}

#[cfg(test)]
mod props {
    use super::ArnFormat;
    use proptest::prelude::*;

    proptest! {
        /// Matching never panics on any text (multi-byte characters included), and a value
        /// rendered from an ARN's captures is that ARN again.
        #[test]
        fn any_text_is_safe(arn in "arn:(aws|é):[a-z3/:*é-]{0,12}:[a-z0-9:/é-]{0,40}") {
            for f in [
                "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
                "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
                "arn:${Partition}:neptune-db:${Region}:${Account}:${ClusterResourceId}/*",
                "arn:${Partition}:cloudwatch:${Region}:${Account}:service/${ServiceName}-${UniqueAttributesHex}",
            ] {
                let f = ArnFormat::new(f);
                if let Some(caps) = f.captures(&arn) {
                    if !f.as_str().contains('*') {
                        prop_assert_eq!(f.render(&caps), Some(arn.clone()));
                    }
                }
            }
        }
    }
}
