//! CloudTrail in, IAM requests out: replaying what really happened against a world.
//!
//! - [`record`]: the three shapes CloudTrail records arrive in (log files, NDJSON exports,
//!   EventBridge events) read into borrowed [`Record`]s;
//! - [`action`], [`caller`], [`resource`] and [`map`]: one record to one [`crate::Request`],
//!   or the [`Unmapped`] reason it is none (counted, never dropped);
//! - [`replay`]: the [`Tally`] of a replay (match rate against what CloudTrail saw, flips
//!   against a proposed world, usage per caller);
//! - [`Replayer`]: the hot path, one per thread: maps, decides and counts each record,
//!   building a request only for what it has not seen the like of;
//! - [`access`]: unused access and the least-privilege policy of each caller.
//!
//! Nothing here reads a file's contents: [`files`] lists the log files under the directories
//! it is given (`AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`, the one walk every reader
//! uses, guarded against link loops and deep nesting); the CLI reads and decompresses them,
//! then hands text to [`parse`].

pub mod access;
pub mod action;
pub mod caller;
mod fast;
pub mod files;
pub mod map;
mod reader;
pub mod record;
pub mod replay;
pub mod resource;

pub use access::{access_report, least_privilege, CallerAccess, UnusedGrant, Verification};
pub use action::{action_of, ActionError};
pub use caller::{caller_of, Caller, CallerError};
pub use fast::Replayer;
pub use files::{files_under, is_log_path, log_files, WalkError};
pub use map::{map_record, MappedEvent, Observed, Unmapped};
pub use record::{is_log_file_name, parse, parse_into, recycle, Record, RecordError, UserIdentity};
pub use replay::{replay_event, Decider, Summary, Tally, TallyHash, TallyHasher, TallyMap};
pub use resource::{target_of, Target, TargetError};
