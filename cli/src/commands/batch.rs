//! `polcheck eval --requests FILE.ndjson`: one JSON request per line in, one JSON result per
//! line out, in input order, on every core, with a progress bar on a terminal.
//!
//! Each input line is a request object in the shape of a test's `request`
//! (`principal`, `action`, `resource`, `resourceAccount`, `context`). Each output line is one
//! AWS-shaped `EvaluationResults` entry with `"Line": N`, or `{"Line": N, "Error": "..."}` for
//! a line that cannot be read; the other lines still run.

use std::io::{BufRead, BufWriter, IsTerminal, Write};

use polcheck_core::decide::{decide, Layers, Outcome};
use polcheck_core::question::{self, QuestionOptions};
use polcheck_core::suite::{PolicyInputs, RequestSpec};
use polcheck_core::world::World;
use serde_json::{json, Value};

use crate::ExitCode;
use polcheck_core::decide::aws_result;

/// Lines evaluated between two writes.
const CHUNK: usize = 8192;

/// Where the layers of each request come from.
pub struct Source<'a> {
    /// The world, if any.
    pub world: Option<&'a World>,
    /// Policies given by flags (added to the world's).
    pub inputs: &'a PolicyInputs,
    /// `inputs` compiled, for runs without a world.
    pub compiled: &'a Layers,
    /// What the questions may name on purpose.
    pub options: QuestionOptions,
}

/// Runs a batch file (`-` for standard input).
pub fn run(path: &str, source: &Source) -> Result<ExitCode, String> {
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
        Box::new(std::io::BufReader::new(f))
    };
    let total = if path != "-" && std::io::stderr().is_terminal() {
        std::fs::read(path)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count() as u64)
            .unwrap_or(0)
    } else {
        0
    };
    let bar = if total > 0 {
        indicatif::ProgressBar::new(total)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let (mut outcomes, mut any_error) = (Vec::new(), false);
    let mut lines = reader.lines().enumerate();
    loop {
        let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
        for (i, line) in lines.by_ref().take(CHUNK) {
            let line = line.map_err(|e| format!("{path}:{}: cannot read: {e}", i + 1))?;
            chunk.push((i + 1, line));
        }
        if chunk.is_empty() {
            break;
        }
        let per = chunk.len().div_ceil(threads);
        let results: Vec<Vec<(Value, Option<Outcome>)>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .chunks(per)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .filter(|(_, l)| !l.trim().is_empty())
                            .map(|(n, l)| one(*n, l, source))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for (v, outcome) in results.into_iter().flatten() {
            match outcome {
                Some(Outcome::Allowed) => {}
                // Only whether some line was denied or unknown matters for the exit code.
                Some(o) => {
                    if !outcomes.contains(&o) {
                        outcomes.push(o);
                    }
                }
                None => any_error = true,
            }
            writeln!(out, "{v}").map_err(|e| format!("cannot write: {e}"))?;
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(if any_error {
        ExitCode::InputError
    } else {
        ExitCode::of_outcomes(outcomes)
    })
}

/// Evaluates one line: the result, and `Some(outcome)` or `None` for an unreadable line.
fn one(line: usize, text: &str, source: &Source) -> (Value, Option<Outcome>) {
    let result = (|| {
        let spec = RequestSpec::parse(text).map_err(|e| e.to_string())?;
        let mut req = spec.to_request().map_err(|e| e.to_string())?;
        question::check(&req, source.world, source.options).map_err(|e| e.to_string())?;
        let d = match source.world {
            Some(w) => decide(&w.layers_with(&mut req, source.inputs), &req),
            None => decide(source.compiled, &req),
        };
        Ok::<_, String>((aws_result(req.action(), req.resource(), &d), d.outcome))
    })();
    match result {
        Ok((mut v, outcome)) => {
            v["Line"] = json!(line);
            (v, Some(outcome))
        }
        Err(e) => (json!({ "Line": line, "Error": e }), None),
    }
}
