//! Parsing of the embedded files into a [`Catalogue`].
//!
//! `catalogue.json` (written by `corpus/catalogue/generate.py`, format in its README):
//! `{"v", "updated", "keys": [[name, type]…], "services": [[prefix, name, [key…],
//! [[type name, [arn format…], [service key position…]]…], [[action, level, [required
//! type…], [optional type…], [service key position…]]…]]…]}`.

use std::collections::HashMap;

use serde::Deserialize;

use super::arn_format::ArnFormat;
use super::error::CatalogueError;
use super::model::{AccessLevel, Action, ConditionKey, ConditionKeyType, ResourceType, Service};
use super::template::KeyTemplate;
use super::Catalogue;

const CATALOGUE_FILE: &str = "catalogue.json";
const GLOBALS_FILE: &str = "global-condition-keys.json";

type RawResourceType = (String, Vec<String>, Vec<usize>);
type RawAction = (String, String, Vec<usize>, Vec<usize>, Vec<usize>);
type RawService = (
    String,
    String,
    Vec<usize>,
    Vec<RawResourceType>,
    Vec<RawAction>,
);

#[derive(Deserialize)]
struct RawCatalogue {
    v: String,
    keys: Vec<(String, String)>,
    services: Vec<RawService>,
}

#[derive(Deserialize)]
struct RawGlobals {
    keys: Vec<RawGlobal>,
}

#[derive(Deserialize)]
struct RawGlobal {
    key: String,
    #[serde(rename = "type")]
    ty: String,
}

fn inconsistent(file: &'static str, message: String) -> CatalogueError {
    CatalogueError::Inconsistent { file, message }
}

fn key(file: &'static str, name: &str, ty: &str) -> Result<ConditionKey, CatalogueError> {
    let ty: ConditionKeyType = ty
        .parse()
        .map_err(|e| inconsistent(file, format!("{e} for key `{name}`")))?;
    Ok(ConditionKey {
        name: name.to_string(),
        ty,
        template: KeyTemplate::new(name),
    })
}

/// Parses both embedded texts.
pub(crate) fn parse(catalogue: &str, globals: &str) -> Result<Catalogue, CatalogueError> {
    let raw: RawCatalogue =
        serde_json::from_str(catalogue).map_err(|e| CatalogueError::Malformed {
            file: CATALOGUE_FILE,
            message: e.to_string(),
        })?;
    let raw_globals: RawGlobals =
        serde_json::from_str(globals).map_err(|e| CatalogueError::Malformed {
            file: GLOBALS_FILE,
            message: e.to_string(),
        })?;
    let keys = raw
        .keys
        .iter()
        .map(|(n, t)| key(CATALOGUE_FILE, n, t))
        .collect::<Result<Vec<_>, _>>()?;
    let services = raw
        .services
        .into_iter()
        .map(|s| service(s, &keys))
        .collect::<Result<Vec<_>, _>>()?;
    let global_keys = raw_globals
        .keys
        .iter()
        .map(|g| key(GLOBALS_FILE, &g.key, &g.ty))
        .collect::<Result<Vec<_>, _>>()?;
    let by_prefix = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.prefix.to_ascii_lowercase(), i))
        .collect();
    Ok(Catalogue {
        version: raw.v,
        services,
        by_prefix,
        global_keys,
    })
}

fn service(raw: RawService, keys: &[ConditionKey]) -> Result<Service, CatalogueError> {
    let (prefix, name, key_ids, raw_types, raw_actions) = raw;
    let bad = |what: &str, i: usize| {
        inconsistent(
            CATALOGUE_FILE,
            format!("service `{prefix}`: {what} index `{i}` out of range"),
        )
    };
    let condition_keys = key_ids
        .iter()
        .map(|&i| keys.get(i).cloned().ok_or_else(|| bad("condition key", i)))
        .collect::<Result<Vec<_>, _>>()?;
    let local_key = |i: usize| {
        if i < condition_keys.len() {
            Ok(i)
        } else {
            Err(bad("service condition key", i))
        }
    };
    let mut resource_types = Vec::with_capacity(raw_types.len());
    for (rt_name, formats, rt_keys) in raw_types {
        resource_types.push(ResourceType {
            service: prefix.clone(),
            name: rt_name,
            arn_formats: formats.iter().map(|f| ArnFormat::new(f)).collect(),
            condition_keys: rt_keys
                .into_iter()
                .map(local_key)
                .collect::<Result<_, _>>()?,
        });
    }
    ArnFormat::refine_service(
        &mut resource_types
            .iter_mut()
            .flat_map(|t| t.arn_formats.iter_mut())
            .collect::<Vec<_>>(),
    );
    let n_types = resource_types.len();
    let local_type = |i: usize| {
        if i < n_types {
            Ok(i)
        } else {
            Err(bad("resource type", i))
        }
    };
    let mut actions = Vec::with_capacity(raw_actions.len());
    let mut action_index = HashMap::with_capacity(raw_actions.len());
    for (a_name, level, required, optional, a_keys) in raw_actions {
        let access_level = AccessLevel::from_code(&level).ok_or_else(|| {
            inconsistent(
                CATALOGUE_FILE,
                format!("action `{prefix}:{a_name}`: unknown access level `{level}`"),
            )
        })?;
        let mut rts = Vec::with_capacity(required.len() + optional.len());
        for i in required {
            rts.push((local_type(i)?, true));
        }
        for i in optional {
            rts.push((local_type(i)?, false));
        }
        action_index.insert(a_name.to_ascii_lowercase(), actions.len());
        actions.push(Action {
            name: a_name,
            access_level,
            resource_types: rts,
            condition_keys: a_keys
                .into_iter()
                .map(local_key)
                .collect::<Result<_, _>>()?,
        });
    }
    Ok(Service {
        prefix,
        name,
        condition_keys,
        resource_types,
        actions,
        action_index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOBALS: &str = r#"{"keys":[{"key":"aws:SourceIp","type":"IPAddress"}]}"#;

    #[cfg(feature = "catalogue")]
    #[test]
    fn embedded_files_parse() {
        let c = parse(super::super::CATALOGUE_JSON, super::super::GLOBAL_KEYS_JSON);
        assert!(c.is_ok(), "{c:?}");
    }

    #[test]
    fn broken_input_is_a_typed_error() {
        assert!(matches!(
            parse("{", GLOBALS),
            Err(CatalogueError::Malformed {
                file: "catalogue.json",
                ..
            })
        ));
        let bad_level = r#"{"v":"x","keys":[],"services":[["s","S",[],[],[["A","Q",[],[],[]]]]]}"#;
        let e = parse(bad_level, GLOBALS)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown access level `Q`"), "{e}");
        let bad_index = r#"{"v":"x","keys":[],"services":[["s","S",[],[],[["A","R",[3],[],[]]]]]}"#;
        assert!(matches!(
            parse(bad_index, GLOBALS),
            Err(CatalogueError::Inconsistent { .. })
        ));
        let bad_type = r#"{"keys":[{"key":"aws:X","type":"Colour"}]}"#;
        let ok = r#"{"v":"x","keys":[],"services":[]}"#;
        let e = parse(ok, bad_type)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown condition key type `Colour`"), "{e}");
    }
}
