//! Which files under a directory of CloudTrail logs are read: the one walk every reader of a
//! directory uses (the CLI's `replay`, `polcheck-datafusion`'s table and its world
//! directories). It lists names only; reading and decompressing is the caller's.
//!
//! The walk follows symbolic links (an S3 sync or a mount often links day folders), but reads
//! each directory once, by its canonical path: a link back to an ancestor (a loop) or a second
//! link to a folder already read is skipped, so no file is listed twice and no loop recurses.
//! Folders nested deeper than [`MAX_DEPTH`] are an error ([`WalkError::TooDeep`]), never a
//! stack overflow. Within a directory entries are visited in name order, so which of two
//! links to one folder is kept does not depend on the file system's order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::record::is_log_file_name;

/// Folders deeper than this under the given directory are not read: the S3 layout
/// `AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/` is 7 deep, an organization trail 8.
pub const MAX_DEPTH: usize = 32;

/// Why a directory's files could not be listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// A directory (or one of its entries) could not be read.
    #[error("{}: cannot read directory: {message}", path.display())]
    Unreadable {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        message: String,
    },
    /// Folders nested deeper than [`MAX_DEPTH`].
    #[error("{}: folders nested more than {MAX_DEPTH} deep", path.display())]
    TooDeep {
        /// The first folder past the limit.
        path: PathBuf,
    },
    /// A directory given holds no file the reader reads.
    #[error("{}: directory holds no {wanted} file", path.display())]
    Empty {
        /// The directory.
        path: PathBuf,
        /// What was looked for, as the message names it.
        wanted: &'static str,
    },
}

/// Every file under `dir` (recursively, see the module docs) whose path `keep` accepts, in
/// name order. An empty answer is not an error here; [`log_files`] makes it one.
pub fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>, WalkError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    walk(dir, 0, &mut seen, &mut out, keep)?;
    out.sort();
    Ok(out)
}

fn walk(
    dir: &Path,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    keep: &dyn Fn(&Path) -> bool,
) -> Result<(), WalkError> {
    let unreadable = |e: std::io::Error| WalkError::Unreadable {
        path: dir.to_path_buf(),
        message: e.to_string(),
    };
    if depth > MAX_DEPTH {
        return Err(WalkError::TooDeep {
            path: dir.to_path_buf(),
        });
    }
    // Read once by where it really is: a loop (a link to an ancestor) or a folder linked
    // twice ends here.
    if !seen.insert(std::fs::canonicalize(dir).map_err(unreadable)?) {
        return Ok(());
    }
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        entries.push(entry.map_err(unreadable)?.path());
    }
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, depth + 1, seen, out, keep)?;
        } else if keep(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Whether the path's file name is a CloudTrail log's ([`is_log_file_name`]).
pub fn is_log_path(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_log_file_name)
}

/// The CloudTrail files of `paths`: a file as given (whatever its name), a directory's log
/// files ([`is_log_path`], recursively, see [`files_under`]); all in name order. A directory
/// holding none is an error ([`WalkError::Empty`]).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("polcheck-doc-walk-{}", std::process::id()));
/// std::fs::create_dir_all(dir.join("2026/11/02"))?;
/// std::fs::write(dir.join("2026/11/02/trail.json.gz"), b"")?;
/// std::fs::write(dir.join("2026/11/02/notes.txt"), b"")?;
/// let files = polcheck_core::cloudtrail::log_files(&[&dir])?;
/// assert_eq!(files, vec![dir.join("2026/11/02/trail.json.gz")]);
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn log_files<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<PathBuf>, WalkError> {
    let mut out = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.is_dir() {
            let found = files_under(p, &is_log_path)?;
            if found.is_empty() {
                return Err(WalkError::Empty {
                    path: p.to_path_buf(),
                    wanted: "CloudTrail (.json, .json.gz, .ndjson, .jsonl)",
                });
            }
            out.extend(found);
        } else {
            out.push(p.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}
