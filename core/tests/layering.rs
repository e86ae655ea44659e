//! The layering and API rules of ARCHITECTURE.md ("Invariants"), checked on the source text:
//! no import cycle between the core's top-level modules, one public path per item, wrapper
//! errors transparent, public enums `#[non_exhaustive]`.
//!
//! Only non-test code counts: `tests.rs` files and a trailing `#[cfg(test)] mod tests` block
//! are left out, and so are comment lines.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The non-test code of a file, without comment lines.
fn code(path: &Path) -> Vec<String> {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return Vec::new();
    }
    let text = fs::read_to_string(path).expect("readable source file");
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(cut) = lines
        .windows(2)
        .position(|w| w[0].starts_with("#[cfg(test)]") && w[1].starts_with("mod tests"))
    {
        lines.truncate(cut);
    }
    lines
        .into_iter()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(str::to_string)
        .collect()
}

/// The top-level module a file belongs to (`compile/index.rs` → `compile`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// `pub use module::{A, B}` lines of lib.rs: item name → module.
fn root_reexports() -> BTreeMap<String, String> {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let (module, items) = rest.split_once("::").expect("pub use module::item");
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let item = item.trim();
            if !item.is_empty() {
                out.insert(item.to_string(), module.to_string());
            }
        }
    }
    out
}

/// Module → the other top-level modules its non-test code names through `crate::`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let reexports = root_reexports();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        let entry = deps.entry(module.clone()).or_default();
        for line in code(&file) {
            for (at, _) in line.match_indices("crate::") {
                let rest = &line[at + "crate::".len()..];
                let mut names: Vec<&str> = Vec::new();
                if let Some(group) = rest.strip_prefix('{') {
                    let group = group.split('}').next().unwrap_or_default();
                    names.extend(
                        group
                            .split(',')
                            .map(|p| p.trim().split("::").next().unwrap_or_default()),
                    );
                } else {
                    names.push(
                        rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .next()
                            .unwrap_or_default(),
                    );
                }
                for name in names {
                    let target = reexports
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| name.to_string());
                    if !target.is_empty() && target != module {
                        entry.insert(target);
                    }
                }
            }
        }
    }
    deps
}

/// A cycle through `start`, if any, as the list of modules on it.
fn cycle_from(deps: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in deps.get(&at).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push((next.clone(), p));
            }
        }
    }
    None
}

#[test]
fn no_import_cycle_between_core_modules() {
    let deps = dependencies();
    assert!(deps.contains_key("compile") && deps.contains_key("decide"));
    let cycles: Vec<String> = deps
        .keys()
        .filter_map(|m| cycle_from(&deps, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    deps.entry("policy".into())
        .or_default()
        .insert("condition".into());
    deps.entry("condition".into())
        .or_default()
        .insert("policy".into());
    assert_eq!(
        cycle_from(&deps, "policy"),
        Some(vec!["policy".into(), "condition".into(), "policy".into()])
    );
    assert_eq!(cycle_from(&dependencies(), "json"), None);
}

/// `pub mod` names declared in lib.rs.
fn public_modules() -> BTreeSet<String> {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

#[test]
fn one_public_path_per_item() {
    // An item re-exported at the root from a public module would be reachable twice.
    let public = public_modules();
    assert!(public.contains("policy"), "{public:?}");
    let twice: Vec<String> = root_reexports()
        .into_iter()
        .filter(|(_, module)| public.contains(module))
        .map(|(item, module)| format!("{item} (also polcheck_core::{module}::{item})"))
        .collect();
    assert!(twice.is_empty(), "reachable under two paths: {twice:?}");
}

fn all_code() -> Vec<(PathBuf, Vec<String>)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files
        .into_iter()
        .map(|f| {
            let c = code(&f);
            (f, c)
        })
        .collect()
}

#[test]
fn wrapper_errors_are_transparent() {
    // `#[error("{0}")]` on a wrapper prints the inner message again under a chain reporter.
    let mut found = Vec::new();
    for (file, lines) in all_code() {
        for (i, l) in lines.iter().enumerate() {
            if l.contains("#[error(\"{0}\")]") {
                found.push(format!("{}:{}", file.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "use #[error(transparent)]: {found:?}");
}

#[test]
fn public_enums_are_non_exhaustive() {
    let mut missing = Vec::new();
    for (file, lines) in all_code() {
        for (i, l) in lines.iter().enumerate() {
            if !l.trim_start().starts_with("pub enum ") {
                continue;
            }
            // The attributes and doc lines right above the enum.
            let attrs = lines[..i]
                .iter()
                .rev()
                .take_while(|a| {
                    let a = a.trim();
                    !a.is_empty() && !a.ends_with('}') && !a.ends_with(';') && !a.ends_with('{')
                })
                .any(|a| a.contains("#[non_exhaustive]"));
            if !attrs {
                missing.push(format!("{}: {}", file.display(), l.trim()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add #[non_exhaustive]:\n{}",
        missing.join("\n")
    );
}
