//! What can go wrong reading a world's network keys, or a flow.
//!
//! Import errors always say where: the file name given to the importer, the JSON path
//! (`Subnets[2].CidrBlock`) and the line:column of the offending value. A mistake that leaves
//! the model unable to place a component (a subnet whose VPC is missing, an interface whose
//! subnet is missing, a CIDR that does not parse) is an error. A loose end that only removes
//! something (a rule naming an unknown security group or prefix list, an association to a
//! missing subnet, a duplicate id) is a [`NetworkWarning`], returned as a value for the caller
//! to show: the estate is still evaluated, and the loose end can only make polcheck deny more.

use crate::json::{JsonPath, Position};

/// A network key of a world cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{position}: {path}: {kind}")]
pub struct NetworkImportError {
    /// The file name the caller gave for the document.
    pub file: String,
    /// The JSON path of the offending value.
    pub path: JsonPath,
    /// Its line and column.
    pub position: Position,
    /// What is wrong.
    pub kind: ImportErrorKind,
}

/// What is wrong with an imported value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// A value of the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What was expected, e.g. `an array`.
        expected: &'static str,
        /// What was found, e.g. `a string`.
        found: &'static str,
    },
    /// A required member is absent or null.
    #[error("missing `{field}`")]
    MissingField {
        /// The member's name.
        field: &'static str,
    },
    /// A CIDR block that does not parse or has the wrong address family.
    #[error("invalid {family} cidr block `{value}`")]
    InvalidCidr {
        /// `IPv4` or `IPv6`.
        family: &'static str,
        /// The text found.
        value: String,
    },
    /// An address that does not parse.
    #[error("invalid {family} address `{value}`")]
    InvalidAddress {
        /// `IPv4` or `IPv6`.
        family: &'static str,
        /// The text found.
        value: String,
    },
    /// A value outside its allowed set or range.
    #[error("invalid value `{value}`: expected {expected}")]
    InvalidValue {
        /// The text found.
        value: String,
        /// What would be accepted.
        expected: &'static str,
    },
    /// The world is larger than a limit of [`crate::network::import::limits`].
    #[error("more than {limit} {what} in the world (the limit of polcheck's network importer)")]
    Limit {
        /// What is counted, e.g. `routes`.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A reference to a component the world does not define.
    #[error("unknown {what} `{id}`")]
    UnknownReference {
        /// What kind of component, e.g. `vpc`.
        what: &'static str,
        /// The id named.
        id: String,
    },
}

/// A loose end in the world that polcheck works around (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkWarning {
    /// The file name the caller gave for the document.
    pub file: String,
    /// The JSON path, as text.
    pub path: String,
    /// Line of the value.
    pub line: u32,
    /// Column of the value.
    pub column: u32,
    /// A stable code, e.g. `UNKNOWN_SECURITY_GROUP`.
    pub code: &'static str,
    /// The message, lowercase, user input in backticks.
    pub message: String,
}

impl std::fmt::Display for NetworkWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.path, self.message
        )
    }
}

/// A flow cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The flow object is malformed.
    #[error("invalid flow: {0}")]
    Invalid(String),
    /// An instance or interface id the world does not define.
    #[error("unknown endpoint `{0}`: no instance or network interface of the world has this id")]
    UnknownEndpoint(String),
    /// An address inside a subnet that belongs to no interface.
    #[error("address `{0}` lies inside a vpc but belongs to no network interface")]
    AddressWithoutInterface(String),
    /// An instance without any network interface.
    #[error("instance `{0}` has no network interface")]
    NoInterface(String),
    /// An endpoint without an address of the flow's family.
    #[error("`{endpoint}` has no {family} address")]
    NoAddress {
        /// The endpoint as written.
        endpoint: String,
        /// `IPv4` or `IPv6`.
        family: &'static str,
    },
    /// The two endpoints are addresses of different families.
    #[error("`{0}` and `{1}` are addresses of different families")]
    MixedFamilies(String, String),
    /// Both endpoints are outside every VPC: nothing of the world lies on the path.
    #[error("neither `{0}` nor `{1}` is inside a vpc of the world")]
    NothingToEvaluate(String, String),
}
