#!/usr/bin/env bash
# Dependency check: licences, banned or duplicated crates, and sources, per deny.toml.
#
# Runs offline once the crates are in cargo's cache (`cargo fetch`, which any build step does;
# cargo metadata needs the manifest of every crate in Cargo.lock, those of other platforms
# included). Security advisories are NOT checked here: `cargo deny check advisories` needs the
# RustSec database from github.com, which CI cannot reach; run it by hand where the network is
# open:  cargo deny check advisories
#
# Needs cargo-deny (`cargo install cargo-deny --locked`, 0.20 tested).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deny >/dev/null; then
    echo "check-deps: cargo-deny is not installed (cargo install cargo-deny --locked)" >&2
    exit 2
fi
cargo deny --offline check licenses bans sources
