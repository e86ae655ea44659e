#!/usr/bin/env bash
# The playground's tests: builds the wasm bundle (scripts/build-wasm.sh) and the native binary,
# then runs wasm/tests/api.mjs (the JS API in Node), wasm/tests/conformance.mjs (the shared
# IAM suites through wasm give the binary's counts) and wasm/tests/browser.mjs (the page in
# headless Chromium). Installs what it needs: Chromium (apt) when /usr/bin/chromium is
# missing, playwright-core and axe-core (npm ci in wasm/).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "== apt-get install chromium"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

if [ ! -d wasm/node_modules/playwright-core ] || [ ! -d wasm/node_modules/axe-core ]; then
  echo "== npm ci (wasm/)"
  (cd wasm && npm ci --no-audit --no-fund --loglevel=error)
fi

bash scripts/build-wasm.sh

echo "== cargo build -p polcheck (the native binary to compare with)"
cargo build --locked --quiet -p polcheck

echo "== the JS API in Node"
node wasm/tests/api.mjs

echo "== conformance suites through wasm"
node wasm/tests/conformance.mjs

echo "== browser test"
node wasm/tests/browser.mjs
