#!/usr/bin/env bash
# Runs every test of polcheck: the Rust tests (unit, behaviour, property, doc tests), then the
# shared conformance suites and our own suites through the real `polcheck` binary.
# Needs only the Rust toolchain; everything else it installs itself.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${POLCHECK_SHARED:-../shared}"
# The tests must leave every tracked file as they found it: compare the state before and after.
tracked_state() { git diff --no-ext-diff HEAD 2>/dev/null | sha256sum; }
tracked_before=$(tracked_state)

echo "== cargo fmt and clippy (-D warnings)"
cargo fmt --all -- --check
cargo clippy --locked --quiet --workspace --all-targets -- -D warnings

echo "== cargo test (workspace)"
cargo test --workspace --locked --quiet

echo "== polcheck-core with features left out"
cargo test --locked --quiet -p polcheck-core --no-default-features --lib
# Features only add: the IAM suites give the same decisions without any feature.
cargo test --locked --quiet -p polcheck-core --no-default-features --test iam_conformance
cargo check --locked --quiet -p polcheck-core --no-default-features --features network
cargo check --locked --quiet -p polcheck-core --no-default-features --features catalogue

echo "== library examples and API docs"
for example in core/examples/*.rs; do
  cargo run --locked --quiet -p polcheck-core --example "$(basename "$example" .rs)" > /dev/null
done
RUSTDOCFLAGS="-D warnings" cargo doc --locked --quiet --no-deps -p polcheck-core

echo "== cargo package (dry run, verified) of the published crates"
# A fresh target dir each run: verification builds polcheck-core as a crate of a temporary
# local registry, and cargo reuses what it extracted from a registry at the same path before.
package_dir=$(mktemp -d "${TMPDIR:-/tmp}/polcheck-package.XXXXXX")
rm -rf target/package
CARGO_TARGET_DIR="$package_dir" cargo package --locked --allow-dirty --quiet -p polcheck-core -p polcheck
rm -rf "$package_dir"

echo "== polcheck test: conformance and corpus suites through the binary"
cargo build --locked --quiet -p polcheck
bin=target/debug/polcheck
suites=()
for f in "$shared"/conformance/iam/*.json "$shared"/conformance/network/*.json corpus/suites/*.json; do
  suites+=("$f")
done
"$bin" test "${suites[@]}"

echo "== dependencies: licences, bans and sources (cargo-deny, offline; see scripts/check-deps.sh)"
if command -v cargo-deny >/dev/null; then
  bash scripts/check-deps.sh
else
  echo "skipped: cargo-deny is not installed (cargo install cargo-deny --locked)"
fi

echo "== playground: wasm build, conformance through wasm, browser test"
bash scripts/browser-test.sh

echo "== polcheck-datafusion: polcheck as DataFusion SQL functions (its own workspace)"
# Its own Cargo workspace and target directory (polcheck-datafusion/target, git-ignored):
# DataFusion stays out of the main build. The SQL tests check every count against the core's
# own replay of the same CloudTrail files.
cargo test --locked --quiet --manifest-path polcheck-datafusion/Cargo.toml

echo "== the tests left every tracked file as it was"
if [ "$(tracked_state)" != "$tracked_before" ]; then
  echo "error: running the tests changed tracked files:" >&2
  git status --short --untracked-files=no >&2
  exit 1
fi
