#!/usr/bin/env bash
# Runs tresor under the sanitizers Swift has on Linux (no UBSan there):
#   scripts/sanitize.sh asan [--filter X]   the test suite under AddressSanitizer and LeakSanitizer
#   scripts/sanitize.sh tsan [--filter X]   the test suite under ThreadSanitizer
#   scripts/sanitize.sh tsan-binary [VMS]   the release binary under ThreadSanitizer on a generated
#                                           estate of VMS VMs (default 5000): validate, apply
#                                           and plan with --provider record (no sign-in, no refresh);
#                                           the plan must show no changes
# --filter is swift test's. Builds go to .build-asan and .build-tsan. Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-}
shift || true
SUPPRESSIONS="$PWD/scripts/sanitizers"
# Crashes are reported by the sanitizer, not by Swift's backtracer (which trips ASan itself).
export SWIFT_BACKTRACE=enable=no
# Leaks from Foundation and XCTest, which keep caches and test records until exit, are
# suppressed by name (lsan.supp); a leak in tresor's own code still fails the run.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$SUPPRESSIONS/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export TSAN_OPTIONS="halt_on_error=0:exitcode=66:${TSAN_OPTIONS:-}"

case "$MODE" in
asan | tsan)
    SANITIZER=$([ "$MODE" = asan ] && echo address || echo thread)
    swift test --disable-swift-testing --sanitize="$SANITIZER" --scratch-path ".build-$MODE" "$@"
    ;;
tsan-binary)
    VMS=${1:-5000}
    swift build -c release --sanitize=thread --scratch-path .build-tsan --product tresor
    TRESOR="$PWD/.build-tsan/release/tresor"
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
    python3 Benchmarks/generate-estate.py --vms "$VMS" --out "$WORK/estate" >/dev/null
    cd "$WORK"
    "$TRESOR" validate estate | tail -1
    "$TRESOR" apply estate --provider record --auto-approve | tail -1
    "$TRESOR" plan estate --provider record --detailed-exitcode | tail -1
    ;;
*)
    sed -n '2,8p' "$0" >&2
    exit 64
    ;;
esac
