#!/usr/bin/env bash
# Benchmark `tresor validate` against the bare libyaml scan of the same estate.
#
#   bash Benchmarks/run.sh [N]          # N VMs, default 100000
#
# Steps: generate a synthetic estate of N VMs into .bench/estate-N (once),
# build tresor in release mode, compile Benchmarks/yaml-scan.c into .bench/,
# then time each command RUNS times (default 3) with /usr/bin/time -v and
# report the best wall time, with that run's user+sys CPU and max RSS.
#
# Environment:
#   RUNS=3               runs per command (best wall time wins)
#   TRESOR=path          use this tresor binary and skip `swift build`
#   TRESOR_COMMANDS=...  extra tresor command lines to time, separated by ';'
#                        or newlines; `{estate}` stands for the estate dir.
#                        Words are split on blanks (no quoting), e.g.
#                        TRESOR_COMMANDS='validate --format json {estate}; rules'
#
# Output of every run goes to .bench/out/ for inspection.
set -euo pipefail

N="${1:-100000}"
RUNS="${RUNS:-3}"
case "$N" in ''|*[!0-9]*) echo "usage: bash Benchmarks/run.sh [N]" >&2; exit 64 ;; esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH=.bench
ESTATE="$BENCH/estate-$N"
OUT="$BENCH/out"
mkdir -p "$BENCH" "$OUT"

if [[ ! -x /usr/bin/time ]]; then
    echo "run.sh: /usr/bin/time is required (apt-get install time)" >&2
    exit 1
fi

# 1. estate
if [[ ! -d "$ESTATE" ]]; then
    echo "==> generating $N-VM estate into $ESTATE"
    rm -rf "$ESTATE.tmp"
    python3 Benchmarks/generate-estate.py --vms "$N" --out "$ESTATE.tmp"
    mv "$ESTATE.tmp" "$ESTATE"
fi
BYTES=$(find "$ESTATE" -type f \( -name '*.yaml' -o -name '*.yml' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')
NFILES=$(find "$ESTATE" -type f \( -name '*.yaml' -o -name '*.yml' \) | wc -l)

# 2. tresor
if [[ -n "${TRESOR:-}" ]]; then
    echo "==> using TRESOR=$TRESOR (no build)"
else
    echo "==> swift build -c release"
    swift build -c release
    TRESOR="$(swift build -c release --show-bin-path)/tresor"
fi
[[ -x "$TRESOR" ]] || { echo "run.sh: $TRESOR is not an executable" >&2; exit 1; }

# 3. yaml-scan
SCAN="$BENCH/yaml-scan"
if [[ ! -x "$SCAN" || Benchmarks/yaml-scan.c -nt "$SCAN" ]]; then
    echo "==> cc -O2 -o $SCAN Benchmarks/yaml-scan.c -lyaml"
    cc -O2 -o "$SCAN" Benchmarks/yaml-scan.c -lyaml
fi

# 4. timing
now() { if [[ -n "${EPOCHREALTIME:-}" ]]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }

LABELS=() WALLS=() CPUS=() RSSS=() CODES=()

# bench LABEL CMD...: run RUNS times, keep the run with the best wall time
bench() {
    local label="$1"; shift
    local slug best_wall="" best_cpu="" best_rss="" code=0 i
    slug=$(printf '%s' "$label" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-60)
    for ((i = 1; i <= RUNS; i++)); do
        local t0 t1 wall cpu rss rc=0
        t0=$(now)
        /usr/bin/time -v -o "$OUT/$slug.time" "$@" >"$OUT/$slug.stdout" 2>"$OUT/$slug.stderr" || rc=$?
        t1=$(now)
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
        cpu=$(awk -F': ' '/User time \(seconds\)/ {u=$2} /System time \(seconds\)/ {s=$2} END {printf "%.2f", u + s}' "$OUT/$slug.time")
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$OUT/$slug.time")
        (( rc != 0 )) && code=$rc
        printf '    %-44s run %d: %8s s wall %8s s cpu %8s MiB%s\n' "$label" "$i" "$wall" "$cpu" "$rss" \
            "$( (( rc != 0 )) && echo "  (exit $rc)")"
        if [[ -z "$best_wall" ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN {exit !(a < b)}'; then
            best_wall=$wall best_cpu=$cpu best_rss=$rss
        fi
    done
    if (( code != 0 )); then
        echo "    warning: '$label' exited with $code; see $OUT/$slug.stdout / .stderr" >&2
        head -n 5 "$OUT/$slug.stderr" "$OUT/$slug.stdout" >&2 || true
    fi
    LABELS+=("$label") WALLS+=("$best_wall") CPUS+=("$best_cpu") RSSS+=("$best_rss") CODES+=("$code")
}

echo "==> estate: $ESTATE ($NFILES files, $BYTES bytes), $RUNS runs each"
bench "yaml-scan (libyaml events)" "$SCAN" "$ESTATE"
bench "tresor validate" "$TRESOR" validate "$ESTATE"

if [[ -n "${TRESOR_COMMANDS:-}" ]]; then
    while IFS= read -r line; do
        line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
        [[ -z "$line" ]] && continue
        line="${line//\{estate\}/$ESTATE}"
        read -r -a words <<<"$line"
        bench "tresor $line" "$TRESOR" "${words[@]}"
    done < <(printf '%s\n' "$TRESOR_COMMANDS" | tr ';' '\n')
fi

# 5. table
echo
echo "Estate: $N VMs, $NFILES files, $(awk -v b="$BYTES" 'BEGIN {printf "%.1f MB", b / 1e6}'); best of $RUNS runs"
printf '%-44s %10s %12s %12s %10s %6s\n' "command" "wall s" "user+sys s" "max RSS MiB" "x scan" "exit"
printf '%-44s %10s %12s %12s %10s %6s\n' "-------" "------" "----------" "-----------" "------" "----"
for i in "${!LABELS[@]}"; do
    ratio=$(awk -v a="${WALLS[$i]}" -v b="${WALLS[0]}" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "-"}')
    printf '%-44s %10s %12s %12s %10s %6s\n' "${LABELS[$i]:0:44}" "${WALLS[$i]}" "${CPUS[$i]}" "${RSSS[$i]}" "$ratio" "${CODES[$i]}"
done
echo
echo "throughput: scan $(awk -v b="$BYTES" -v w="${WALLS[0]}" 'BEGIN {printf "%.1f", b / 1e6 / w}') MB/s, tresor validate $(awk -v b="$BYTES" -v w="${WALLS[1]}" 'BEGIN {printf "%.1f", b / 1e6 / w}') MB/s"

status=0
for c in "${CODES[@]}"; do (( c != 0 )) && status=1; done
exit $status
