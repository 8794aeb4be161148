#!/usr/bin/env bash
# Builds one libFuzzer target (Fuzz/, with TRESOR_FUZZ=1 into .build-fuzz) and fuzzes it:
#   scripts/fuzz.sh TARGET SECONDS      fuzz for SECONDS; exit non-zero on a crash, a broken
#                                       property, an input slower than 10 s (FUZZ_TIMEOUT) or
#                                       over 2 GiB
#   scripts/fuzz.sh TARGET FILE...      run the target once on each FILE (a crash to reproduce)
# TARGET: manifests, configuration, inventory, state, journal, plan, arm or postgres.
# Seeds are Fuzz/corpus/TARGET (read, never written); inputs found are kept in
# .build-fuzz/corpus/TARGET for the next run, crashes in .build-fuzz/artifacts/TARGET/, the log
# in .build-fuzz/logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS="manifests configuration inventory state journal plan arm postgres"
usage() { echo "usage: scripts/fuzz.sh TARGET SECONDS | TARGET FILE...   (TARGET: ${TARGETS// /, })" >&2; exit 64; }
[ $# -ge 2 ] || usage
TARGET=$1; shift
[[ " $TARGETS " == *" $TARGET "* ]] || usage
PRODUCT="Fuzz$(tr '[:lower:]' '[:upper:]' <<<"${TARGET:0:1}")${TARGET:1}"

# Crashes are reported by libFuzzer, which saves the input: not by Swift's backtracer.
export SWIFT_BACKTRACE=enable=no
TRESOR_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product "$PRODUCT" >&2
BINARY=.build-fuzz/release/$PRODUCT
# No leak check per input: the Swift runtime's caches, filled on first use, look like leaks to
# it, and its heap scans cost three quarters of the runs. Leaks are the ASan suite's to find
# (scripts/sanitize.sh asan); memory that grows with inputs still meets -rss_limit_mb.
# FUZZ_TIMEOUT (seconds, default 10) is wall time: a campaign at nice 19 on a machine busy with
# builds gets a sliver of a core, and an input of a tenth of a second of CPU can take longer.
OPTIONS=(-rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" -detect_leaks=0 -dict="Fuzz/dict/$TARGET.dict")

if ! [[ $1 =~ ^[0-9]+$ ]]; then
    exec "$BINARY" "${OPTIONS[@]}" "$@"
fi
SECONDS_BUDGET=$1
mkdir -p ".build-fuzz/corpus/$TARGET" ".build-fuzz/artifacts/$TARGET" .build-fuzz/logs
LOG=.build-fuzz/logs/$TARGET.log
status=0
"$BINARY" "${OPTIONS[@]}" -max_total_time="$SECONDS_BUDGET" -print_final_stats=1 \
    -artifact_prefix=".build-fuzz/artifacts/$TARGET/" \
    ".build-fuzz/corpus/$TARGET" "Fuzz/corpus/$TARGET" >"$LOG" 2>&1 || status=$?
# The last status line (cov: edges, ft: features, corp: inputs kept) and the run's totals.
{ grep -E '^#[0-9]+' "$LOG" | tail -1
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$LOG"; } | sed "s/^/$TARGET: /" || true
if [ "$status" -ne 0 ]; then
    grep -E 'ERROR: |property broken|Fatal error|SUMMARY|Test unit written' "$LOG" | head -20 >&2 || true
    echo "$TARGET: FAILED (exit $status); the whole log is $LOG" >&2
    exit 1
fi
