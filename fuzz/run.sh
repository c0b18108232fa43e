#!/usr/bin/env bash
# Build the cargo-fuzz targets and run each for EXECS_PER_TARGET executions (default 10 000 000)
# under `nice -n 15`, then print one line per target: executions, exec/s, wall time, crashes.
#
#   fuzz/run.sh [EXECS_PER_TARGET]
#
# Environment:
#   TARGETS     targets to run (default: all four; with JOBS=2 put the slowest, request_body, first)
#   JOBS        how many targets run at once (default 1; 2 is fine on a 2-core machine)
#   ASAN_OPTIONS  default detect_stack_use_after_return=0 (scimtest has no unsafe code, and the
#               fake stacks cost ~9% of request_body's time); set it to override
#   SANITIZER   address (default) or none (when the ASan runtime is missing)
#   FUZZ_TARGET_DIR  cargo target dir (default: fuzz/target)
#
# Stable Rust only: RUSTC_BOOTSTRAP=1 lets the stable compiler take the -Z flags cargo-fuzz
# passes (-Zsanitizer=address, sancov). Logs go to fuzz/logs/, crashes to fuzz/artifacts/<target>/,
# the growing corpus to fuzz/corpus/<target>/ (seeds stay read-only in fuzz/seeds/<target>/).
# Exit status: 0 when no target crashed, 1 otherwise, 2 when the build failed.
set -euo pipefail

EXECS="${1:-10000000}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGETS="${TARGETS:-filter_parse patch_path patch_apply request_body}"
JOBS="${JOBS:-1}"
SANITIZER="${SANITIZER:-address}"
TD="${FUZZ_TARGET_DIR:-$HERE/target}"
LOGS="$HERE/logs"
mkdir -p "$LOGS"
export RUSTC_BOOTSTRAP=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_stack_use_after_return=0}"

echo "toolchain: $(rustc --version); $(cargo fuzz --version | head -1); sanitizer: $SANITIZER (ASAN_OPTIONS=$ASAN_OPTIONS)"
echo "building (cargo fuzz build -O -s $SANITIZER --codegen-units 8, log: $LOGS/build.log)"
if ! (cd "$HERE/.." && nice -n 15 cargo fuzz build -O -s "$SANITIZER" --codegen-units 8 \
        --target-dir "$TD" >"$LOGS/build.log" 2>&1); then
    tail -30 "$LOGS/build.log"
    echo "build failed" >&2
    exit 2
fi
BIN_DIR="$TD/x86_64-unknown-linux-gnu/release"

# Run one target; writes $LOGS/<target>.log and $LOGS/<target>.result (one table row).
run_one() {
    local t="$1" corpus="$HERE/corpus/$1" seeds="$HERE/seeds/$1" art="$HERE/artifacts/$1/"
    mkdir -p "$corpus" "$art"
    local before start end status=0
    before=$(find "$art" -type f | wc -l)
    start=$(date +%s.%N)
    nice -n 15 "$BIN_DIR/$t" -runs="$EXECS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$art" "$corpus" "$seeds" \
        >"$LOGS/$t.log" 2>&1 || status=$?
    end=$(date +%s.%N)
    local execs eps wall found
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/$t.log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOGS/$t.log" | tail -1)
    wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", e - s }')
    found=$(($(find "$art" -type f | wc -l) - before))
    printf '| %s | %s | %s | %s s | %s (exit %s) |\n' \
        "$t" "${execs:-?}" "${eps:-?}" "$wall" "$found" "$status" >"$LOGS/$t.result"
    cat "$LOGS/$t.result"
}

echo "running ${EXECS} executions per target, ${JOBS} at a time: $TARGETS"
running=0
for t in $TARGETS; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

{
    echo "| target | executions | exec/s | wall time | crashes |"
    echo "|---|---:|---:|---:|---|"
    for t in $TARGETS; do cat "$LOGS/$t.result"; done
} | tee "$LOGS/summary.md"

crashed=0
for t in $TARGETS; do
    grep -q '| 0 (exit 0) |$' "$LOGS/$t.result" || crashed=1
done
exit "$crashed"
