//! Reading input files with errors that name the file and the position.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Largest input file read (a 100 MB file is refused before it is read whole).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A file that could not be read.
#[derive(Debug)]
pub struct InputError {
    /// The file and, when the problem has one, the line:column (`file.json:2:50`).
    pub file: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// Reads at most [`MAX_FILE_BYTES`] bytes, refusing more: the length on disk says nothing for
/// standard input, pipes and devices such as `/dev/zero`.
fn read_bounded(mut r: impl Read, what: &str) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    r.by_ref()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read {what}: {}", lower(&e.to_string())))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("larger than the limit of {MAX_FILE_BYTES} bytes"));
    }
    Ok(buf)
}

/// Reads a UTF-8 text file (`-` is standard input).
pub fn read_text(path: &str) -> Result<String, InputError> {
    let err = |message: String| InputError {
        file: path.to_string(),
        message,
    };
    let bytes = if path == "-" {
        read_bounded(std::io::stdin(), "standard input").map_err(err)?
    } else {
        let p = Path::new(path);
        let meta = std::fs::metadata(p)
            .map_err(|e| err(format!("cannot read: {}", lower(&e.to_string()))))?;
        if meta.is_dir() {
            return Err(err("is a directory, expected a file".into()));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(err(format!(
                "file is {} bytes, larger than the limit of {} bytes",
                meta.len(),
                MAX_FILE_BYTES
            )));
        }
        let file = std::fs::File::open(p)
            .map_err(|e| err(format!("cannot read: {}", lower(&e.to_string()))))?;
        read_bounded(file, "the file").map_err(err)?
    };
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = String::from_utf8_lossy(valid.rsplit(|&b| b == b'\n').next().unwrap_or_default())
            .chars()
            .count()
            + 1;
        InputError {
            file: format!("{path}:{line}:{col}"),
            message: "invalid UTF-8".into(),
        }
    })
}

fn lower(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}
