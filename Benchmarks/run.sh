#!/usr/bin/env bash
# Times tresor against a bare libyaml scan of the same synthetic estate (Benchmarks/yaml-scan.c,
# which only calls yaml_parser_parse until each file ends), release build, best of RUNS runs:
#   validate with every rule                <= 2x the scan (and the rules' 1.5x goal)
#   apply of the estate into empty state   <= 5x the scan
#   no-change plan against that state      <= 2.5x the scan
#   peak memory                            <= 1 GiB
# Usage: bash Benchmarks/run.sh [VMS] [RUNS]   (defaults: 100000 VMs, best of 5 runs)
# Needs python3, cc and libyaml-dev. Prints the best elapsed time of each command, its CPU
# time and peak RSS, and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-100000}
RUNS=${2:-5}
WORK=${BENCH_DIR:-.bench}
ESTATE="$WORK/estate-$VMS"
mkdir -p "$WORK"
[ -d "$ESTATE" ] || python3 Benchmarks/generate-estate.py --vms "$VMS" --out "$ESTATE" >/dev/null
cc -O2 -o "$WORK/yaml-scan" Benchmarks/yaml-scan.c -lyaml
swift build -c release >/dev/null
TRESOR="$PWD/.build/release/tresor"

. Benchmarks/measure.sh

mkdir -p "$WORK/run"
ABS_ESTATE="$(cd "$ESTATE" && pwd)"
scan=$(measure ":" "$PWD/$WORK/yaml-scan" "$ABS_ESTATE")
validate=$(measure ":" "$TRESOR" validate "$ABS_ESTATE")
apply=$(measure "rm -f tresor.state.json*" "$TRESOR" apply "$ABS_ESTATE" --auto-approve --provider record)
plan=$(measure ":" "$TRESOR" plan "$ABS_ESTATE" --provider record)
(cd "$WORK/run" && "$TRESOR" plan "$ABS_ESTATE" --provider record --detailed-exitcode >/dev/null) || { echo "plan after apply is not empty" >&2; exit 1; }

report() {
    read -r elapsed user sys rss <<<"$2"
    local s=${scan%% *}
    printf "%-9s %6.2f s  (cpu %5.2f s)  %7.0f MiB  %5.2fx scan\n" "$1" "$elapsed" "$(echo "$user + $sys" | bc)" \
        "$(echo "$rss / 1024" | bc)" "$(echo "$elapsed / $s" | bc -l)"
}
echo "estate: $VMS VMs, $(du -shL "$ESTATE" | cut -f1); state file: $(du -h "$WORK/run/tresor.state.json" | cut -f1); best of $RUNS"
report scan "$scan"
report validate "$validate"
report apply "$apply"
report plan "$plan"
