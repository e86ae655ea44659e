//! Errors of the service catalogue.

/// Why the embedded catalogue could not be used.
///
/// The catalogue is generated and committed, and a unit test parses it, so these errors mean a
/// broken build input (a hand-edited or truncated `corpus/catalogue/*.json`), never bad user input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// The embedded file is not the JSON shape the loader expects.
    #[error("embedded catalogue file `{file}` is malformed: {message}")]
    Malformed {
        /// Which embedded file.
        file: &'static str,
        /// What serde reported.
        message: String,
    },
    /// A value inside the embedded file is out of range or unknown.
    #[error("embedded catalogue file `{file}` is inconsistent: {message}")]
    Inconsistent {
        /// Which embedded file.
        file: &'static str,
        /// What is wrong, naming the offending value in backticks.
        message: String,
    },
}
