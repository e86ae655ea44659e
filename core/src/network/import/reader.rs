//! Typed access to a positioned JSON tree, turning every mismatch into an error that names the
//! file, the JSON path and the line:column.
//!
//! AWS SDK exports print absent members as explicit `null`s, so everywhere here a `null` member
//! reads exactly like a missing one.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::json::{Document, Json, JsonKind, JsonPath};

use super::super::error::{ImportErrorKind, NetworkImportError, NetworkWarning};

/// The file being read, and the warnings gathered so far.
pub(crate) struct Ctx<'a> {
    pub(crate) doc: &'a Document,
    pub(crate) file: &'a str,
    pub(crate) warnings: &'a mut Vec<NetworkWarning>,
    /// Routes read so far in every file, prefix-list routes expanded (see [`super::limits`]).
    pub(crate) routes: &'a mut usize,
}

impl Ctx<'_> {
    /// An error at `json`.
    pub(crate) fn error(
        &self,
        path: &JsonPath,
        json: &Json,
        kind: ImportErrorKind,
    ) -> NetworkImportError {
        NetworkImportError {
            file: self.file.to_string(),
            path: path.clone(),
            position: self.doc.position(json.span.start),
            kind,
        }
    }

    /// Records a warning at `json`.
    pub(crate) fn warn(
        &mut self,
        path: &JsonPath,
        json: &Json,
        code: &'static str,
        message: String,
    ) {
        let position = self.doc.position(json.span.start);
        self.warnings.push(NetworkWarning {
            file: self.file.to_string(),
            path: path.to_string(),
            line: position.line,
            column: position.column,
            code,
            message,
        });
    }

    fn wrong_type(
        &self,
        path: &JsonPath,
        json: &Json,
        expected: &'static str,
    ) -> NetworkImportError {
        self.error(
            path,
            json,
            ImportErrorKind::WrongType {
                expected,
                found: json.type_name(),
            },
        )
    }

    /// Checks that `json` is an object.
    pub(crate) fn object(&self, path: &JsonPath, json: &Json) -> Result<(), NetworkImportError> {
        match json.kind {
            JsonKind::Object(_) => Ok(()),
            _ => Err(self.wrong_type(path, json, "an object")),
        }
    }

    /// The elements of an optional array member (`null` or absent: none), each with its path.
    pub(crate) fn array<'j>(
        &self,
        obj: &'j Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Vec<(JsonPath, &'j Json)>, NetworkImportError> {
        let Some(value) = member(obj, key) else {
            return Ok(Vec::new());
        };
        let p = path.key(key);
        let items = value
            .as_array()
            .ok_or_else(|| self.wrong_type(&p, value, "an array"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| (p.index(i), v))
            .collect())
    }

    /// An optional string member.
    pub(crate) fn opt_str<'j>(
        &self,
        obj: &'j Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<&'j str>, NetworkImportError> {
        match member(obj, key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| self.wrong_type(&path.key(key), v, "a string")),
        }
    }

    /// A required string member.
    pub(crate) fn req_str<'j>(
        &self,
        obj: &'j Json,
        path: &JsonPath,
        key: &'static str,
    ) -> Result<&'j str, NetworkImportError> {
        self.opt_str(obj, path, key)?
            .ok_or_else(|| self.error(path, obj, ImportErrorKind::MissingField { field: key }))
    }

    /// An optional boolean member (`"true"`/`"false"` strings accepted too).
    pub(crate) fn opt_bool(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<bool>, NetworkImportError> {
        match member(obj, key).map(|v| (&v.kind, v)) {
            None => Ok(None),
            Some((JsonKind::Bool(b), _)) => Ok(Some(*b)),
            Some((JsonKind::String(s), _)) if s == "true" || s == "false" => Ok(Some(s == "true")),
            Some((_, v)) => Err(self.wrong_type(&path.key(key), v, "a boolean")),
        }
    }

    /// An optional integer member (numbers, or strings holding one).
    pub(crate) fn opt_int(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<i64>, NetworkImportError> {
        let Some(v) = member(obj, key) else {
            return Ok(None);
        };
        let p = path.key(key);
        match &v.kind {
            JsonKind::Number(n) | JsonKind::String(n) => {
                n.trim().parse::<i64>().map(Some).map_err(|_| {
                    self.error(
                        &p,
                        v,
                        ImportErrorKind::InvalidValue {
                            value: n.clone(),
                            expected: "an integer",
                        },
                    )
                })
            }
            _ => Err(self.wrong_type(&p, v, "an integer")),
        }
    }

    /// An optional member whose text (string or number) is returned with its node.
    pub(crate) fn opt_text<'j>(
        &self,
        obj: &'j Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<(String, &'j Json)>, NetworkImportError> {
        match member(obj, key) {
            None => Ok(None),
            Some(v) => match &v.kind {
                JsonKind::String(s) | JsonKind::Number(s) => Ok(Some((s.clone(), v))),
                _ => Err(self.wrong_type(&path.key(key), v, "a string")),
            },
        }
    }

    /// An optional IPv4 CIDR member.
    pub(crate) fn opt_cidr_v4(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<IpNet>, NetworkImportError> {
        self.opt_cidr(obj, path, key, "IPv4", |t| {
            t.parse::<Ipv4Net>().ok().map(|n| IpNet::V4(n.trunc()))
        })
    }

    /// An optional IPv6 CIDR member.
    pub(crate) fn opt_cidr_v6(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<IpNet>, NetworkImportError> {
        self.opt_cidr(obj, path, key, "IPv6", |t| {
            t.parse::<Ipv6Net>().ok().map(|n| IpNet::V6(n.trunc()))
        })
    }

    /// An optional CIDR member of one family, read by `read`.
    fn opt_cidr(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
        family: &'static str,
        read: impl Fn(&str) -> Option<IpNet>,
    ) -> Result<Option<IpNet>, NetworkImportError> {
        let Some(text) = self.opt_str(obj, path, key)? else {
            return Ok(None);
        };
        let node = member(obj, key).unwrap_or(obj);
        read(text.trim()).map(Some).ok_or_else(|| {
            self.error(
                &path.key(key),
                node,
                ImportErrorKind::InvalidCidr {
                    family,
                    value: text.to_string(),
                },
            )
        })
    }

    /// An optional CIDR member of either family.
    pub(crate) fn opt_cidr_any(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<IpNet>, NetworkImportError> {
        let Some(text) = self.opt_str(obj, path, key)? else {
            return Ok(None);
        };
        let node = member(obj, key).unwrap_or(obj);
        text.trim()
            .parse::<IpNet>()
            .map(|n| Some(n.trunc()))
            .map_err(|_| {
                self.error(
                    &path.key(key),
                    node,
                    ImportErrorKind::InvalidCidr {
                        family: if text.contains(':') { "IPv6" } else { "IPv4" },
                        value: text.to_string(),
                    },
                )
            })
    }

    /// An optional IPv4 address member.
    pub(crate) fn opt_ipv4(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<Ipv4Addr>, NetworkImportError> {
        let Some(text) = self.opt_str(obj, path, key)? else {
            return Ok(None);
        };
        let node = member(obj, key).unwrap_or(obj);
        text.trim().parse::<Ipv4Addr>().map(Some).map_err(|_| {
            self.error(
                &path.key(key),
                node,
                ImportErrorKind::InvalidAddress {
                    family: "IPv4",
                    value: text.to_string(),
                },
            )
        })
    }

    /// An optional IPv6 address member.
    pub(crate) fn opt_ipv6(
        &self,
        obj: &Json,
        path: &JsonPath,
        key: &str,
    ) -> Result<Option<Ipv6Addr>, NetworkImportError> {
        let Some(text) = self.opt_str(obj, path, key)? else {
            return Ok(None);
        };
        let node = member(obj, key).unwrap_or(obj);
        text.trim().parse::<Ipv6Addr>().map(Some).map_err(|_| {
            self.error(
                &path.key(key),
                node,
                ImportErrorKind::InvalidAddress {
                    family: "IPv6",
                    value: text.to_string(),
                },
            )
        })
    }
}

/// The member `key` of an object, treating `null` as absent.
pub(crate) fn member<'j>(obj: &'j Json, key: &str) -> Option<&'j Json> {
    obj.get(key).filter(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn null_reads_as_absent_and_types_are_checked() {
        let doc = json::parse(r#"{"A": null, "B": "x", "C": 5, "D": [1]}"#).unwrap();
        let mut warnings = Vec::new();
        let mut routes = 0;
        let ctx = Ctx {
            doc: &doc,
            file: "w.json",
            warnings: &mut warnings,
            routes: &mut routes,
        };
        let root = JsonPath::root();
        assert_eq!(ctx.opt_str(&doc.root, &root, "A").unwrap(), None);
        assert!(ctx.array(&doc.root, &root, "A").unwrap().is_empty());
        assert_eq!(ctx.opt_int(&doc.root, &root, "C").unwrap(), Some(5));
        let err = ctx.opt_str(&doc.root, &root, "C").unwrap_err();
        assert_eq!(
            err.to_string(),
            "w.json:1:28: C: expected a string, found a number"
        );
        let err = ctx.req_str(&doc.root, &root, "Z").unwrap_err();
        assert!(err.to_string().contains("missing `Z`"), "{err}");
    }
}
