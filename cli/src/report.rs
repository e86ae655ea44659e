//! Errors printed like rustc's: the message, then the file, line and column, the source
//! line and a caret under the span.
//!
//! ```text
//! error: policy.json:3:5: Statement[0].Resorce: unknown key `Resorce` (expected one of ...)
//!   --> policy.json:3:5
//!    |
//!  3 |     "Resorce": "*",
//!    |     ^^^^^^^^^
//! ```
//!
//! The first line is the message as before (scripts that read `file:line:col:` keep working);
//! the snippet follows when the message starts with `FILE:LINE:COL` and FILE is a file that can
//! be read again (not standard input). The caret covers the JSON token at the column: a
//! string with its quotes, a number or word, or one character.

use std::fmt::Write as _;

/// Prints `error: MESSAGE` and, when it locates itself in a readable file, the snippet.
pub fn error(message: &str) {
    eprint!("{}", render("error", message));
}

/// The text [`error`] prints (with a `kind` such as `error` or `warning`).
pub fn render(kind: &str, message: &str) -> String {
    let mut out = format!("{kind}: {message}\n");
    if let Some((file, line, col)) = locate(message) {
        if let Some(snippet) = snippet(&file, line, col) {
            out.push_str(&snippet);
        }
    }
    out
}

/// The `FILE:LINE:COL` a message starts with, FILE being an existing file.
fn locate(message: &str) -> Option<(String, usize, usize)> {
    // The file name may itself hold `:`; try each split from the left.
    for (i, _) in message.match_indices(':') {
        let (file, rest) = message.split_at(i);
        let mut parts = rest.get(1..)?.splitn(3, ':');
        let (Some(l), Some(c)) = (parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(line), Ok(col)) = (l.parse::<usize>(), c.trim_end().parse::<usize>()) else {
            continue;
        };
        if file != "-" && std::path::Path::new(file).is_file() {
            return Some((file.to_string(), line, col));
        }
    }
    None
}

/// The rustc-style lines under the message, or `None` when the position is not in the file.
fn snippet(file: &str, line: usize, col: usize) -> Option<String> {
    let text = crate::input::read_text(file).ok()?;
    let src = text.lines().nth(line.checked_sub(1)?)?;
    let chars: Vec<char> = src.chars().collect();
    let start = col.checked_sub(1)?;
    if start > chars.len() {
        return None;
    }
    let width = token_width(chars.get(start..).unwrap_or_default());
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let mut out = String::new();
    let _ = writeln!(out, "{pad}--> {file}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {src}");
    // Tabs keep their width under the caret.
    let lead: String = chars
        .get(..start)
        .unwrap_or_default()
        .iter()
        .map(|&c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, "{pad} | {lead}{}", "^".repeat(width.max(1)));
    Some(out)
}

/// How many characters the JSON token at the start of `rest` spans.
fn token_width(rest: &[char]) -> usize {
    match rest.first() {
        None => 1,
        Some('"') => {
            let mut escaped = false;
            for (i, &c) in rest.iter().enumerate().skip(1) {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => return i + 1,
                    _ => escaped = false,
                }
            }
            rest.len()
        }
        Some(c) if c.is_alphanumeric() || *c == '-' || *c == '.' => rest
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '+'))
            .count(),
        Some(_) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_located_message_gets_the_line_and_a_caret_under_the_token() {
        let dir = std::env::temp_dir().join(format!("polcheck-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("p.json");
        std::fs::write(&f, "{\n  \"Statement\": [\n    {\"Resorce\": \"*\"}]}\n").unwrap();
        let f = f.display().to_string();
        let text = render(
            "error",
            &format!("{f}:3:6: Statement[0].Resorce: unknown key"),
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], format!(" --> {f}:3:6"));
        assert_eq!(lines[3], "3 |     {\"Resorce\": \"*\"}]}");
        assert_eq!(lines[4], "  |      ^^^^^^^^^");
    }

    #[test]
    fn no_snippet_without_a_readable_file_or_position() {
        assert_eq!(render("error", "--action: bad"), "error: --action: bad\n");
        assert_eq!(
            render("error", "/nonexistent/p.json:3:5: x"),
            "error: /nonexistent/p.json:3:5: x\n"
        );
    }
}
