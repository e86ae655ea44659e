//! Loading worlds: files and directories of AWS exports, or the bundled demo estate.

use std::path::Path;

use polcheck_core::json::{self, Document};
use polcheck_core::suite::Environment;

use crate::input::read_text;

/// The demo estate of `corpus/worlds/demo/`, built into the binary so `polcheck eval` works
/// from any directory.
const DEMO: &[(&str, &str)] = &[
    (
        "corpus/worlds/demo/iam.json",
        include_str!("../demo/iam.json"),
    ),
    (
        "corpus/worlds/demo/network.json",
        include_str!("../demo/network.json"),
    ),
];

/// Reads world files; a directory stands for every `*.json` file in it, in name order.
pub fn read_files(paths: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for p in paths {
        if Path::new(p).is_dir() {
            let mut names: Vec<String> = std::fs::read_dir(p)
                .map_err(|e| format!("{p}: cannot read directory: {e}"))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "json") && f.is_file())
                .map(|f| f.display().to_string())
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(format!("{p}: directory holds no .json file"));
            }
            for n in names {
                let text = read_text(&n).map_err(|e| e.to_string())?;
                files.push((n, text));
            }
        } else {
            files.push((p.clone(), read_text(p).map_err(|e| e.to_string())?));
        }
    }
    Ok(files)
}

/// Parses files and loads both halves of the world, printing warnings to standard error.
pub fn environment(files: &[(String, String)]) -> Result<Environment, String> {
    let bar = progress(files);
    let docs: Vec<(String, Document)> = files
        .iter()
        .map(|(name, text)| {
            bar.set_message(name.clone());
            let doc = json::parse(text)
                .map(|d| (name.clone(), d))
                .map_err(|e| format!("{name}:{}: invalid JSON: {}", e.position, e.message));
            bar.inc(text.len() as u64);
            doc
        })
        .collect::<Result<_, _>>()?;
    bar.set_message("importing and compiling");
    let refs: Vec<(&str, &Document)> = docs.iter().map(|(n, d)| (n.as_str(), d)).collect();
    let env = Environment::from_documents(&refs).map_err(|e| e.to_string());
    bar.finish_and_clear();
    let env = env?;
    for w in &env.warnings {
        eprintln!("warning: {w}");
    }
    Ok(env)
}

/// A progress bar over the bytes of the world's files, on a terminal and for large worlds only.
fn progress(files: &[(String, String)]) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let total: u64 = files.iter().map(|(_, t)| t.len() as u64).sum();
    if total < 4 * 1024 * 1024 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// The files of `--world` flags, or the demo estate's when none is given.
pub fn files_from_flags(paths: &[String]) -> Result<Vec<(String, String)>, String> {
    if paths.is_empty() {
        return Ok(DEMO
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect());
    }
    read_files(paths)
}

/// The world of `--world` flags, or the demo estate when none is given.
pub fn from_flags(paths: &[String]) -> Result<Environment, String> {
    if paths.is_empty() {
        let files: Vec<(String, String)> = DEMO
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        return environment(&files);
    }
    environment(&read_files(paths)?)
}
