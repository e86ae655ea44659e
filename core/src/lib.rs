//! polcheck-core: would AWS allow this? Answered offline.
#![forbid(unsafe_code)]

pub mod arn;
pub mod condition;
pub mod context;
pub mod json;
pub mod pattern;
pub mod policy;
pub mod variables;
