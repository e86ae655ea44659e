#!/usr/bin/env bash
# Runs `polcheck validate` over a snapshot of AWS's managed policies and prints the findings
# by code (see README, "validate on AWS's managed policies").
#
#   bash scripts/validate-managed-policies.sh DIR [POLCHECK-ARGS...]
#
# DIR holds one policy per file: a policy document, or the shape public snapshots store
# (`{"PolicyVersion": {"Document": {...}}}`, as `aws iam get-policy-version` prints it).
# Files that are not JSON are skipped and counted. The documents are written to a temporary
# directory and validated in ONE process (the release binary, built if missing), timed.
# `policy-too-large` is left out: the 6,144-character quota binds customer managed
# policies, not AWS's own (several AWS managed policies are larger).
set -euo pipefail
dir="${1:?usage: $0 DIR [POLCHECK-ARGS...]}"
shift
cd "$(dirname "$0")/.."
bin=target/release/polcheck
[ -x "$bin" ] || cargo build --release --locked --quiet -p polcheck
work=$(mktemp -d "${TMPDIR:-/tmp}/polcheck-managed.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 - "$dir" "$work" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
ok = skipped = 0
for name in sorted(os.listdir(src)):
    path = os.path.join(src, name)
    if not os.path.isfile(path):
        continue
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (ValueError, UnicodeDecodeError):
        skipped += 1
        continue
    if isinstance(doc, dict) and "PolicyVersion" in doc:
        doc = doc["PolicyVersion"].get("Document", doc)
    base = name[:-5] if name.endswith(".json") else name
    with open(os.path.join(dst, base + ".json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=4)
    ok += 1
print(f"{ok} policies, {skipped} files skipped (not JSON)", file=sys.stderr)
PY
start=$(date +%s.%N)
status=0
(cd "$work" && "$OLDPWD/$bin" validate --format json --allow policy-too-large "$@" ./*.json) > "$work/findings.out" || status=$?
end=$(date +%s.%N)
python3 - "$work/findings.out" "$start" "$end" "$status" <<'PY'
import collections, json, sys
findings = json.load(open(sys.argv[1]))
took = float(sys.argv[3]) - float(sys.argv[2])
print(f"{len(findings)} findings in {took:.2f} s (exit {sys.argv[4]})")
for code, n in collections.Counter(f["code"] for f in findings).most_common():
    print(f"{n:6d}  {code}")
PY
