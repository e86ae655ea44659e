//! Loading worlds: files and directories of AWS exports, or the bundled demo estate.

use std::path::Path;

use polcheck_core::json;
use polcheck_core::{Engine, EngineBuilder};

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
    (
        "corpus/worlds/demo/ops.json",
        include_str!("../demo/ops.json"),
    ),
];

/// Reads world files; a directory stands for every `*.json` file under it, read recursively
/// (region and account subfolders, as export scripts write them), in path order.
pub fn read_files(paths: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for p in paths {
        if Path::new(p).is_dir() {
            let mut names = Vec::new();
            json_files_under(Path::new(p), 0, &mut names)?;
            names.sort();
            if names.is_empty() {
                return Err(format!(
                    "{p}: directory holds no .json file (subfolders included)"
                ));
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

/// Folders deeper than this under a `--world` directory are not read (a guard against
/// symbolic-link loops; real export trees are two or three levels deep).
const MAX_DEPTH: usize = 16;

/// Collects the `*.json` files under `dir`, recursively.
fn json_files_under(dir: &Path, depth: usize, out: &mut Vec<String>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "{}: folders nested more than {MAX_DEPTH} deep",
            dir.display()
        ));
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot read directory: {e}", dir.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            json_files_under(&path, depth + 1, out)?;
        } else if path.is_file() && path.extension().is_some_and(|x| x == "json") {
            out.push(path.display().to_string());
        }
    }
    Ok(())
}

/// Parses world files and builds the engine with them (and what `builder` already holds),
/// printing warnings to standard error.
pub fn engine(builder: EngineBuilder, files: &[(String, String)]) -> Result<Engine, String> {
    let bar = progress(files);
    let mut builder = builder;
    for (name, text) in files {
        bar.set_message(name.clone());
        let doc = json::parse(text)
            .map_err(|e| format!("{name}:{}: invalid JSON: {}", e.position, e.message))?;
        builder = builder.world_document(name, doc);
        bar.inc(text.len() as u64);
    }
    bar.set_message("importing and compiling");
    let engine = builder.build().map_err(|e| e.to_string());
    bar.finish_and_clear();
    let engine = engine?;
    for w in engine.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(engine)
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

/// The engine of `builder` with the world of `--world` flags, or the demo estate when none
/// is given.
pub fn from_flags(builder: EngineBuilder, paths: &[String]) -> Result<Engine, String> {
    if paths.is_empty() {
        let files: Vec<(String, String)> = DEMO
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        return engine(builder, &files);
    }
    engine(builder, &read_files(paths)?)
}

/// An engine over the world of `--world` flags (the demo estate when none is given), printing
/// the world's warnings to standard error.
pub fn engine_from_flags(paths: &[String]) -> Result<polcheck_core::Engine, String> {
    let files: Vec<(String, String)> = if paths.is_empty() {
        DEMO.iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    } else {
        read_files(paths)?
    };
    let mut builder = polcheck_core::Engine::builder();
    for (name, text) in &files {
        builder = builder.world_file(name, text);
    }
    let engine = builder.build().map_err(|e| e.to_string())?;
    for w in engine.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(engine)
}
