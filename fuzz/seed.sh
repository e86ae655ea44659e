#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/) from the repository's corpus/ and the shared
# conformance suites (../shared/conformance, or $POLCHECK_SHARED/conformance):
#   policy_parse    every policy document found in corpus/policies and in the suites, plus the
#                   same documents as a JSON string and URL-encoded
#   world_import    corpus/worlds/*/*.json, each suite's inline `world`, and the demo world's
#                   files joined by a NUL byte (the target splits two files there)
#   network_import  the same worlds
#   suite_run       the suites themselves
#   condition_eval, differential  structured targets: bytes of the suites, for diversity
# Existing corpus files are kept; re-running only adds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
shared="${POLCHECK_SHARED:-$root/../shared}"
exec python3 - "$root" "$shared" "$here/corpus" <<'PY'
import glob, hashlib, json, os, sys, urllib.parse
root, shared, out = sys.argv[1:4]

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def policies(node):
    if isinstance(node, dict):
        if "Statement" in node:
            yield node
        for v in node.values():
            yield from policies(v)
    elif isinstance(node, list):
        for v in node:
            yield from policies(v)

suites = sorted(glob.glob(os.path.join(shared, "conformance", "*", "*.json")))
suites += sorted(glob.glob(os.path.join(root, "corpus", "suites", "*.json")))
for path in sorted(glob.glob(os.path.join(root, "corpus", "policies", "*.json"))) + suites:
    with open(path, "rb") as f:
        raw = f.read()
    doc = json.loads(raw)
    for p in policies(doc):
        text = json.dumps(p, indent=2)
        put("policy_parse", text)
        put("policy_parse", json.dumps(json.dumps(p)))
        put("policy_parse", urllib.parse.quote(json.dumps(p, separators=(",", ":"))))
    if path in suites:
        put("suite_run", raw)
        if isinstance(doc.get("world"), dict):
            w = json.dumps(doc["world"], indent=1)
            put("world_import", w)
            put("network_import", w)
        for target in ("condition_eval", "differential"):
            put(target, raw[:4096])

worlds = sorted(glob.glob(os.path.join(root, "corpus", "worlds", "*", "*.json")))
for path in worlds:
    with open(path, "rb") as f:
        raw = f.read()
    put("world_import", raw)
    put("network_import", raw)
for d in sorted(glob.glob(os.path.join(root, "corpus", "worlds", "*"))):
    parts = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(d, "*.json")))]
    if len(parts) >= 2:
        put("world_import", b"\0".join(parts[:2]))

for t in sorted(os.listdir(out)):
    print(f"{t}: {len(os.listdir(os.path.join(out, t)))} seeds")
PY
