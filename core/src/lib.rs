//! polcheck-core: would AWS allow this? Answered offline.
#![forbid(unsafe_code)]

pub mod catalogue;
pub mod json;
