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

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use polcheck_core::decide::{aws_result, Outcome, PolicyKind};
use polcheck_core::question::{self, QuestionOptions};
use polcheck_core::suite::RequestSpec;
use polcheck_core::{Caller, Context, ContextValue, Engine, Request};
use serde::Deserialize;
use serde_json::json;

use crate::ExitCode;

/// Lines decided between two writes, at most.
const CHUNK: usize = 65_536;

/// Bytes of lines read between two writes, about (whole lines are kept together).
const CHUNK_BYTES: usize = 4 << 20;

/// The longest request line read; the rest of a longer line is skipped.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Callers each worker keeps read ([`Engine::caller`]), at most; then it starts again.
const MAX_CALLERS: usize = 4096;

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

/// One input line: its number and where its text is in the chunk (`None` when it was too
/// long).
struct Line {
    number: usize,
    span: Option<(usize, usize)>,
}

/// Lines read together: their bytes one after another, and where each is.
#[derive(Default)]
struct Chunk {
    data: Vec<u8>,
    lines: Vec<Line>,
}

impl Chunk {
    fn text(&self, line: &Line) -> Option<&[u8]> {
        let (from, to) = line.span?;
        self.data.get(from..to)
    }
}

/// What a worker keeps from line to line: the callers it has read and what its question
/// check found ([`question::Checker`]).
struct Worker<'e> {
    callers: HashMap<Box<str>, Caller>,
    /// The caller of the last line with one, and its principal as written.
    last: Option<(Box<str>, Caller)>,
    anonymous: Option<Caller>,
    checker: question::Checker<'e>,
}

impl<'e> Worker<'e> {
    fn new(engine: &'e Engine, options: QuestionOptions) -> Worker<'e> {
        Worker {
            callers: HashMap::new(),
            last: None,
            anonymous: None,
            checker: question::Checker::new(engine.world(), options),
        }
    }

    /// The caller of a line, read once per worker ([`Engine::caller`]); `None` when it does
    /// not read (the slow path then reports why).
    fn caller(&mut self, engine: &Engine, principal: Option<&str>) -> Option<Caller> {
        let Some(p) = principal else {
            if self.anonymous.is_none() {
                self.anonymous = engine.caller(None).ok();
            }
            return self.anonymous.clone();
        };
        // Lines of one caller often come together: the last one is compared first.
        if let Some((last, c)) = &self.last {
            if **last == *p {
                return Some(c.clone());
            }
        }
        let c = match self.callers.get(p) {
            Some(c) => c.clone(),
            None => {
                let c = engine.caller(Some(p)).ok()?;
                if self.callers.len() >= MAX_CALLERS {
                    self.callers.clear();
                }
                self.callers.insert(p.into(), c.clone());
                c
            }
        };
        self.last = Some((p.into(), c.clone()));
        Some(c)
    }
}

/// Runs a batch file (`-` for standard input).
pub fn run(
    path: &str,
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
) -> Result<ExitCode, String> {
    let (mut reader, length): (Box<dyn BufRead>, u64) = if path == "-" {
        (
            Box::new(std::io::BufReader::with_capacity(
                1 << 16,
                std::io::stdin().lock(),
            )),
            0,
        )
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
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut seen = [false; 5];
    let mut number = 0;
    let mut workers: Vec<Worker> = (0..threads).map(|_| Worker::new(engine, options)).collect();
    let read_error =
        |number: usize, e: std::io::Error| format!("{path}:{}: cannot read: {e}", number + 1);
    let mut cur = Chunk::default();
    let mut bytes =
        read_chunk(&mut reader, &mut cur, &mut number).map_err(|e| read_error(number, e))?;
    let mut next = Chunk::default();
    loop {
        if cur.lines.is_empty() {
            break;
        }
        let per = cur.lines.len().div_ceil(threads);
        // The workers decide this chunk while this thread reads the next one.
        let (parts, read) = std::thread::scope(|s| {
            let chunk = &cur;
            let handles: Vec<_> = chunk
                .lines
                .chunks(per)
                .zip(workers.iter_mut())
                .map(|(part, w)| {
                    (
                        part,
                        s.spawn(move || run_part(chunk, part, engine, outcome_only, options, w)),
                    )
                })
                .collect();
            next.data.clear();
            next.lines.clear();
            let read = read_chunk(&mut reader, &mut next, &mut number);
            let parts: Vec<(String, Vec<Status>)> = handles
                .into_iter()
                .map(|(part, h)| {
                    h.join()
                        .unwrap_or_else(|_| rerun_part(chunk, part, engine, outcome_only, options))
                })
                .collect();
            (parts, read)
        });
        for (text, statuses) in parts {
            for st in statuses {
                seen[st as usize] = true;
            }
            out.write_all(text.as_bytes())
                .map_err(|e| format!("cannot write: {}", crate::output::closed_pipe_ends(e)))?;
        }
        bar.inc(bytes);
        bytes = read.map_err(|e| read_error(number, e))?;
        std::mem::swap(&mut cur, &mut next);
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

/// Reads lines into `chunk` (emptied first) until it holds [`CHUNK`] lines or about
/// [`CHUNK_BYTES`]; returns the bytes consumed (0 at the end).
fn read_chunk(r: &mut dyn BufRead, chunk: &mut Chunk, number: &mut usize) -> std::io::Result<u64> {
    chunk.data.clear();
    chunk.lines.clear();
    let mut bytes = 0u64;
    while chunk.lines.len() < CHUNK && chunk.data.len() < CHUNK_BYTES {
        let start = chunk.data.len();
        let n = read_line(r, &mut chunk.data)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        *number += 1;
        let span = if chunk.data.len() - start <= MAX_LINE_BYTES {
            Some((start, chunk.data.len()))
        } else {
            chunk.data.truncate(start);
            None
        };
        chunk.lines.push(Line {
            number: *number,
            span,
        });
    }
    Ok(bytes)
}

/// Reads one line (without its `\n`, or `\r\n`) onto the end of `buf`, keeping at most
/// [`MAX_LINE_BYTES`] + 1 bytes of it; returns the bytes consumed (0 at the end).
fn read_line(r: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let start = buf.len();
    let mut consumed = 0;
    loop {
        let (done, used) = {
            let avail = r.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let (take, done) = match find_newline(avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let room = (MAX_LINE_BYTES + 1).saturating_sub(buf.len() - start);
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
    if buf.len() > start && buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.len() > start && buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(consumed)
}

/// The first `\n` in `b`, eight bytes at a time.
fn find_newline(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const NL: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut skipped = 0;
    for word in b.chunks_exact(8) {
        let Ok(bytes) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let w = u64::from_le_bytes(bytes) ^ NL;
        if w.wrapping_sub(ONES) & !w & HIGHS != 0 {
            break;
        }
        skipped += 8;
    }
    b.get(skipped..)?
        .iter()
        .position(|&c| c == b'\n')
        .map(|i| i + skipped)
}

/// Decides the lines of one worker into one block of output.
fn run_part(
    chunk: &Chunk,
    part: &[Line],
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
    worker: &mut Worker,
) -> (String, Vec<Status>) {
    let mut text = String::with_capacity(part.len() * 72);
    let statuses = part
        .iter()
        .filter_map(|l| one(chunk, l, engine, outcome_only, options, worker, &mut text))
        .collect();
    (text, statuses)
}

/// A worker failed: its lines again, one by one, so that only the failing line is lost to
/// an error line.
fn rerun_part(
    chunk: &Chunk,
    part: &[Line],
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
) -> (String, Vec<Status>) {
    let mut text = String::new();
    let mut statuses = Vec::new();
    let mut worker = Worker::new(engine, options);
    for l in part {
        let mut own = String::new();
        match catch_unwind(AssertUnwindSafe(|| {
            one(
                chunk,
                l,
                engine,
                outcome_only,
                options,
                &mut worker,
                &mut own,
            )
        })) {
            Ok(st) => {
                text.push_str(&own);
                statuses.extend(st);
            }
            Err(_) => {
                let e = json!({ "Line": l.number, "Error": "internal error: polcheck failed on this line (please report it)" });
                let _ = writeln!(text, "{e}");
                statuses.push(Status::Failed);
                worker = Worker::new(engine, options);
            }
        }
    }
    (text, statuses)
}

/// A request line as the fast path reads it: strings borrowed from the line. Anything this
/// does not take as it is (a number or `null` anywhere, a repeated key, an unknown key, bad
/// UTF-8, ...) goes to the located reader of the suite format, which either reads the same
/// request or says what is wrong and where.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[serde(deny_unknown_fields)]
struct FastLine<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    principal: Option<Text<'a>>,
    #[serde(borrow)]
    action: Text<'a>,
    #[serde(default, borrow, deserialize_with = "present")]
    resource: Option<Text<'a>>,
    #[serde(
        default,
        borrow,
        rename = "resourceAccount",
        deserialize_with = "present"
    )]
    resource_account: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "present")]
    context: Option<Members<'a>>,
}

/// A field that is there (`null` is refused, as the located reader refuses it).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A JSON string, borrowed from the line unless it has escapes.
#[cfg_attr(test, derive(Debug, PartialEq))]
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor(std::marker::PhantomData))
    }
}

struct TextVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v)))
    }
}

/// The context object's members, in order.
#[cfg_attr(test, derive(Debug, PartialEq))]
struct Members<'a>(Vec<(Text<'a>, ContextValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Self::Value, M::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<Text<'de>>()? {
                    out.push((k, m.next_value::<Value>()?.0));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A context value: a string or boolean, or an array of them. Numbers are refused here, so
/// they go the slow way and keep the located reader's text.
struct Value(ContextValue);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor { nested: false })
    }
}

struct ValueVisitor {
    /// Inside an array: no further array.
    nested: bool,
}

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string or boolean, or an array of them")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value(ContextValue::Single(v.to_string())))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value(ContextValue::Single(v.to_string())))
    }
    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> Result<Value, S::Error> {
        if self.nested {
            return Err(serde::de::Error::custom("nested array"));
        }
        let mut items = Vec::new();
        while let Some(Scalar(v)) = seq.next_element::<Scalar>()? {
            items.push(v);
        }
        Ok(Value(ContextValue::Multi(items)))
    }
}

/// One element of a context array: a string or boolean.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(ValueVisitor { nested: true })?.0 {
            ContextValue::Single(s) => Ok(Scalar(s)),
            _ => Err(serde::de::Error::custom("nested array")),
        }
    }
}

/// A line in the plainest form, read without serde: an object of the known keys once
/// each, ASCII strings without escapes, context values strings, booleans or arrays of them,
/// whitespace anywhere JSON allows it. `None` for anything else, which serde then reads
/// ([`FastLine`]). What it reads, serde reads the same (a unit test compares the two).
fn plain_line(text: &[u8]) -> Option<FastLine<'_>> {
    // Checked once here, so each string is a slice of it.
    let s = std::str::from_utf8(text).ok()?;
    let mut c = Cursor { s, b: text, i: 0 };
    let mut line = FastLine {
        principal: None,
        action: Text(Cow::Borrowed("")),
        resource: None,
        resource_account: None,
        context: None,
    };
    let mut action = false;
    c.eat(b'{')?;
    if c.peek() == Some(b'}') {
        // No action: serde says what is missing.
        return None;
    }
    loop {
        let key = c.string()?;
        c.eat(b':')?;
        let slot = match key {
            "principal" => &mut line.principal,
            "resource" => &mut line.resource,
            "resourceAccount" => &mut line.resource_account,
            "action" if !action => {
                action = true;
                line.action = Text(Cow::Borrowed(c.string()?));
                if c.next_member()? {
                    continue;
                }
                break;
            }
            "context" if line.context.is_none() => {
                line.context = Some(c.members()?);
                if c.next_member()? {
                    continue;
                }
                break;
            }
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(Text(Cow::Borrowed(c.string()?)));
        if !c.next_member()? {
            break;
        }
    }
    c.ws();
    (action && c.i == text.len()).then_some(line)
}

/// How many bytes of `b` come before its first `"`, `\`, control character or non-ASCII
/// byte (all of `b` when none), eight bytes at a time.
fn plain_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte below `n` (at most 0x80) in `w`: exact for "any", as each word is then
    // scanned byte by byte.
    let below = |w: u64, n: u64| w.wrapping_sub(n * ONES) & !w & HIGHS;
    let mut skipped = 0;
    for word in b.chunks_exact(8) {
        let Ok(bytes) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let stop = below(w ^ (u64::from(b'"') * ONES), 1)
            | below(w ^ (u64::from(b'\\') * ONES), 1)
            | below(w, 0x20)
            | (w & HIGHS);
        if stop != 0 {
            break;
        }
        skipped += 8;
    }
    let tail = b.get(skipped..).unwrap_or_default();
    skipped
        + tail
            .iter()
            .position(|&c| matches!(c, b'"' | b'\\' | 0..=0x1f | 0x80..))
            .unwrap_or(tail.len())
}

/// Where [`plain_line`] is in the line.
struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// The next byte after whitespace, not taken.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// After a member: `true` at `,`, `false` at `}`.
    fn next_member(&mut self) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.i += 1;
                Some(true)
            }
            b'}' => {
                self.i += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// A string of printable ASCII without escapes.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = self.b.get(start..)?;
        let n = plain_run(rest);
        if rest.get(n) != Some(&b'"') {
            return None;
        }
        let s = self.s.get(start..start + n)?;
        self.i = start + n + 1;
        Some(s)
    }

    /// A string or boolean, as [`Value`] reads it.
    fn scalar(&mut self) -> Option<String> {
        match self.peek()? {
            b'"' => self.string().map(str::to_string),
            b't' if self.b.get(self.i..self.i + 4) == Some(&b"true"[..]) => {
                self.i += 4;
                Some("true".to_string())
            }
            b'f' if self.b.get(self.i..self.i + 5) == Some(&b"false"[..]) => {
                self.i += 5;
                Some("false".to_string())
            }
            _ => None,
        }
    }

    /// The context object.
    fn members(&mut self) -> Option<Members<'a>> {
        let mut out = Vec::new();
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(Members(out));
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            let value = if self.peek()? == b'[' {
                self.i += 1;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.i += 1;
                } else {
                    loop {
                        items.push(self.scalar()?);
                        match self.peek()? {
                            b',' => self.i += 1,
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                ContextValue::Multi(items)
            } else {
                ContextValue::Single(self.scalar()?)
            };
            out.push((Text(Cow::Borrowed(key)), value));
            if !self.next_member()? {
                return Some(Members(out));
            }
        }
    }
}

/// The request of a line read the fast way, checked and prepared; `None` when the line must
/// go the slow way (to be read there, or refused with the reason and position).
fn fast_request(text: &[u8], engine: &Engine, worker: &mut Worker) -> Option<Request> {
    let line: FastLine<'_> = match plain_line(text) {
        Some(line) => line,
        None => serde_json::from_slice(text).ok()?,
    };
    let mut context = Context::new();
    let mut given = 0;
    for (k, v) in line.context.into_iter().flat_map(|c| c.0) {
        context.insert(&k.0, v);
        given += 1;
    }
    // A key given twice (in any case) leaves fewer keys than were given: the located reader
    // says where.
    if context.given_len() != given {
        return None;
    }
    let caller = worker.caller(engine, line.principal.as_ref().map(|p| &*p.0))?;
    let req = engine
        .request(
            &caller,
            &line.action.0,
            line.resource.as_ref().map_or("*", |r| &*r.0),
            context,
            line.resource_account.map(|a| a.0.into_owned()),
        )
        .ok()?;
    worker.checker.check(&req).ok()?;
    Some(req)
}

/// The request of a line read the located way, checked and prepared, or why not.
fn slow_request(text: &[u8], engine: &Engine, options: QuestionOptions) -> Result<Request, String> {
    let text = String::from_utf8_lossy(text);
    let mut req = RequestSpec::parse(&text)
        .map_err(|e| e.to_string())
        .and_then(|spec| spec.to_request().map_err(|e| e.to_string()))
        .and_then(|req| {
            question::check(&req, engine.world(), options)
                .map(|()| req)
                .map_err(|e| e.to_string())
        })?;
    engine.prepare(&mut req);
    Ok(req)
}

/// Decides one line and appends its output line; `None` for a blank line.
fn one(
    chunk: &Chunk,
    line: &Line,
    engine: &Engine,
    outcome_only: bool,
    options: QuestionOptions,
    worker: &mut Worker,
    out: &mut String,
) -> Option<Status> {
    let Some(text) = chunk.text(line) else {
        let e = json!({ "Line": line.number, "Error": format!("line longer than {MAX_LINE_BYTES} bytes") });
        let _ = writeln!(out, "{e}");
        return Some(Status::Unreadable);
    };
    let blank = match text.iter().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(b'{') => false,
        Some(_) => String::from_utf8_lossy(text).trim().is_empty(),
    };
    if blank {
        return None;
    }
    #[cfg(debug_assertions)]
    fail_point(line.number);
    let req = match fast_request(text, engine, worker) {
        Some(req) => Ok(req),
        None => slow_request(text, engine, options),
    };
    let req = match req {
        Ok(req) => req,
        Err(e) => {
            let _ = writeln!(out, "{}", json!({ "Line": line.number, "Error": e }));
            return Some(Status::Unreadable);
        }
    };
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
    out.push_str("{\"Line\":");
    push_number(out, line);
    out.push_str(",\"EvalDecision\":\"");
    out.push_str(outcome.as_str());
    out.push_str("\",\"blockedBy\":[");
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

/// Appends `n` in decimal, without the formatting machinery.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn engines() -> Vec<Engine> {
        let policy = r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}"#;
        let world = r#"{"AccountId": "111122223333", "UserDetailList": [{"UserName": "alice",
            "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice",
            "Tags": [{"Key": "team", "Value": "blue"}],
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}]}]}"#;
        vec![
            Engine::builder()
                .identity_policy("p", policy)
                .unwrap()
                .build()
                .unwrap(),
            Engine::builder()
                .world_file("w.json", world)
                .identity_policy("p", policy)
                .unwrap()
                .build()
                .unwrap(),
        ]
    }

    /// The fast reader takes a line only when the located reader reads the same request
    /// from it; everything else goes the located way.
    #[test]
    fn the_fast_path_reads_what_the_located_reader_reads_or_leaves_the_line_to_it() {
        let alice = "arn:aws:iam::111122223333:user/alice";
        let lines = [
            format!(
                r#"{{"principal":"{alice}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}}"#
            ),
            format!(
                r#"{{"principal":"{alice}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k\u00e9\n","context":{{"aws:SourceIp":"10.0.0.1","aws:MultiFactorAuthPresent":true,"aws:TagKeys":["a",false]}}}}"#
            ),
            format!(
                r#"{{"principal":"{alice}","action":"sqs:SendMessage","resource":"*","resourceAccount":"444455556666"}}"#
            ),
            format!(r#" {{ "action" : "sqs:SendMessage" , "principal" : "{alice}" }} "#),
            format!(
                r#"{{"principal":"{alice}","action":"s3:GetObject","context":{{"aws:PrincipalTag/team":"red"}}}}"#
            ),
            format!(
                r#"{{"principal":"{alice}","action":"s3:GetObject","context":{{"aws:ResourceAccount":"999999999999"}}}}"#
            ),
            r#"{"action":"s3:GetObject"}"#.to_string(),
            // Left to the located reader: each is refused there, or reads differently.
            r#"{"principal":null,"action":"s3:GetObject"}"#.to_string(),
            format!(r#"{{"principal":"{alice}","action":"s3:GetObject","context":null}}"#),
            format!(r#"{{"principal":"{alice}","action":"s3:GetObject","context":{{"n":5}}}}"#),
            format!(
                r#"{{"principal":"{alice}","action":"s3:GetObject","context":{{"k":"a","K":"b"}}}}"#
            ),
            format!(
                r#"{{"principal":"{alice}","action":"s3:GetObject","context":{{"k":[["a"]]}}}}"#
            ),
            format!(r#"{{"principal":"{alice}","action":"s3:GetObject","action":"s3:PutObject"}}"#),
            format!(r#"{{"principal":"{alice}","action":"s3:GetObject","extra":1}}"#),
            format!(r#"{{"principal":"{alice}","action":"GetObject"}}"#),
            format!(r#"{{"principal":"{alice}","action":"s3:GetObject"}} x"#),
            r#"{"principal":"alice","action":"s3:GetObject"}"#.to_string(),
            format!(r#"{{"principal":"{alice}","action":"s3:GetObjekt"}}"#),
            "\u{feff}{\"action\":\"s3:GetObject\"}".to_string(),
            "[]".to_string(),
        ];
        let options = QuestionOptions {
            allow_unknown_principals: true,
            ..QuestionOptions::default()
        };
        for engine in engines() {
            let mut worker = Worker::new(&engine, options);
            for (i, line) in lines.iter().enumerate() {
                let slow = slow_request(line.as_bytes(), &engine, options);
                let fast = fast_request(line.as_bytes(), &engine, &mut worker);
                if i < 7 {
                    let fast = fast.unwrap_or_else(|| panic!("not read the fast way: {line}"));
                    assert_eq!(slow.as_ref(), Ok(&fast), "{line}");
                    assert_eq!(
                        engine.check_prepared(&fast),
                        engine.check_prepared(&slow.unwrap()),
                        "{line}"
                    );
                } else {
                    assert!(fast.is_none(), "read the fast way: {line}");
                }
            }
        }
    }

    /// What the plain reader reads, serde reads the same; what it leaves, serde reads or
    /// refuses.
    #[test]
    fn the_plain_reader_reads_as_serde_reads() {
        let alice = "arn:aws:iam::111122223333:user/alice";
        let taken = [
            format!(
                r#"{{"principal":"{alice}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{{"aws:SourceIp":"203.0.0.0","aws:MultiFactorAuthPresent":"true"}}}}"#
            ),
            format!(r#" {{ "action" : "sqs:SendMessage" , "principal" : "{alice}" }} "#),
            r#"{"action":"s3:GetObject","context":{}}"#.to_string(),
            "{\t\"action\"\r:\n\"s3:GetObject\",\"resourceAccount\":\"444455556666\"}".to_string(),
            r#"{"context":{"a":true,"b":false,"c":["x",true,false],"d":[],"a":"again"},"action":"s3:GetObject"}"#.to_string(),
            r#"{"action":"GetObject","resource":"x"}"#.to_string(),
        ];
        for line in &taken {
            let plain = plain_line(line.as_bytes());
            let serde: Option<FastLine<'_>> = serde_json::from_slice(line.as_bytes()).ok();
            assert!(plain.is_some(), "not taken: {line}");
            assert_eq!(plain, serde, "{line}");
        }
        let left = [
            format!(r#"{{"principal":"{alice}","action":"s3:GetObject","action":"s3:PutObject"}}"#),
            format!(r#"{{"principal":"{alice}","principal":"{alice}","action":"s3:GetObject"}}"#),
            r#"{"action":"s3:GetObject","context":{},"context":{}}"#.to_string(),
            r#"{"action":"s3:GetObject","extra":"1"}"#.to_string(),
            r#"{"action":"s3:GetObject"} x"#.to_string(),
            r#"{"action":"s3:GetObject",}"#.to_string(),
            r#"{"action":"s3:Get\u004fbject"}"#.to_string(),
            "{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/\u{e9}\"}".to_string(),
            r#"{"action":"s3:GetObject","principal":null}"#.to_string(),
            r#"{"action":"s3:GetObject","context":{"n":5}}"#.to_string(),
            r#"{"action":"s3:GetObject","context":{"n":[["a"]]}}"#.to_string(),
            r#"{"action":"s3:GetObject","context":{"n":truex}}"#.to_string(),
            r#"{"action":"s3:GetObject","context":{"n":tru}}"#.to_string(),
            r#"{"action":"s3:GetObject","context":{"n":["a",]}}"#.to_string(),
            r#"{"action":"s3:GetObject","context":{"n":"a",}}"#.to_string(),
            r#"{"principal":"a"}"#.to_string(),
            "{}".to_string(),
            "{\"action\":\"s3:GetObject\u{1}\"}".to_string(),
            "\u{feff}{\"action\":\"s3:GetObject\"}".to_string(),
            "[]".to_string(),
            "{\"action\":\"s3:GetObject\"".to_string(),
            "{\"action\":\"s3:GetObject".to_string(),
        ];
        for line in &left {
            assert!(plain_line(line.as_bytes()).is_none(), "taken: {line}");
        }
        // Serde reads only the two lines the plain reader leaves for their form (an escape,
        // a non-ASCII character); it refuses the others too.
        let serde_reads = left
            .iter()
            .filter(|l| serde_json::from_slice::<FastLine<'_>>(l.as_bytes()).is_ok())
            .count();
        assert_eq!(serde_reads, 2);
    }

    #[test]
    fn plain_runs_stop_at_the_first_byte_a_plain_string_cannot_hold() {
        for len in 0..40 {
            for at in 0..=len {
                for stop in [b'"', b'\\', 0x00, 0x1f, 0x80, 0xff] {
                    let mut b = vec![b'x'; len];
                    if at < len {
                        b[at] = stop;
                    }
                    assert_eq!(plain_run(&b), at, "{len} {at} {stop}");
                }
            }
        }
        // Bytes next to the stops are plain.
        assert_eq!(plain_run(b" !#[]~\x7f abcdefgh"), 16);
    }

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 65_536, 1_000_000, usize::MAX] {
            let mut s = String::new();
            push_number(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn newlines_are_found_in_any_position() {
        for len in 0..40 {
            for at in 0..=len {
                let mut b = vec![b'x'; len];
                if at < len {
                    b[at] = b'\n';
                }
                let want = (at < len).then_some(at);
                assert_eq!(find_newline(&b), want, "{len} {at}");
            }
        }
    }
}
