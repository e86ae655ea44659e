//! polcheck-core: would AWS allow this? Answered offline.
#![forbid(unsafe_code)]

pub mod arn;
pub mod catalogue;
pub mod compile;
pub mod condition;
pub mod context;
pub mod decide;
pub mod json;
pub mod network;
pub mod pattern;
pub mod policy;
pub mod principal;
pub mod reference;
pub mod request;
pub mod suite;
pub mod validate;
pub mod variables;
pub mod world;
