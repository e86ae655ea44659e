//! Colour when the terminal supports it, `NO_COLOR` respected.

use std::io::IsTerminal;

/// Whether standard output gets colour.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Wraps `text` in an ANSI colour when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// `--format`: text for people, JSON for scripts.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// JSON for scripts.
    Json,
}

/// The status of a command whose standard output was closed early (`polcheck ... | head -1`):
/// 128 + SIGPIPE, what a shell reports for a process the closed pipe ended.
pub const CLOSED_PIPE_STATUS: i32 = 141;

/// Ends the process quietly with [`CLOSED_PIPE_STATUS`] when an output error is a closed
/// pipe; other errors are returned.
pub fn closed_pipe_ends(e: std::io::Error) -> std::io::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(CLOSED_PIPE_STATUS);
    }
    e
}

/// Makes every command end quietly on a closed standard output. `println!` reports a failed
/// write by panicking with `failed printing to stdout: ...`; this hook turns that panic, when
/// the cause is a closed pipe, into [`CLOSED_PIPE_STATUS`], and leaves every other panic to
/// the default hook.
pub fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        let broken = std::io::Error::from(std::io::ErrorKind::BrokenPipe).to_string();
        if message.starts_with("failed printing to stdout")
            && (message.contains("os error 32") || message.contains(&broken))
        {
            std::process::exit(CLOSED_PIPE_STATUS);
        }
        default(info);
    }));
}
