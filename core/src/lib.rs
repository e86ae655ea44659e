//! polcheck-core: would AWS allow this? Answered offline, for IAM requests and VPC packets.
//!
//! Load policies or a world of AWS exports once, compile once, ask many times:
//!
//! ```
//! use polcheck_core::{Context, Engine, Request};
//! let engine = Engine::builder().identity_policy("p", r#"{"Version": "2012-10-17",
//!     "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}"#)?.build()?;
//! let req = Request::new(Some("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "*", Context::new())?;
//! assert!(engine.authorize(&req).is_allowed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pieces, in the order data flows through them:
//!
//! - **Reading**: [`json`] (JSON with positions), [`policy`] (the policy language, located
//!   errors), [`world`] (IAM exports), [`network`] (VPC exports), [`suite`] (test suites).
//! - **Compiling**: [`compile`] (indexed policy sets), [`condition`], [`pattern`], [`arn`],
//!   [`variables`].
//! - **Deciding**: [`decide`] (AWS's decision flow and its explanation), [`principal`],
//!   [`Request`] and [`Context`] (the question, from the private `request` and `context`
//!   modules); [`network`] for flows and [`network::exposure`].
//! - **Knowing AWS**: [`catalogue`] (every service, action, resource type and condition key),
//!   [`validate`] (catalogue findings on policies).
//! - **Checking ourselves**: [`mod@reference`], the slow evaluator the compiled one is tested
//!   against.
//!
//! [`Engine`] ties them together; every piece is public for callers who need one step alone.
//! Cargo features: `network` (the VPC half) and `catalogue` (the embedded service catalogue
//! and [`validate`]) are on by default; an embedder that needs only IAM decisions can leave
//! both out (`default-features = false`).
//!
//! Errors are one enum per fallible function, each carrying the JSON path and line:column of
//! what it refuses. Nothing here prints, reads files or panics on any input.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analysis;
pub mod arn;
pub mod catalogue;
#[cfg(feature = "catalogue")]
pub mod cloudtrail;
pub mod compile;
pub mod condition;
mod context;
pub mod decide;
mod engine;
mod hash;
pub mod inputs;
pub mod json;
#[cfg(feature = "network")]
pub mod network;
pub mod paths;
pub mod pattern;
pub mod policy;
pub mod principal;
pub mod question;
pub mod reference;
mod request;
pub mod suite;
mod time;
#[cfg(feature = "catalogue")]
pub mod validate;
pub mod variables;
pub mod world;

// The engine's face: `Engine`, the request it answers and its context live here, at the
// root, and nowhere else (their modules are private). Every other public item has one path,
// in its public module.
pub use context::{Context, ContextValue};
#[cfg(feature = "network")]
pub use engine::EngineFlowError;
pub use engine::{Engine, EngineBuilder, EngineError, Warning};
pub use request::{Caller, Request, RequestError};
