//! Helpers shared by the tests that run the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
#[allow(dead_code, reason = "not every test file uses every helper")]
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `polcheck ARGS` in a neutral directory: its exit code, standard output and error.
#[allow(dead_code, reason = "not every test file uses every helper")]
pub fn polcheck(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
