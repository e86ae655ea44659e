//! polcheck inside Apache DataFusion: `polcheck_decide` and `polcheck_deciding_statement` as
//! SQL functions, and CloudTrail files as a table.
//!
//! ```sql
//! SELECT principal, action, count(*) FROM cloudtrail
//! WHERE polcheck_decide('demo', principal, action, resource, context) = 'explicitDeny'
//! GROUP BY principal, action
//! ```
//!
//! - [`Worlds`]: the compiled worlds by id. A world is compiled once, by
//!   [`Worlds::compile`], into an `Arc<Engine>` that every batch of every partition shares
//!   (on a Ballista cluster: once per executor process, see docs/replay.md); the functions
//!   only look engines up.
//! - [`register`]: the two functions on a [`SessionContext`] (or [`register_udfs`] on any
//!   function registry, such as an executor's).
//! - [`cloudtrail_table`]: CloudTrail log files (`{"Records": [...]}`, gzip or not, directories
//!   read recursively), CloudTrail Lake / Athena NDJSON exports and EventBridge events as a
//!   table, each record mapped to its request by polcheck-core's reader
//!   ([`polcheck_core::cloudtrail::map_record`]). Files are read when a partition runs, not
//!   when the table is registered.
//!
//! The core never depends on this crate.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::streaming::StreamingTable;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::{FunctionRegistry, SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::SessionContext;
use polcheck_core::cloudtrail::replay::caller_text;
use polcheck_core::cloudtrail::{map_record, parse};
use polcheck_core::decide::Outcome;
use polcheck_core::policy::Effect;
use polcheck_core::{Context, ContextValue, Engine, Request};

/// The compiled worlds, by the id SQL names them with, shared (`Arc<Worlds>`) by the
/// functions of every session that [`register`]s them.
#[derive(Default)]
pub struct Worlds {
    engines: RwLock<HashMap<String, Arc<Engine>>>,
    compiled: AtomicU64,
    batches: AtomicU64,
}

impl fmt::Debug for Worlds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engines = self.engines.read().unwrap_or_else(PoisonError::into_inner);
        let mut ids: Vec<&String> = engines.keys().collect();
        ids.sort();
        f.debug_struct("Worlds")
            .field("ids", &ids)
            .field("compiled", &self.compiled())
            .finish()
    }
}

impl Worlds {
    /// No world yet.
    pub fn new() -> Arc<Worlds> {
        Arc::new(Worlds::default())
    }

    /// Compiles the world of `files` (name, text: what `polcheck --world` reads) under `id`,
    /// replacing any world of that id. The only place a world is compiled.
    pub fn compile(&self, id: &str, files: &[(String, String)]) -> Result<Arc<Engine>> {
        let mut b = Engine::builder();
        for (name, text) in files {
            b = b.world_file(name, text);
        }
        let engine = b
            .build()
            .map_err(|e| DataFusionError::Execution(format!("polcheck: world `{id}`: {e}")))?;
        Ok(self.insert(id, engine))
    }

    /// Compiles the world of a directory (every `.json` under it, in name order) or of one
    /// file.
    pub fn compile_path(&self, id: &str, path: &Path) -> Result<Arc<Engine>> {
        let mut names = Vec::new();
        if path.is_dir() {
            names = polcheck_core::cloudtrail::files_under(path, &|p| {
                p.extension().is_some_and(|x| x == "json")
            })
            .map_err(|e| DataFusionError::Execution(format!("polcheck: {e}")))?;
            if names.is_empty() {
                return Err(DataFusionError::Execution(format!(
                    "polcheck: {}: directory holds no .json file",
                    path.display()
                )));
            }
        } else {
            names.push(path.to_path_buf());
        }
        names.sort();
        let mut files = Vec::with_capacity(names.len());
        for n in names {
            let text = std::fs::read_to_string(&n).map_err(|e| {
                DataFusionError::Execution(format!("polcheck: {}: cannot read: {e}", n.display()))
            })?;
            files.push((n.display().to_string(), text));
        }
        self.compile(id, &files)
    }

    /// Registers an engine already built under `id` (counted as a compilation).
    pub fn insert(&self, id: &str, engine: Engine) -> Arc<Engine> {
        let engine = Arc::new(engine);
        self.compiled.fetch_add(1, Ordering::Relaxed);
        self.engines
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string(), Arc::clone(&engine));
        engine
    }

    /// The engine of `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Engine>> {
        self.engines
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// How many worlds were compiled (or inserted) since this registry was made.
    pub fn compiled(&self) -> u64 {
        self.compiled.load(Ordering::Relaxed)
    }

    /// How many batches the functions have decided.
    pub fn batches_decided(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }
}

/// Registers `polcheck_decide` and `polcheck_deciding_statement` over `worlds` on `ctx`.
pub fn register(ctx: &SessionContext, worlds: &Arc<Worlds>) {
    for udf in udfs(worlds) {
        ctx.register_udf(udf);
    }
}

/// Registers the functions on any registry (an executor's session state, for instance).
pub fn register_udfs(registry: &mut dyn FunctionRegistry, worlds: &Arc<Worlds>) -> Result<()> {
    for udf in udfs(worlds) {
        registry.register_udf(Arc::new(udf))?;
    }
    Ok(())
}

/// The two functions over `worlds`.
pub fn udfs(worlds: &Arc<Worlds>) -> [ScalarUDF; 2] {
    [
        ScalarUDF::from(Decide::new(Arc::clone(worlds), Answer::Decision)),
        ScalarUDF::from(Decide::new(Arc::clone(worlds), Answer::Statement)),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Answer {
    Decision,
    Statement,
}

/// `polcheck_decide(world_id, principal, action, resource, context)` → `allowed`,
/// `explicitDeny`, `implicitDeny` or `unknown`; `polcheck_deciding_statement(...)` → the
/// statement that decided (the Deny that applied, or for an allow the first Allow; the
/// service rule when one decided), `unknown: <what is missing>` for an unknown, NULL for an
/// implicit deny (no statement decided it).
///
/// `principal` NULL is an anonymous caller; `resource` NULL is `*`; `context` is NULL or a
/// JSON object of condition keys (`{"aws:SourceIp": "203.0.113.7"}`), where
/// `aws:ResourceAccount` also names the resource's account. A NULL world or action gives
/// NULL. An unknown world id or a malformed argument is a query error, never a silent answer.
#[derive(Debug)]
struct Decide {
    worlds: Arc<Worlds>,
    answer: Answer,
    signature: Signature,
}

impl Decide {
    fn new(worlds: Arc<Worlds>, answer: Answer) -> Decide {
        Decide {
            worlds,
            answer,
            signature: Signature::string(5, Volatility::Immutable),
        }
    }
}

impl PartialEq for Decide {
    fn eq(&self, other: &Self) -> bool {
        self.answer == other.answer && Arc::ptr_eq(&self.worlds, &other.worlds)
    }
}
impl Eq for Decide {}
impl std::hash::Hash for Decide {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.answer.hash(state);
    }
}

fn exec_err(msg: String) -> DataFusionError {
    DataFusionError::Execution(format!("polcheck: {msg}"))
}

/// The context of a request from its JSON text.
fn context_of(text: &str) -> Result<Context> {
    let mut ctx = Context::new();
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| exec_err(format!("context `{text}`: {e}")))?;
    let Some(map) = value.as_object() else {
        return Err(exec_err(format!(
            "context `{text}`: expected a JSON object of condition keys"
        )));
    };
    for (k, v) in map {
        let v = ContextValue::from_json(v).ok_or_else(|| {
            exec_err(format!(
                "context key `{k}`: expected a string, number, boolean or a list of them"
            ))
        })?;
        ctx.insert(k, v);
    }
    Ok(ctx)
}

fn strings(a: &ColumnarValue, rows: usize) -> Result<ArrayRef> {
    let array = a.to_array(rows)?;
    Ok(cast(&array, &DataType::Utf8)?)
}

/// The statement that decided, as `polcheck_deciding_statement` answers it.
fn deciding_statement(engine: &Engine, req: &Request) -> Option<String> {
    let d = engine.authorize(req);
    let wanted = match d.outcome {
        Outcome::ExplicitDeny => Effect::Deny,
        Outcome::Allowed => Effect::Allow,
        Outcome::Unknown => {
            let missing: Vec<String> = d.unknown.iter().map(ToString::to_string).collect();
            return Some(format!("unknown: {}", missing.join("; ")));
        }
        _ => return None,
    };
    match d.matched.iter().find(|m| m.effect == wanted) {
        Some(m) => {
            let sid = match &m.sid {
                Some(s) => format!(" {s}"),
                None => format!(" #{}", m.statement),
            };
            Some(format!(
                "{} {}{sid}: {}",
                m.kind.as_str(),
                m.policy,
                m.summary
            ))
        }
        None => d.service_rule.map(|r| format!("service: {r}")),
    }
}

impl ScalarUDFImpl for Decide {
    fn name(&self) -> &str {
        match self.answer {
            Answer::Decision => "polcheck_decide",
            Answer::Statement => "polcheck_deciding_statement",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.worlds.batches.fetch_add(1, Ordering::Relaxed);
        let rows = args.number_rows;
        let cols: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| strings(a, rows))
            .collect::<Result<_>>()?;
        let [world, principal, action, resource, context] = cols.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{} takes 5 arguments: world_id, principal, action, resource, context",
                self.name()
            )));
        };
        let (world, principal, action, resource, context) = (
            world.as_string::<i32>(),
            principal.as_string::<i32>(),
            action.as_string::<i32>(),
            resource.as_string::<i32>(),
            context.as_string::<i32>(),
        );
        let mut out = StringBuilder::with_capacity(rows, rows * 12);
        // The engines this batch names, looked up once each (a batch names one or two).
        let mut engines: Vec<(&str, Arc<Engine>)> = Vec::new();
        for i in 0..rows {
            if world.is_null(i) || action.is_null(i) {
                out.append_null();
                continue;
            }
            let id = world.value(i);
            let engine = match engines.iter().find(|(n, _)| *n == id) {
                Some((_, e)) => Arc::clone(e),
                None => {
                    let e = self
                        .worlds
                        .get(id)
                        .ok_or_else(|| exec_err(format!("no world `{id}` registered")))?;
                    engines.push((id, Arc::clone(&e)));
                    e
                }
            };
            let p = (!principal.is_null(i)).then(|| principal.value(i));
            let r = if resource.is_null(i) {
                "*"
            } else {
                resource.value(i)
            };
            let ctx = if context.is_null(i) {
                Context::new()
            } else {
                context_of(context.value(i))?
            };
            let account = ctx.get("aws:ResourceAccount").and_then(|v| match v {
                ContextValue::Single(a) => Some(a.clone()),
                _ => None,
            });
            let mut req = Request::new(p, action.value(i), r, ctx)
                .map_err(|e| exec_err(format!("row {i}: {e}")))?;
            if account.is_some() {
                req.set_resource_account(account);
            }
            match self.answer {
                Answer::Decision => out.append_value(engine.check(&req).0.as_str()),
                Answer::Statement => out.append_option(deciding_statement(&engine, &req)),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// The columns of the `cloudtrail` table, one row per record. The CloudTrail fields keep
/// their names lowercased (as Athena's CloudTrail table does), so unquoted SQL such as
/// `eventTime` finds them; then what polcheck maps the record to: `principal` (the caller's
/// ARN, a service name, NULL for anonymous), `action`, `resource`, `context` (the condition
/// keys as a JSON object), `observed` (`succeeded`, `denied`, `otherError`), and `unmapped`
/// (why the record is no request, NULL when it is one).
pub fn cloudtrail_schema() -> SchemaRef {
    let col = |n: &str| Field::new(n, DataType::Utf8, true);
    Arc::new(Schema::new(
        COLUMNS.iter().map(|n| col(n)).collect::<Vec<_>>(),
    ))
}

const COLUMNS: [&str; 15] = [
    "eventid",
    "eventtime",
    "eventsource",
    "eventname",
    "eventtype",
    "awsregion",
    "sourceipaddress",
    "useragent",
    "errorcode",
    "principal",
    "action",
    "resource",
    "context",
    "observed",
    "unmapped",
];

/// The CloudTrail files under `paths` (directories read recursively: every `.json`,
/// `.ndjson`, `.jsonl`, each optionally `.gz`), in name order: the core's walk
/// (`polcheck_core::cloudtrail::log_files`, each directory once, at most 32 deep).
pub fn log_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    polcheck_core::cloudtrail::log_files(paths).map_err(|e| exec_err(e.to_string()))
}

/// The `cloudtrail` table of the files under `paths` (see [`log_files`]), spread over
/// `partitions` partitions (at least one) that DataFusion runs in parallel; each partition
/// reads its files when it runs, one batch per file.
pub fn cloudtrail_table(paths: &[PathBuf], partitions: usize) -> Result<StreamingTable> {
    let files = log_files(paths)?;
    let schema = cloudtrail_schema();
    let n = partitions.clamp(1, files.len().max(1));
    let mut groups: Vec<Vec<PathBuf>> = vec![Vec::new(); n];
    for (i, f) in files.into_iter().enumerate() {
        if let Some(g) = groups.get_mut(i % n) {
            g.push(f);
        }
    }
    let parts: Vec<Arc<dyn PartitionStream>> = groups
        .into_iter()
        .map(|files| {
            Arc::new(Files {
                schema: Arc::clone(&schema),
                files,
            }) as Arc<dyn PartitionStream>
        })
        .collect();
    StreamingTable::try_new(schema, parts)
}

/// One partition of the table: its files.
#[derive(Debug)]
struct Files {
    schema: SchemaRef,
    files: Vec<PathBuf>,
}

impl PartitionStream for Files {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let schema = Arc::clone(&self.schema);
        let files = self.files.clone();
        let batches = futures::stream::iter(
            files
                .into_iter()
                .map(move |f| read_log(&f).and_then(|text| batch_of(&f, &text, &schema))),
        );
        Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            batches,
        ))
    }
}

/// The most one log file may hold once decompressed (a gzip bomb stops here).
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// A file's text, gunzipped when it starts with the gzip magic.
pub fn read_log(path: &Path) -> Result<String> {
    use std::io::Read;
    let bytes = std::fs::read(path)
        .map_err(|e| exec_err(format!("{}: cannot read: {e}", path.display())))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 8);
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .take(MAX_DECOMPRESSED + 1)
            .read_to_end(&mut out)
            .map_err(|e| exec_err(format!("{}: not valid gzip: {e}", path.display())))?;
        if out.len() as u64 > MAX_DECOMPRESSED {
            return Err(exec_err(format!(
                "{}: more than {} MiB once decompressed",
                path.display(),
                MAX_DECOMPRESSED >> 20
            )));
        }
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|e| exec_err(format!("{}: not UTF-8: {e}", path.display())))
}

/// The condition keys a request was given, as the JSON object `polcheck_decide` reads back,
/// with `aws:ResourceAccount` when the record names the resource's account.
pub fn context_json(req: &Request) -> String {
    let mut ctx: serde_json::Map<String, serde_json::Value> = req
        .given_context()
        .map(|(k, v)| {
            let v = match v {
                ContextValue::Multi(m) => serde_json::Value::from(m.clone()),
                other => serde_json::Value::from(other.values().first().cloned()),
            };
            (k.to_string(), v)
        })
        .collect();
    if let Some(a) = req.resource_account() {
        ctx.insert(
            "aws:ResourceAccount".to_string(),
            serde_json::Value::from(a),
        );
    }
    serde_json::Value::Object(ctx).to_string()
}

/// The rows of one file's text.
fn batch_of(path: &Path, text: &str, schema: &SchemaRef) -> Result<RecordBatch> {
    let records = parse(text).map_err(|e| exec_err(format!("{}:{e}", path.display())))?;
    let mut cols: Vec<StringBuilder> = COLUMNS.iter().map(|_| StringBuilder::new()).collect();
    for r in &records {
        let mapped = map_record(r);
        let (principal, action, resource, context, observed, unmapped) = match &mapped {
            Ok(ev) => (
                caller_text(ev.request.principal()),
                Some(ev.request.action().to_string()),
                Some(ev.request.resource().to_string()),
                Some(context_json(&ev.request)),
                Some(ev.observed.as_str().to_string()),
                None,
            ),
            Err(why) => (None, None, None, None, None, Some(why.to_string())),
        };
        let values: [Option<&str>; 15] = [
            r.event_id.get(),
            r.event_time.get(),
            r.event_source.get(),
            r.event_name.get(),
            r.event_type.get(),
            r.aws_region.get(),
            r.source_ip_address.get(),
            r.user_agent.get(),
            r.error_code.get(),
            principal.as_deref(),
            action.as_deref(),
            resource.as_deref(),
            context.as_deref(),
            observed.as_deref(),
            unmapped.as_deref(),
        ];
        for (b, v) in cols.iter_mut().zip(values) {
            b.append_option(v);
        }
    }
    let arrays: Vec<ArrayRef> = cols
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    Ok(RecordBatch::try_new(Arc::clone(schema), arrays)?)
}
