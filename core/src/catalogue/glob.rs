//! Case-insensitive `*` and `?` globs, as IAM uses them in `Action` and `NotAction`.

/// Whether `text` fits `pattern`, ignoring ASCII case: `*` takes any run (possibly empty),
/// `?` takes exactly one character, everything else is literal.
///
/// Linear-time two-pointer matcher: on a mismatch it resumes after the most recent `*`,
/// which is enough because a later `*` can absorb anything an earlier one could.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None; // (pattern index after `*`, text index)
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("Get*", "getobject"));
        assert!(glob_match("?escribe*", "DescribeInstances"));
        assert!(!glob_match("?escribe*", "escribe"));
        assert!(glob_match("*", ""));
        assert!(glob_match("*Object*", "PutObjectAcl"));
        assert!(!glob_match("Get*Acl", "GetObjectAclx"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("abc", "ab"));
        assert!(!glob_match("ab", "abc"));
        assert!(glob_match("**", "x"));
    }
}
