//! Reasoning about policies, not only requests: what a change grants (`diff`), whether a
//! policy grants some access at all (`check`), and who outside a trust zone a world's
//! resource policies let in (`findings`).
//!
//! See `docs/diff.md` for the method and the constructs that give [`Unknown`].

pub mod lang;
