//! Reading input files with errors that name the file and the position.

use std::fmt;
use std::path::Path;

/// Largest input file read (a 100 MB file is refused before it is read whole).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A file that could not be read.
#[derive(Debug)]
pub struct InputError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// Reads a UTF-8 text file (`-` is standard input).
pub fn read_text(path: &str) -> Result<String, InputError> {
    let err = |message: String| InputError {
        file: path.to_string(),
        message,
    };
    let bytes = if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| err(format!("cannot read standard input: {e}")))?;
        buf
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
        std::fs::read(p).map_err(|e| err(format!("cannot read: {}", lower(&e.to_string()))))?
    };
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = String::from_utf8_lossy(valid.rsplit(|&b| b == b'\n').next().unwrap_or_default())
            .chars()
            .count()
            + 1;
        err(format!("{line}:{col}: invalid UTF-8"))
    })
}

fn lower(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}
