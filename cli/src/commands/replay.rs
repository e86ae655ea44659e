//! `polcheck replay --cloudtrail PATH --world W [--world-after W2]`: every CloudTrail event
//! decided against a world (and a proposed one), on every core.
//!
//! PATH is a file or a directory read recursively (the S3 layout
//! `AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`), holding `.json`, `.json.gz`, `.ndjson`,
//! `.jsonl` files, gzip or not (the gzip magic decides, not the name). Reading and
//! decompressing is here; mapping and counting is `polcheck_core::cloudtrail`; every decision
//! is `Engine::check`'s, through `cloudtrail::Replayer` (NDJSON: `Decider`), and the
//! explanations printed for examples are `Engine::authorize`'s.
//!
//! Output: the match rate against what CloudTrail saw first, then (with `--world-after`) the
//! decisions that flip, then (with `--access`) unused access and least-privilege policies.
//! `--format json` prints one report; `--format ndjson` one line per event.
//! Exit codes: 0 the world matches CloudTrail and nothing flips, 1 mismatches or flips,
//! 2 bad input.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use polcheck_core::cloudtrail::replay::GroupSummary;
use polcheck_core::cloudtrail::{
    access_report, map_record, parse_into, recycle, Decider, MappedEvent, Record, Replayer, Tally,
};
use polcheck_core::decide::Outcome;
use polcheck_core::Engine;
use serde_json::{json, Value};

use crate::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReplayFormat {
    /// A report for people.
    Text,
    /// One JSON report.
    Json,
    /// One JSON line per event, then nothing else.
    Ndjson,
}

#[derive(clap::Args)]
pub struct Args {
    /// CloudTrail log files or directories (read recursively), gzip or not; repeatable.
    #[arg(long = "cloudtrail", value_name = "FILE|DIR", required = true)]
    cloudtrail: Vec<String>,
    /// World files or directories of AWS exports (repeatable; default: the bundled demo world).
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// The proposed world: report every decision that changes (repeatable).
    #[arg(long = "world-after", value_name = "FILE|DIR")]
    after: Vec<String>,
    /// Also report unused access and a least-privilege policy per caller.
    #[arg(long)]
    access: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Text)]
    format: ReplayFormat,
    /// Files read, decompressed, parsed and decided at once (default: one per core). The
    /// output is the same for every number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    match replay(&args) {
        Ok(code) => code,
        Err(e) => {
            crate::report::error(&e.to_string());
            ExitCode::InputError
        }
    }
}

fn engine(paths: &[String]) -> Result<Engine, String> {
    let files = crate::world::files_from_flags(paths)?;
    let mut b = Engine::builder();
    for (name, text) in &files {
        b = b.world_file(name, text);
    }
    let e = b.build().map_err(|e| e.to_string())?;
    for w in e.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(e)
}

/// Every file under the paths, in name order (`polcheck_core::cloudtrail::log_files`).
pub fn log_files(paths: &[String]) -> Result<Vec<PathBuf>, String> {
    polcheck_core::cloudtrail::log_files(paths).map_err(|e| e.to_string())
}

/// The most one log file may hold once decompressed (a gzip bomb stops here).
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// A worker's buffers, kept from file to file: a month is thousands of small files, and
/// fresh buffers for each cost page faults and zeroing.
#[derive(Default)]
struct Buffers {
    raw: Vec<u8>,
    /// Decompressed bytes: the last file's are at the start. All of it stays initialized
    /// (written once, when it grows), so decompressing a file never zeroes it again, and
    /// the decoder writes large runs straight into it.
    text: Vec<u8>,
}

/// Reads a file (gunzipped when it starts with the gzip magic) into `b`, checked UTF-8.
fn read_log_into<'b>(path: &Path, b: &'b mut Buffers) -> Result<&'b str, String> {
    let cannot = |e: std::io::Error| format!("{}: cannot read: {e}", path.display());
    b.raw.clear();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut b.raw))
        .map_err(cannot)?;
    let bytes: &[u8] = if b.raw.starts_with(&[0x1f, 0x8b]) {
        let most = usize::try_from(MAX_DECOMPRESSED + 1).unwrap_or(usize::MAX);
        let first = b.raw.len().saturating_mul(8).clamp(64 << 10, most);
        if b.text.len() < first {
            b.text.resize(first, 0);
        }
        let mut gz = flate2::bufread::MultiGzDecoder::new(b.raw.as_slice());
        let mut len = 0;
        loop {
            if len == b.text.len() {
                // Full: at most MAX_DECOMPRESSED + 1 bytes, so that one more says too many.
                b.text
                    .resize(len.saturating_mul(2).min(most).max(len + 1), 0);
            }
            let n = match gz.read(b.text.get_mut(len..).unwrap_or_default()) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("{}: not valid gzip: {e}", path.display())),
            };
            len += n;
            if len as u64 > MAX_DECOMPRESSED {
                return Err(format!(
                    "{}: more than {} MiB once decompressed; CloudTrail delivers files far smaller",
                    path.display(),
                    MAX_DECOMPRESSED >> 20
                ));
            }
        }
        b.text.get(..len).unwrap_or_default()
    } else {
        &b.raw
    };
    std::str::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8: {e}", path.display()))
}

/// Files a worker takes at once, tallied together: a month is thousands of small files,
/// and a tally per file costs its own maps. Batches merge in file order like files did.
const BATCH_BYTES: u64 = 4 << 20;

/// Consecutive runs of files of about [`BATCH_BYTES`] (by size on disk) each, at least one
/// file, at most 64 and at most an eighth of a thread's share (so every thread has work).
fn batches(files: &[PathBuf], threads: usize) -> Vec<std::ops::Range<usize>> {
    let most = (files.len() / (threads.max(1) * 8)).clamp(1, 64);
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, f) in files.iter().enumerate() {
        bytes += std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        if bytes >= BATCH_BYTES || i + 1 - start >= most {
            out.push(start..i + 1);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < files.len() {
        out.push(start..files.len());
    }
    out
}

/// NDJSON lines of finished files, written to stdout in file order.
struct Ordered {
    next: usize,
    waiting: std::collections::BTreeMap<usize, Vec<String>>,
    out: std::io::BufWriter<std::io::Stdout>,
}

impl Ordered {
    /// Takes file `i`'s lines and writes every file's whose turn has come.
    fn put(&mut self, i: usize, lines: Vec<String>) -> Result<(), String> {
        self.waiting.insert(i, lines);
        while let Some(lines) = self.waiting.remove(&self.next) {
            for l in lines {
                writeln!(self.out, "{l}").map_err(|e| format!("cannot write: {e}"))?;
            }
            self.next += 1;
        }
        Ok(())
    }
}

fn ndjson_line(ev: &MappedEvent, before: Outcome, after: Option<Outcome>) -> String {
    let mut v = json!({
        "eventId": ev.event_id,
        "eventTime": ev.event_time,
        "principal": polcheck_core::cloudtrail::replay::caller_text(ev.request.principal()),
        "action": ev.request.action(),
        "resource": ev.request.resource(),
        "observed": ev.observed.as_str(),
        "decision": before.as_str(),
    });
    if let Some(a) = after {
        v["after"] = json!(a.as_str());
    }
    v.to_string()
}

fn replay(args: &Args) -> Result<ExitCode, String> {
    let files = log_files(&args.cloudtrail)?;
    let before = engine(&args.worlds)?;
    let after = if args.after.is_empty() {
        None
    } else {
        Some(engine(&args.after)?)
    };
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = if std::io::stderr().is_terminal() && args.format != ReplayFormat::Ndjson {
        let bar = indicatif::ProgressBar::new(total_bytes);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let threads = args
        .threads
        .map(usize::from)
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    let batches = batches(&files, threads);
    let threads = threads.min(batches.len().max(1));
    let next = AtomicUsize::new(0);
    let events = AtomicUsize::new(0);
    let out = Mutex::new(Ordered {
        next: 0,
        waiting: Default::default(),
        out: std::io::BufWriter::new(std::io::stdout()),
    });
    let started = Instant::now();
    let ndjson = args.format == ReplayFormat::Ndjson;
    // Each batch of consecutive files is tallied alone and the tallies are merged in file
    // order, and NDJSON lines are written in file order: the output is the same on every run,
    // whatever the threads.
    let results: Vec<Result<Vec<(usize, Tally)>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    let mut decide_before = Decider::new(&before);
                    let mut decide_after = after.as_ref().map(Decider::new);
                    // Reports need no event's own fields: the hot path builds no request
                    // for what repeats. NDJSON writes each event, so it maps each one.
                    let mut replayer = Replayer::new(&before, after.as_ref());
                    let mut buffers = Buffers::default();
                    // One vector of records for every file: its allocation is reused.
                    let mut spare: Vec<Record<'static>> = Vec::new();
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        let Some(range) = batches.get(b) else { break };
                        let mut tally = Tally::default();
                        for i in range.clone() {
                            let Some(path) = files.get(i) else { break };
                            let text = read_log_into(path, &mut buffers)?;
                            let mut records = recycle(std::mem::take(&mut spare));
                            parse_into(text, &mut records)
                                .map_err(|e| format!("{}:{e}", path.display()))?;
                            let mut lines = Vec::new();
                            if !ndjson {
                                for r in &records {
                                    replayer.replay(r, &mut tally);
                                }
                            }
                            for r in records.iter().filter(|_| ndjson) {
                                match map_record(r) {
                                    Ok(ev) => {
                                        let b = decide_before.check(&ev.request);
                                        let a = decide_after.as_mut().map(|d| d.check(&ev.request));
                                        lines.push(ndjson_line(&ev, b, a));
                                        tally.add(&ev, b, a);
                                    }
                                    Err(why) => tally.unmapped(&why),
                                }
                            }
                            if ndjson {
                                let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
                                o.put(i, lines)?;
                            }
                            let n =
                                events.fetch_add(records.len(), Ordering::Relaxed) + records.len();
                            bar.inc(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
                            let secs = started.elapsed().as_secs_f64().max(1e-9);
                            bar.set_message(format!("{n} events, {:.0} events/s", n as f64 / secs));
                            spare = recycle(records);
                        }
                        done.push((b, tally));
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a replay thread failed".into()))
            })
            .collect()
    });
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let mut tallies = Vec::new();
    for r in results {
        tallies.extend(r?);
    }
    tallies.sort_by_key(|(i, _)| *i);
    let mut tally = Tally::default();
    for (_, t) in tallies {
        tally.merge(t);
    }
    let mut out = out.into_inner().unwrap_or_else(|e| e.into_inner()).out;
    let summary = tally.summary();
    let code = if summary.mismatches.is_empty() && summary.flips.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Negative
    };
    if ndjson {
        out.flush().map_err(|e| format!("cannot write: {e}"))?;
        return Ok(code);
    }
    let access = args.access.then(|| access_report(&before, &tally.usage));
    let text = match args.format {
        ReplayFormat::Json => {
            let mut v = serde_json::to_value(&summary).map_err(|e| e.to_string())?;
            explain_groups(&mut v, "mismatches", &summary.mismatches, &before);
            explain_groups(
                &mut v,
                "flips",
                &summary.flips,
                after.as_ref().unwrap_or(&before),
            );
            v["files"] = json!(files.len());
            v["seconds"] = json!(elapsed);
            if let Some(a) = &access {
                v["access"] = serde_json::to_value(a).map_err(|e| e.to_string())?;
            }
            format!(
                "{}\n",
                serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
            )
        }
        _ => render_text(
            &summary,
            access.as_deref(),
            &before,
            after.as_ref(),
            files.len(),
            elapsed,
        ),
    };
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write: {e}"))?;
    Ok(code)
}

/// The deciding statements of an example, or the kinds of policy whose allow was missing.
fn explanation(engine: &Engine, g: &GroupSummary) -> Value {
    let d = engine.authorize(&g.request);
    let deciding: Vec<Value> = d
        .matched
        .iter()
        .filter(|m| match d.outcome {
            Outcome::ExplicitDeny => m.effect == polcheck_core::policy::Effect::Deny,
            Outcome::Allowed => m.effect == polcheck_core::policy::Effect::Allow,
            // An implicit deny has no deciding statement: the kinds in `blockedBy` lacked one.
            _ => false,
        })
        .map(|m| json!({"kind": m.kind.as_str(), "policy": m.policy, "sid": m.sid, "statement": m.summary}))
        .collect();
    json!({
        "decision": d.outcome.as_str(),
        "blockedBy": d.blocked_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "deciding": deciding,
    })
}

fn explain_groups(v: &mut Value, key: &str, groups: &[GroupSummary], engine: &Engine) {
    if let Some(items) = v.get_mut(key).and_then(Value::as_array_mut) {
        for (item, g) in items.iter_mut().zip(groups) {
            item["explanation"] = explanation(engine, g);
        }
    }
}

/// Groups printed in full before "... and N more".
const SHOWN: usize = 20;

fn render_text(
    s: &polcheck_core::cloudtrail::Summary,
    access: Option<&[polcheck_core::cloudtrail::CallerAccess]>,
    before: &Engine,
    after: Option<&Engine>,
    files: usize,
    secs: f64,
) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let rate = if secs > 0.0 {
        s.events as f64 / secs
    } else {
        0.0
    };
    let _ = writeln!(
        o,
        "replayed {} events from {files} file(s) in {secs:.2} s ({rate:.0} events/s): {} decided, {} not mapped",
        s.events,
        s.mapped,
        s.events - s.mapped
    );
    let a = &s.agreement;
    match a.match_rate {
        Some(r) => {
            let _ = writeln!(
                o,
                "match with CloudTrail: {:.1}% ({} of {} events with an authorization result)",
                r * 100.0,
                a.succeeded_allowed + a.denied_denied,
                a.succeeded_allowed + a.succeeded_denied + a.denied_denied + a.denied_allowed
            );
        }
        None => o.push_str("match with CloudTrail: no event with an authorization result\n"),
    }
    let _ = writeln!(
        o,
        "  succeeded, polcheck allows: {}\n  succeeded, polcheck denies: {}\n  denied, polcheck denies:    {}\n  denied, polcheck allows:    {}\n  other errors: {}, unknown to polcheck: {}",
        a.succeeded_allowed, a.succeeded_denied, a.denied_denied, a.denied_allowed, a.other_error, a.unknown
    );
    if !s.mismatches.is_empty() {
        o.push_str("\ndisagreements (CloudTrail vs polcheck), by caller and action:\n");
        groups_text(&mut o, &s.mismatches, before, |g| {
            format!("CloudTrail {}", g.observed.unwrap_or_default())
        });
    }
    if !s.unmapped.is_empty() {
        o.push_str("\nnot mapped to a request:\n");
        for (why, n) in &s.unmapped {
            let _ = writeln!(o, "  {n:>8}  {why}");
        }
    }
    if let Some(after) = after {
        let flipped: u64 = s.flips.iter().map(|g| g.count).sum();
        let _ = writeln!(
            o,
            "\nwith the proposed world: {flipped} decision(s) flip, {} unchanged",
            s.unchanged
        );
        groups_text(&mut o, &s.flips, after, |g| {
            format!(
                "{} -> {}",
                g.before.map(|x| x.as_str()).unwrap_or_default(),
                g.after.map(|x| x.as_str()).unwrap_or_default()
            )
        });
    }
    if let Some(access) = access {
        o.push_str("\naccess per caller (granted actions, used in the window, unused grants):\n");
        for c in access {
            let _ = writeln!(
                o,
                "  {}: {} granted, {} used, {} unused grant(s){}",
                c.principal,
                c.granted_actions,
                c.used_actions,
                c.unused.len(),
                match c.verification {
                    Some(v) => format!(
                        "; least-privilege policy checked on {} used pair(s), {} would be denied",
                        v.checked, v.denied
                    ),
                    None => String::new(),
                }
            );
            let mut by_service: std::collections::BTreeMap<&str, usize> = Default::default();
            for u in &c.unused {
                let svc = u.action.split(':').next().unwrap_or_default();
                *by_service.entry(svc).or_insert(0) += 1;
            }
            if !by_service.is_empty() {
                let mut top: Vec<(&str, usize)> = by_service.into_iter().collect();
                top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                let shown: Vec<String> = top
                    .iter()
                    .take(8)
                    .map(|(s, n)| format!("{s} {n}"))
                    .collect();
                let more = if top.len() > 8 {
                    format!(", {} more services", top.len() - 8)
                } else {
                    String::new()
                };
                let _ = writeln!(o, "      unused by service: {}{more}", shown.join(", "));
            }
            for u in c.unused.iter().filter(|u| u.action_used).take(5) {
                let _ = writeln!(o, "      used, but never on: {} {}", u.action, u.resource);
            }
            if let Some(p) = &c.policy {
                let _ = writeln!(o, "      least privilege: {p}");
            }
        }
    }
    o
}

fn groups_text(
    o: &mut String,
    groups: &[GroupSummary],
    engine: &Engine,
    label: impl Fn(&GroupSummary) -> String,
) {
    use std::fmt::Write as _;
    for g in groups.iter().take(SHOWN) {
        let _ = writeln!(
            o,
            "  {:>8}  {}  {}  ({})",
            g.count,
            g.principal,
            g.action,
            label(g)
        );
        let _ = writeln!(
            o,
            "            e.g. event {} at {} on {}",
            g.example.event_id, g.example.event_time, g.example.resource
        );
        let e = explanation(engine, g);
        let deciding = e["deciding"].as_array().cloned().unwrap_or_default();
        if let Some(first) = deciding.first() {
            let _ = writeln!(
                o,
                "            polcheck: {} by {} `{}`: {}",
                e["decision"].as_str().unwrap_or_default(),
                first["kind"].as_str().unwrap_or_default(),
                first["policy"].as_str().unwrap_or_default(),
                first["statement"].as_str().unwrap_or_default()
            );
        } else {
            let _ = writeln!(
                o,
                "            polcheck: {} (no allow in: {})",
                e["decision"].as_str().unwrap_or_default(),
                e["blockedBy"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            );
        }
    }
    if groups.len() > SHOWN {
        let _ = writeln!(
            o,
            "  ... and {} more groups (--format json lists all)",
            groups.len() - SHOWN
        );
    }
}
