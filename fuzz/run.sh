#!/usr/bin/env bash
# Runs every fuzz target (or those named after the duration) for a fixed time, at the lowest
# priority, two at a time at most. Not for CI: it takes minutes per target.
#   fuzz/run.sh [SECONDS] [TARGET...]      default 600 s, every target
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz --locked`). Seeds first with seed.sh.
# Logs go to fuzz/logs/<target>.log; a crash leaves its input in fuzz/artifacts/<target>/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
secs="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(policy_parse world_import condition_eval network_import differential suite_run)
fi
bash "$here/seed.sh" >/dev/null
mkdir -p logs
# -a: debug assertions and overflow checks on, so an arithmetic overflow is a crash too.
for t in "${targets[@]}"; do nice -n 19 cargo +nightly fuzz build -a "$t"; done
run() {
    local t="$1"
    mkdir -p "corpus/$t"
    nice -n 19 cargo +nightly fuzz run -a "$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1 >"logs/$t.log" 2>&1 \
        && echo "$t: done ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$') execs, $(ls "corpus/$t" | wc -l) corpus files)" \
        || echo "$t: FAILED, see fuzz/logs/$t.log and fuzz/artifacts/$t/"
}
i=0
for t in "${targets[@]}"; do
    run "$t" &
    i=$((i + 1))
    if [ $((i % 2)) -eq 0 ]; then wait; fi
done
wait
