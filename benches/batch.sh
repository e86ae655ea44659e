#!/usr/bin/env bash
# Batch throughput of `polcheck eval --requests` (issue #13 item 4), in one command:
#
#   bash benches/batch.sh [LINES]        # default 1,000,000 lines per run
#
# Builds the release binary, generates LINES request lines against (1) the demo world built
# into the binary and (2) a generated world of 10,000 statements (1,000 customer-managed
# policies of 10 statements, attached to each of 8 users and roles), then times
# `polcheck eval --requests FILE --outcome-only` (output to /dev/null) and the explained
# output (without `--outcome-only`), printing decisions/s. Each run is timed three times
# and the best is kept; with `hyperfine` installed it is used instead (`--warmup 1 --runs 5`).
# Run it on a quiet machine: the numbers are wall-clock.
#
# The generated files go to ${BATCH_DIR:-target/batch} and are reused when LINES is the same.
# POLCHECK_BIN=PATH times that binary instead of building; GEN_ONLY=1 only writes the files.
set -euo pipefail

lines=${1:-1000000}
cd "$(dirname "$0")/.."
dir=${BATCH_DIR:-target/batch}
mkdir -p "$dir"

if [ -z "${POLCHECK_BIN:-}" ]; then
  cargo build --release -p polcheck >&2
fi
bin=${POLCHECK_BIN:-target/release/polcheck}

if [ ! -s "$dir/demo-$lines.ndjson" ] || [ ! -s "$dir/world10k-$lines.ndjson" ]; then
  python3 - "$dir" "$lines" <<'PY'
import json, random, sys

out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(2026)
acct = "111122223333"

# (1) The demo world: its callers, actions their policies speak of, resources of each type.
demo_callers = [f"arn:aws:iam::{acct}:user/{u}" for u in ("alice", "bob", "carol", "dave")] + [
    f"arn:aws:sts::{acct}:assumed-role/{r}/s1" for r in ("AppRole", "DeployRole", "OpsRole", "BuildRole")
]
demo_asks = [
    ("s3:GetObject", "arn:aws:s3:::demo-artifacts/releases/v{i}.zip"),
    ("s3:PutObject", "arn:aws:s3:::demo-artifacts/uploads/{i}.bin"),
    ("s3:DeleteObject", "arn:aws:s3:::demo-public-site/page-{i}.html"),
    ("s3:ListBucket", "arn:aws:s3:::demo-artifacts"),
    ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/orders"),
    ("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:jobs-{j}"),
    ("ec2:StartInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-{i:017x}"),
]

def line(principal, action, resource, i):
    ctx = {"aws:SourceIp": f"203.0.{i % 256}.{(i // 256) % 256}"}
    if i % 3 == 0:
        ctx["aws:MultiFactorAuthPresent"] = "true"
    return json.dumps({"principal": principal, "action": action, "resource": resource,
                       "context": ctx}, separators=(",", ":"))

with open(f"{out}/demo-{n}.ndjson", "w") as f:
    for i in range(n):
        action, res = demo_asks[i % len(demo_asks)]
        p = demo_callers[(i // len(demo_asks)) % len(demo_callers)]
        f.write(line(p, action, res.format(i=i, j=i % 50), i) + "\n")

# (2) A generated world of 10,000 statements.
services = {
    "s3": (["GetObject", "PutObject", "DeleteObject", "GetObjectTagging"],
           lambda k: f"arn:aws:s3:::bucket-{k}/*", lambda k, i: f"arn:aws:s3:::bucket-{k}/obj-{i}"),
    "dynamodb": (["GetItem", "PutItem", "Query", "Scan", "DeleteItem"],
                 lambda k: f"arn:aws:dynamodb:us-east-1:{acct}:table/table-{k}",
                 lambda k, i: f"arn:aws:dynamodb:us-east-1:{acct}:table/table-{k}"),
    "sqs": (["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueUrl"],
            lambda k: f"arn:aws:sqs:us-east-1:{acct}:queue-{k}",
            lambda k, i: f"arn:aws:sqs:us-east-1:{acct}:queue-{k}"),
    "ec2": (["StartInstances", "StopInstances", "RebootInstances", "TerminateInstances"],
            lambda k: f"arn:aws:ec2:*:{acct}:instance/i-{k:04x}*",
            lambda k, i: f"arn:aws:ec2:us-east-1:{acct}:instance/i-{k:04x}{i:013x}"),
    "lambda": (["InvokeFunction", "GetFunction", "UpdateFunctionCode"],
               lambda k: f"arn:aws:lambda:us-east-1:{acct}:function:fn-{k}",
               lambda k, i: f"arn:aws:lambda:us-east-1:{acct}:function:fn-{k}"),
}
names = list(services)
pool = 500

def statement(s):
    svc = rnd.choice(names)
    acts, pattern, _ = services[svc]
    roll = rnd.random()
    if roll < 0.55:
        action = f"{svc}:{rnd.choice(acts)}"
    elif roll < 0.8:
        action = [f"{svc}:{a}" for a in rnd.sample(acts, 2)]
    elif roll < 0.95:
        action = f"{svc}:{rnd.choice(['Get', 'Put', 'Delete', 'List', 'Start'])}*"
    else:
        action = f"{svc}:*"
    resource = pattern(rnd.randrange(pool)) if rnd.random() < 0.85 else "*"
    effect = "Allow"
    if rnd.random() < 0.05:
        # Denies are narrow, as in real accounts: one action on one resource pattern.
        effect, action, resource = "Deny", f"{svc}:{rnd.choice(acts)}", pattern(rnd.randrange(pool))
    st = {"Sid": f"S{s}", "Effect": effect, "Action": action, "Resource": resource}
    if rnd.random() < 0.3:
        st["Condition"] = {"IpAddress": {"aws:SourceIp": f"203.0.{rnd.randrange(256)}.0/24"}}
    return st

policies, attached = [], []
for p in range(1000):
    doc = {"Version": "2012-10-17", "Statement": [statement(p * 10 + k) for k in range(10)]}
    arn = f"arn:aws:iam::{acct}:policy/gen-{p}"
    policies.append({"PolicyName": f"gen-{p}", "Arn": arn, "DefaultVersionId": "v1",
                     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": doc}]})
    attached.append({"PolicyName": f"gen-{p}", "PolicyArn": arn})
users = [{"UserName": f"user-{u}", "UserId": f"AIDAGEN{u:08d}", "Arn": f"arn:aws:iam::{acct}:user/user-{u}",
          "AttachedManagedPolicies": attached} for u in range(4)]
roles = [{"RoleName": f"role-{r}", "RoleId": f"AROAGEN{r:08d}", "Arn": f"arn:aws:iam::{acct}:role/role-{r}",
          "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
          "AttachedManagedPolicies": attached} for r in range(4)]
with open(f"{out}/world10k.json", "w") as f:
    json.dump({"AccountId": acct, "Policies": policies, "UserDetailList": users, "RoleDetailList": roles}, f)
callers = [u["Arn"] for u in users] + [f"arn:aws:sts::{acct}:assumed-role/role-{r}/s1" for r in range(4)]
with open(f"{out}/world10k-{n}.ndjson", "w") as f:
    for i in range(n):
        svc = names[i % len(names)]
        acts, _, concrete = services[svc]
        action = f"{svc}:{acts[(i // len(names)) % len(acts)]}"
        f.write(line(callers[i % len(callers)], action, concrete(rnd.randrange(pool), i), i) + "\n")
PY
fi
[ -n "${GEN_ONLY:-}" ] && exit 0

run() { # name, then the command
  local name=$1; shift
  local best=""
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 --export-json "$dir/hf.json" -i "$* > /dev/null" >&2
    best=$(python3 -c "import json;print(min(json.load(open('$dir/hf.json'))['results'][0]['times']))")
  else
    for _ in 1 2 3; do
      local t0 t1
      t0=$(date +%s.%N)
      "$@" > /dev/null || true
      t1=$(date +%s.%N)
      local t
      t=$(python3 -c "print($t1 - $t0)")
      if [ -z "$best" ] || python3 -c "import sys;sys.exit(0 if $t < $best else 1)"; then best=$t; fi
    done
  fi
  python3 -c "print(f'{\"$name\":<44} {$lines:>9,} lines  {$best:7.3f} s  {$lines / $best:>12,.0f} decisions/s')"
}

echo "polcheck eval --requests, $lines lines, $(nproc) CPUs, $(date -u +%FT%TZ)"
run "demo world, --outcome-only" "$bin" eval --requests "$dir/demo-$lines.ndjson" --outcome-only
run "10k-statement world, --outcome-only" "$bin" eval --world "$dir/world10k.json" --requests "$dir/world10k-$lines.ndjson" --outcome-only
run "demo world, explained (AWS-shaped JSON)" "$bin" eval --requests "$dir/demo-$lines.ndjson"
run "10k-statement world, explained" "$bin" eval --world "$dir/world10k.json" --requests "$dir/world10k-$lines.ndjson"
