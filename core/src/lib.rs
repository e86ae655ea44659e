//! polcheck-core: would AWS allow this? Answered offline.
#![forbid(unsafe_code)]

pub mod json;
pub mod network;
