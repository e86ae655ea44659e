//! Typed access to the JSON of one world file, every failure located (file, path, line:column).

use std::cell::Cell;

use crate::json::{Json, JsonKind, JsonPath, LineIndex, Span};
use crate::policy::{parse, Policy};

use super::error::{At, WorldError};

/// One file being read.
#[derive(Clone, Copy)]
pub(super) struct Reader<'a> {
    /// The file name, as errors print it.
    pub file: &'a str,
    /// Its lines, for positions.
    pub lines: &'a LineIndex,
    /// Statements read so far in every file of the world (see [`super::limits`]).
    pub statements: &'a Cell<usize>,
}

impl<'a> Reader<'a> {
    /// The place of a node.
    pub fn at(&self, node: &Json, path: &JsonPath) -> At {
        self.at_span(node.span, path)
    }

    /// The place of a span (an object key).
    pub fn at_span(&self, span: Span, path: &JsonPath) -> At {
        At {
            file: self.file.to_string(),
            path: path.clone(),
            position: self.lines.position(span.start),
        }
    }

    fn wrong(&self, node: &Json, path: &JsonPath, expected: &'static str) -> WorldError {
        WorldError::WrongType {
            at: self.at(node, path),
            expected,
            found: node.type_name(),
        }
    }

    /// Requires an object.
    pub fn object(&self, node: &Json, path: &JsonPath) -> Result<(), WorldError> {
        match node.kind {
            JsonKind::Object(_) => Ok(()),
            _ => Err(self.wrong(node, path, "an object")),
        }
    }

    /// Requires an array; `null` reads as empty (AWS prints `null` for some empty lists).
    pub fn array<'j>(&self, node: &'j Json, path: &JsonPath) -> Result<&'j [Json], WorldError> {
        match &node.kind {
            JsonKind::Array(a) => Ok(a),
            JsonKind::Null => Ok(&[]),
            _ => Err(self.wrong(node, path, "an array")),
        }
    }

    /// Requires a string.
    pub fn string<'j>(&self, node: &'j Json, path: &JsonPath) -> Result<&'j str, WorldError> {
        node.as_str()
            .ok_or_else(|| self.wrong(node, path, "a string"))
    }

    /// A member that is present and not `null`, with its path.
    pub fn field<'j>(
        &self,
        obj: &'j Json,
        key: &str,
        path: &JsonPath,
    ) -> Option<(&'j Json, JsonPath)> {
        obj.get(key)
            .filter(|v| !v.is_null())
            .map(|v| (v, path.key(key)))
    }

    /// A member that must be present.
    pub fn required<'j>(
        &self,
        obj: &'j Json,
        key: &'static str,
        path: &JsonPath,
    ) -> Result<(&'j Json, JsonPath), WorldError> {
        self.field(obj, key, path)
            .ok_or_else(|| WorldError::Missing {
                at: self.at(obj, path),
                key,
            })
    }

    /// A string member that must be present.
    pub fn req_str<'j>(
        &self,
        obj: &'j Json,
        key: &'static str,
        path: &JsonPath,
    ) -> Result<&'j str, WorldError> {
        let (v, p) = self.required(obj, key, path)?;
        self.string(v, &p)
    }

    /// A string member that may be absent.
    pub fn opt_str<'j>(
        &self,
        obj: &'j Json,
        key: &str,
        path: &JsonPath,
    ) -> Result<Option<&'j str>, WorldError> {
        self.field(obj, key, path)
            .map(|(v, p)| self.string(v, &p))
            .transpose()
    }

    /// The elements of an array member (none when absent), each with its path.
    pub fn items<'j>(
        &self,
        obj: &'j Json,
        key: &str,
        path: &JsonPath,
    ) -> Result<Vec<(&'j Json, JsonPath)>, WorldError> {
        let Some((v, p)) = self.field(obj, key, path) else {
            return Ok(Vec::new());
        };
        Ok(self
            .array(v, &p)?
            .iter()
            .enumerate()
            .map(|(i, item)| (item, p.index(i)))
            .collect())
    }

    /// A policy document: an object, a JSON string or a URL-encoded string.
    pub fn policy(&self, node: &Json, path: &JsonPath) -> Result<Policy, WorldError> {
        let mut policy =
            parse::from_json(node, self.lines, path).map_err(|error| WorldError::Policy {
                file: self.file.to_string(),
                error: Box::new(error),
            })?;
        policy.source = Some(std::sync::Arc::new(crate::policy::PolicySource {
            file: std::sync::Arc::from(self.file),
            outer: node
                .as_str()
                .is_some()
                .then(|| self.lines.position(node.span.start)),
        }));
        let total = self.statements.get() + policy.statements.len();
        if total > super::limits::MAX_STATEMENTS {
            return Err(WorldError::Limit {
                at: self.at(node, path),
                what: "policy statements",
                limit: super::limits::MAX_STATEMENTS,
            });
        }
        self.statements.set(total);
        Ok(policy)
    }

    /// The unknown keys of an object, for warnings.
    pub fn unknown_keys<'j>(
        &self,
        obj: &'j Json,
        known: &'static [&'static str],
        path: &JsonPath,
    ) -> impl Iterator<Item = (String, At)> + 'j
    where
        'a: 'j,
    {
        let reader = *self;
        let path = path.clone();
        obj.members()
            .unwrap_or(&[])
            .iter()
            .filter(move |m| !known.contains(&m.key.as_str()))
            .map(move |m| (m.key.clone(), reader.at_span(m.key_span, &path.key(&m.key))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn statements_over_the_world_limit_are_refused() {
        let doc =
            json::parse(r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#)
                .unwrap();
        let full = Cell::new(crate::world::limits::MAX_STATEMENTS);
        let r = Reader {
            file: "iam.json",
            lines: doc.line_index(),
            statements: &full,
        };
        let err = r.policy(&doc.root, &JsonPath::root().key("P")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "iam.json:1:1: P: more than 1000000 policy statements in the world \
             (the limit of polcheck's world importer)"
        );
        let room = Cell::new(crate::world::limits::MAX_STATEMENTS - 1);
        let r = Reader {
            statements: &room,
            ..r
        };
        assert!(r.policy(&doc.root, &JsonPath::root()).is_ok());
        assert_eq!(room.get(), crate::world::limits::MAX_STATEMENTS);
    }
}
