//! Every input in `fuzz/regressions/<target>/` run through what its fuzz target does, outside
//! libFuzzer: crashes the fuzzers found (and hostile inputs written by hand) stay fixed. The
//! byte targets are replayed here; the structured targets (`condition_eval`, `differential`)
//! get their regressions as unit tests in the module at fault, since their inputs only mean
//! something to `arbitrary`.

#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::path::{Path, PathBuf};

use polcheck_core::compile::{NamedPolicy, PolicySet};
use polcheck_core::json;
use polcheck_core::network::{exposure, Endpoint, Flow, NetworkModel};
use polcheck_core::policy::Policy;
use polcheck_core::world::World;

fn inputs(target: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with("README.md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            // The targets skip what is not UTF-8, as the CLI refuses it before the core.
            String::from_utf8(bytes).ok().map(|t| (p, t))
        })
        .collect()
}

#[test]
fn policy_parse_regressions() {
    for (path, text) in inputs("policy_parse") {
        eprintln!("{}", path.display());
        if let Ok(p) = Policy::parse(&text) {
            let _ = PolicySet::compile(vec![NamedPolicy::new("fuzz", p)]);
        }
    }
}

#[test]
fn world_import_regressions() {
    for (path, text) in inputs("world_import") {
        eprintln!("{}", path.display());
        let files: Vec<(String, String)> = text
            .splitn(2, '\0')
            .enumerate()
            .map(|(i, t)| (format!("world{i}.json"), t.to_string()))
            .collect();
        if let Ok((world, _)) = World::load(&files) {
            let _ = world.account();
            for p in world.principals().into_iter().take(4) {
                let _ = world.resource_account(&p);
            }
        }
    }
}

#[test]
fn network_import_regressions() {
    for (path, text) in inputs("network_import") {
        eprintln!("{}", path.display());
        let Ok(doc) = json::parse(&text) else {
            continue;
        };
        let Ok((model, _)) = NetworkModel::import(&[("world.json", &doc)]) else {
            continue;
        };
        let _ = exposure(&model);
        let mut ends = vec![
            Endpoint::Internet,
            Endpoint::Ip("10.0.1.5".parse().unwrap()),
        ];
        for eni in model.interfaces().iter().take(3) {
            ends.push(Endpoint::Interface(eni.id.clone()));
        }
        for from in &ends {
            for to in &ends {
                for (protocol, port) in [(6, Some(22)), (17, Some(53)), (1, None), (58, None)] {
                    let flow = Flow {
                        from: from.clone(),
                        to: to.clone(),
                        protocol,
                        port,
                        source_port: None,
                        icmp_type: None,
                        icmp_code: None,
                    };
                    let _ = model.evaluate(&flow);
                }
            }
        }
    }
}
