#!/usr/bin/env bash
# Builds the playground into wasm/www/, a static folder any web server can serve:
#   wasm/www/pkg/       polcheck_wasm.js + polcheck_wasm_bg.wasm (wasm-bindgen --target web)
#   wasm/www/examples/  the example policies named by wasm/www/examples.json, from corpus/
# Both are generated (gitignored). Serve with: python3 -m http.server -d wasm/www 8000
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1
fi

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then
  echo "build-wasm: no wasm-bindgen in Cargo.lock" >&2
  exit 2
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $version" ]; then
  echo "== cargo install wasm-bindgen-cli $version"
  # --locked first; if a crate of its lock file has been yanked since (webpki-roots 1.0.11
  # was, for 0.2.130), resolve afresh.
  cargo install --locked wasm-bindgen-cli --version "$version" ||
    cargo install wasm-bindgen-cli --version "$version"
fi

echo "== cargo build --release --target wasm32-unknown-unknown -p polcheck-wasm"
# No debug info in the wasm (the workspace's release profile keeps some for profiling).
CARGO_PROFILE_RELEASE_DEBUG=0 cargo build --locked --release --quiet \
  --target wasm32-unknown-unknown -p polcheck-wasm

echo "== wasm-bindgen --target web -> wasm/www/pkg"
rm -rf wasm/www/pkg
wasm-bindgen --target web --out-dir wasm/www/pkg \
  target/wasm32-unknown-unknown/release/polcheck_wasm.wasm

echo "== examples -> wasm/www/examples"
rm -rf wasm/www/examples
mkdir -p wasm/www/examples
cp corpus/policies/*.json wasm/www/examples/

wasm=wasm/www/pkg/polcheck_wasm_bg.wasm
echo "wasm: $(wc -c <"$wasm") bytes, $(gzip -9 -c "$wasm" | wc -c) gzipped (gzip -9)"
