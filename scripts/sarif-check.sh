#!/usr/bin/env bash
# Validates SARIF files against the SARIF 2.1.0 JSON schema: installs the checker's npm
# packages (scripts/sarif-check/package-lock.json: @microsoft/jest-sarif, which ships the
# schema, and ajv) on first use, then runs scripts/sarif-check/check.js FILE...
set -euo pipefail
dir="$(cd "$(dirname "$0")/sarif-check" && pwd)"
if [ ! -d "$dir/node_modules/@microsoft/jest-sarif" ] || [ ! -d "$dir/node_modules/ajv" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec node "$dir/check.js" "$@"
