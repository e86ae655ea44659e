//! `polcheck eval --requests FILE.ndjson`: one JSON request per line in, one JSON result per
//! line out, in input order, on every core, with a progress bar on a terminal.
//!
//! Each input line is a request object in the shape of a test's `request`
//! (`principal`, `action`, `resource`, `resourceAccount`, `context`). Each output line is one
//! AWS-shaped `EvaluationResults` entry with `"Line": N`, or with `--outcome-only` just
//! `{"Line":N,"EvalDecision":"...","blockedBy":[...]}`; a line that cannot be read gives
//! `{"Line": N, "Error": "..."}` and the other lines still run.
//!
//! The file is streamed: a chunk of lines is read, decided by every core, written in order,
//! then the next; memory stays the same for any file size (a line longer than
//! [`MAX_LINE_BYTES`] is an error line). The progress bar counts bytes of the file's length.
//! A worker that fails (a bug) does not lose its lines: they are run again one by one, the
//! failing one becomes an error line, and the command exits with [`ExitCode::Internal`].

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use polcheck_core::decide::{aws_result, Outcome, PolicyKind};
use polcheck_core::question::{self, QuestionOptions};
use polcheck_core::suite::RequestSpec;
use polcheck_core::Engine;
use serde_json::json;

use crate::ExitCode;

/// Lines decided between two writes.
const CHUNK: usize = 16_384;

/// The longest request line read; the rest of a longer line is skipped.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// How one line ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Allowed,
    Denied,
    Unknown,
    Unreadable,
    Failed,
}

impl Status {
    fn of(outcome: Outcome) -> Status {
        match outcome {
            Outcome::Allowed => Status::Allowed,
            Outcome::Unknown => Status::Unknown,
            _ => Status::Denied,
        }
    }
}

/// One input line: its number and text (`None` when it was too long).
struct Line {
    number: usize,
    text: Option<String>,
}

/// Runs a batch file (`-` for standard input).
pub fn run(
    path: &str,
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
) -> Result<ExitCode, String> {
    let (mut reader, length): (Box<dyn BufRead>, u64) = if path == "-" {
        (Box::new(std::io::stdin().lock()), 0)
    } else {
        let f = std::fs::File::open(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
        let length = f.metadata().map(|m| m.len()).unwrap_or(0);
        (
            Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            length,
        )
    };
    let bar = if length > 0 && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(length);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {per_sec} {eta}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut seen = [false; 5];
    let mut number = 0;
    let mut buf = Vec::new();
    loop {
        let mut chunk: Vec<Line> = Vec::with_capacity(CHUNK);
        let mut bytes = 0u64;
        while chunk.len() < CHUNK {
            buf.clear();
            let n = read_line(&mut reader, &mut buf)
                .map_err(|e| format!("{path}:{}: cannot read: {e}", number + 1))?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            number += 1;
            let text = (buf.len() <= MAX_LINE_BYTES).then(|| String::from_utf8_lossy(&buf).into());
            chunk.push(Line { number, text });
        }
        if chunk.is_empty() {
            break;
        }
        let per = chunk.len().div_ceil(threads);
        let parts: Vec<(String, Vec<Status>)> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .chunks(per)
                .map(|part| {
                    (
                        part,
                        s.spawn(move || run_part(part, engine, outcome_only, options)),
                    )
                })
                .collect();
            handles
                .into_iter()
                .map(|(part, h)| {
                    h.join()
                        .unwrap_or_else(|_| rerun_part(part, engine, outcome_only, options))
                })
                .collect()
        });
        for (text, statuses) in parts {
            for st in statuses {
                seen[st as usize] = true;
            }
            out.write_all(text.as_bytes())
                .map_err(|e| format!("cannot write: {}", crate::output::closed_pipe_ends(e)))?;
        }
        bar.inc(bytes);
    }
    bar.finish_and_clear();
    out.flush()
        .map_err(|e| format!("cannot write: {}", crate::output::closed_pipe_ends(e)))?;
    Ok(if seen[Status::Failed as usize] {
        eprintln!("error: evaluating some lines failed (a bug in polcheck): see their `Error`");
        ExitCode::Internal
    } else if seen[Status::Unreadable as usize] {
        ExitCode::InputError
    } else if seen[Status::Denied as usize] {
        ExitCode::Negative
    } else if seen[Status::Unknown as usize] {
        ExitCode::Unknown
    } else {
        ExitCode::Success
    })
}

/// Reads one line (without its `\n`, or `\r\n`) into `buf`, keeping at most
/// [`MAX_LINE_BYTES`] + 1 bytes of it; returns the bytes consumed (0 at the end).
fn read_line(r: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut consumed = 0;
    loop {
        let (done, used) = {
            let avail = r.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let (take, done) = match memchr_newline(avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let room = (MAX_LINE_BYTES + 1).saturating_sub(buf.len());
            let keep = avail.get(..take).unwrap_or_default();
            buf.extend_from_slice(keep.get(..take.min(room)).unwrap_or_default());
            (done, take)
        };
        r.consume(used);
        consumed += used;
        if done {
            break;
        }
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(consumed)
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Decides the lines of one worker into one block of output.
fn run_part(
    part: &[Line],
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
) -> (String, Vec<Status>) {
    let mut text = String::with_capacity(part.len() * 64);
    let statuses = part
        .iter()
        .filter_map(|l| one(l, engine, outcome_only, options, &mut text))
        .collect();
    (text, statuses)
}

/// A worker failed: its lines again, one by one, so that only the failing line is lost to
/// an error line.
fn rerun_part(
    part: &[Line],
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
) -> (String, Vec<Status>) {
    let mut text = String::new();
    let mut statuses = Vec::new();
    for l in part {
        let mut own = String::new();
        match catch_unwind(AssertUnwindSafe(|| {
            one(l, engine, outcome_only, options, &mut own)
        })) {
            Ok(st) => {
                text.push_str(&own);
                statuses.extend(st);
            }
            Err(_) => {
                let e = json!({ "Line": l.number, "Error": "internal error: polcheck failed on this line (please report it)" });
                let _ = writeln!(text, "{e}");
                statuses.push(Status::Failed);
            }
        }
    }
    (text, statuses)
}

/// Decides one line and appends its output line; `None` for a blank line.
fn one(
    line: &Line,
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
    out: &mut String,
) -> Option<Status> {
    let Some(text) = &line.text else {
        let e = json!({ "Line": line.number, "Error": format!("line longer than {MAX_LINE_BYTES} bytes") });
        let _ = writeln!(out, "{e}");
        return Some(Status::Unreadable);
    };
    if text.trim().is_empty() {
        return None;
    }
    #[cfg(debug_assertions)]
    fail_point(line.number);
    let req = RequestSpec::parse(text)
        .map_err(|e| e.to_string())
        .and_then(|spec| spec.to_request().map_err(|e| e.to_string()))
        .and_then(|req| {
            question::check(&req, engine.world(), options)
                .map(|()| req)
                .map_err(|e| e.to_string())
        });
    let mut req = match req {
        Ok(req) => req,
        Err(e) => {
            let _ = writeln!(out, "{}", json!({ "Line": line.number, "Error": e }));
            return Some(Status::Unreadable);
        }
    };
    engine.prepare(&mut req);
    let outcome = if outcome_only {
        let (outcome, blocked_by) = engine.check_prepared(&req);
        write_outcome(out, line.number, outcome, &blocked_by);
        outcome
    } else {
        let d = engine.authorize_prepared(&req);
        let mut v = aws_result(req.action(), req.resource(), &d);
        if let Some(fields) = v.as_object_mut() {
            fields.insert("Line".into(), json!(line.number));
        }
        let _ = writeln!(out, "{v}");
        d.outcome
    };
    Some(Status::of(outcome))
}

/// `{"Line":N,"EvalDecision":"...","blockedBy":[...]}` and a newline, written directly.
fn write_outcome(
    out: &mut String,
    line: usize,
    outcome: Outcome,
    blocked_by: &BTreeSet<PolicyKind>,
) {
    let _ = write!(
        out,
        "{{\"Line\":{line},\"EvalDecision\":\"{}\",\"blockedBy\":[",
        outcome.as_str()
    );
    for (i, k) in blocked_by.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(k.as_str());
        out.push('"');
    }
    out.push_str("]}\n");
}

/// Test hook of debug builds: `POLCHECK_FAIL_AT_LINE=N` makes the evaluation of line N fail
/// as a bug would, so tests can check that no line is lost.
#[cfg(debug_assertions)]
fn fail_point(line: usize) {
    use std::sync::OnceLock;
    static AT: OnceLock<Option<usize>> = OnceLock::new();
    let at = AT.get_or_init(|| {
        std::env::var("POLCHECK_FAIL_AT_LINE")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if *at == Some(line) {
        panic!("POLCHECK_FAIL_AT_LINE={line}");
    }
}
