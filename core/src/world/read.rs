//! Typed access to the JSON of one world file, every failure located (file, path, line:column).

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
        parse::from_json(node, self.lines, path).map_err(|error| WorldError::Policy {
            file: self.file.to_string(),
            error: Box::new(error),
        })
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
