//! polcheck inside Apache DataFusion: `polcheck_decide` and `polcheck_deciding_statement` as
//! SQL functions, and CloudTrail files as a table.
//!
//! ```sql
//! SELECT principal, action, count(*) FROM cloudtrail
//! WHERE polcheck_decide('after', principal, action, resource, context) = 'explicitDeny'
//! GROUP BY principal, action
//! ```
//!
//! Worlds are compiled once, when [`register`] is called, into `Arc<Engine>`s the functions
//! share across every batch and partition: on a Ballista cluster, call [`register`] once per
//! executor process (see the README, "Replay at scale"), never per row or batch.
//!
//! The core never depends on this crate.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::MemTable;
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use polcheck_core::cloudtrail::replay::caller_text;
use polcheck_core::cloudtrail::{map_record, parse};
use polcheck_core::{Context, ContextValue};
use polcheck_core::decide::Outcome;
use polcheck_core::policy::Effect;
use polcheck_core::{Engine, Request};

/// Compiled worlds by the id SQL names them with.
pub type Worlds = Arc<HashMap<String, Arc<Engine>>>;

/// Registers `polcheck_decide` and `polcheck_deciding_statement` over `worlds`.
pub fn register(ctx: &SessionContext, worlds: Worlds) {
    ctx.register_udf(ScalarUDF::from(Decide::new(worlds.clone(), false)));
    ctx.register_udf(ScalarUDF::from(Decide::new(worlds, true)));
}

/// `polcheck_decide(world_id, principal, action, resource, context)` → `allowed`,
/// `explicitDeny`, `implicitDeny` or `unknown`; `polcheck_deciding_statement(...)` → the
/// statement that decided (the Deny that applied, or for an allow the first Allow), NULL for
/// an implicit deny (no statement decided it).
///
/// `principal` NULL is an anonymous caller; `context` is NULL or a JSON object of condition
/// keys (`{"aws:SourceIp": "203.0.113.7"}`). An unknown world id or a malformed argument is
/// a query error, never a silent answer.
#[derive(Debug)]
struct Decide {
    worlds: Worlds,
    explain: bool,
    signature: Signature,
}

impl Decide {
    fn new(worlds: Worlds, explain: bool) -> Decide {
        Decide {
            worlds,
            explain,
            signature: Signature::string(5, Volatility::Immutable),
        }
    }
}

impl PartialEq for Decide {
    fn eq(&self, other: &Self) -> bool {
        self.explain == other.explain && Arc::ptr_eq(&self.worlds, &other.worlds)
    }
}
impl Eq for Decide {}
impl std::hash::Hash for Decide {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.explain.hash(state);
    }
}

fn context_of(text: Option<&str>) -> Result<Context> {
    let mut ctx = Context::new();
    let Some(text) = text else {
        return Ok(ctx);
    };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| DataFusionError::Execution(format!("polcheck: context `{text}`: {e}")))?;
    let Some(map) = value.as_object() else {
        return Err(DataFusionError::Execution(format!(
            "polcheck: context `{text}`: expected a JSON object of condition keys"
        )));
    };
    for (k, v) in map {
        let v = ContextValue::from_json(v).ok_or_else(|| {
            DataFusionError::Execution(format!(
                "polcheck: context key `{k}`: expected a string, number, boolean or list"
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

fn outcome_str(o: Outcome) -> &'static str {
    o.as_str()
}

impl ScalarUDFImpl for Decide {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn name(&self) -> &str {
        if self.explain {
            "polcheck_deciding_statement"
        } else {
            "polcheck_decide"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let cols: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| strings(a, rows))
            .collect::<Result<_>>()?;
        let [world, principal, action, resource, context] = cols.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{} takes 5 arguments",
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
        let mut last: Option<(&str, &Arc<Engine>)> = None;
        for i in 0..rows {
            if world.is_null(i) || action.is_null(i) {
                out.append_null();
                continue;
            }
            let id = world.value(i);
            let engine = match last {
                Some((name, e)) if name == id => e,
                _ => {
                    let e = self.worlds.get(id).ok_or_else(|| {
                        DataFusionError::Execution(format!("polcheck: no world `{id}` registered"))
                    })?;
                    last = Some((id, e));
                    e
                }
            };
            let p = (!principal.is_null(i)).then(|| principal.value(i));
            let r = if resource.is_null(i) {
                "*"
            } else {
                resource.value(i)
            };
            let ctx = context_of((!context.is_null(i)).then(|| context.value(i)))?;
            let req = Request::new(p, action.value(i), r, ctx)
                .map_err(|e| DataFusionError::Execution(format!("polcheck: {e}")))?;
            if self.explain {
                let d = engine.authorize(&req);
                let wanted = match d.outcome {
                    Outcome::ExplicitDeny => Some(Effect::Deny),
                    Outcome::Allowed => Some(Effect::Allow),
                    _ => None,
                };
                let m = d.matched.iter().find(|m| Some(m.effect) == wanted);
                match m {
                    Some(m) => {
                        out.append_value(format!("{} {}: {}", m.kind.as_str(), m.policy, m.summary))
                    }
                    None => out.append_null(),
                }
            } else {
                out.append_value(outcome_str(engine.check(&req).0));
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// The columns of the `cloudtrail` table: one row per record.
pub fn cloudtrail_schema() -> Arc<Schema> {
    let col = |n: &str| Field::new(n, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        col("event_id"),
        col("event_time"),
        col("event_source"),
        col("event_name"),
        col("principal"),
        col("action"),
        col("resource"),
        col("context"),
        col("observed"),
        col("unmapped"),
    ]))
}

/// A table of CloudTrail texts (log files, NDJSON exports, EventBridge events; gzip or not),
/// one batch per file, each record mapped to its request (`unmapped` says why when it is none).
pub fn cloudtrail_table(files: &[(String, Vec<u8>)]) -> Result<MemTable> {
    let schema = cloudtrail_schema();
    let mut batches = Vec::new();
    for (name, bytes) in files {
        let text = decode(name, bytes)?;
        let records =
            parse(&text).map_err(|e| DataFusionError::Execution(format!("{name}:{e}")))?;
        let mut cols: Vec<StringBuilder> = (0..10).map(|_| StringBuilder::new()).collect();
        for r in &records {
            let base = [
                r.event_id.get(),
                r.event_time.get(),
                r.event_source.get(),
                r.event_name.get(),
            ];
            let mapped = map_record(r);
            let (principal, action, resource, context, observed, unmapped) = match &mapped {
                Ok(ev) => {
                    let ctx: serde_json::Map<String, serde_json::Value> = ev
                        .request
                        .context
                        .iter()
                        .map(|(k, v)| {
                            let v = match v {
                                ContextValue::Single(s) => serde_json::Value::from(s.as_str()),
                                ContextValue::Multi(m) => serde_json::Value::from(m.clone()),
                            };
                            (k.to_string(), v)
                        })
                        .collect();
                    (
                        caller_text(&ev.request.principal),
                        Some(ev.request.action.clone()),
                        Some(ev.request.resource.clone()),
                        Some(serde_json::Value::Object(ctx).to_string()),
                        Some(ev.observed.as_str().to_string()),
                        None,
                    )
                }
                Err(why) => (None, None, None, None, None, Some(why.to_string())),
            };
            let values: [Option<&str>; 10] = [
                base[0],
                base[1],
                base[2],
                base[3],
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
        batches.push(RecordBatch::try_new(schema.clone(), arrays)?);
    }
    MemTable::try_new(schema, vec![batches])
}

fn decode(name: &str, bytes: &[u8]) -> Result<String> {
    use std::io::Read;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| DataFusionError::Execution(format!("{name}: not valid gzip: {e}")))?;
        out
    } else {
        bytes.to_vec()
    };
    String::from_utf8(bytes)
        .map_err(|e| DataFusionError::Execution(format!("{name}: not UTF-8: {e}")))
}

/// Keeps `StringArray` in the public types used by callers of [`cloudtrail_table`].
pub type Column = StringArray;
