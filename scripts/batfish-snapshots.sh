#!/usr/bin/env bash
# Loads every AWS snapshot of the Batfish repository (its `aws_configs` directories: test
# snapshots under projects/batfish/src/test/resources/.../aws and networks/) with polcheck, and
# prints, per snapshot: whether it loads, how many warnings, and what exposure finds.
#
# Usage: scripts/batfish-snapshots.sh GIT_DIR [POLCHECK]
#   GIT_DIR   a clone or bare mirror of github.com/batfish/batfish (nothing of it is copied into
#             this repository: each snapshot is extracted to a temporary directory and removed)
#   POLCHECK  the binary (default target/debug/polcheck)
# Exit status: 0 when every snapshot loads, 1 otherwise.
set -euo pipefail
git_dir=${1:?usage: $0 GIT_DIR [POLCHECK]}
polcheck=$(realpath "${2:-target/debug/polcheck}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
loaded=0; failed=0; total=0
mapfile -t roots < <(git --git-dir="$git_dir" ls-tree -r --name-only HEAD \
  | grep '/aws_configs/' | sed 's|\(.*/aws_configs\)/.*|\1|' | sort -u)
printf '%-100s %-6s %8s %8s %8s\n' snapshot loads warnings exposed services
for root in "${roots[@]}"; do
  total=$((total + 1))
  dir="$tmp/$total"
  mkdir -p "$dir"
  while IFS= read -r file; do
    mkdir -p "$dir/$(dirname "$file")"
    git --git-dir="$git_dir" show "HEAD:$file" >"$dir/$file"
  done < <(git --git-dir="$git_dir" ls-tree -r --name-only HEAD -- "$root/")
  if out=$("$polcheck" exposure --world "$dir/$root" --format json 2>"$tmp/err"); then
    loaded=$((loaded + 1))
    warnings=$(grep -c '^warning' "$tmp/err" || true)
    exposed=$(printf '%s' "$out" | grep -c '"interfaceId"' || true)
    services=$(printf '%s' "$out" | grep -c '"service"' || true)
    printf '%-100s %-6s %8s %8s %8s\n' "$root" yes "$warnings" "$exposed" "$services"
  else
    status=$?
    if [ "$status" -eq 3 ]; then # loads, but holds no VPC, subnet or interface
      loaded=$((loaded + 1))
      printf '%-100s %-6s %8s %8s %8s\n' "$root" "yes" "$(grep -c '^warning' "$tmp/err" || true)" "-" "(no network)"
      rm -rf "$dir"
      continue
    fi
    failed=$((failed + 1))
    printf '%-100s %-6s %s\n' "$root" "no($status)" "$(head -c 300 "$tmp/err" | tr '\n' ' ')"
  fi
  rm -rf "$dir"
done
echo "$loaded of $total snapshots load ($failed fail)"
[ "$failed" -eq 0 ]
