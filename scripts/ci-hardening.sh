#!/usr/bin/env bash
# CI's hardening pass: every fuzz target for a smoke budget from the seeds in Git (FUZZ_SECONDS,
# default 30), then the concurrency-heavy tests under ThreadSanitizer: the parallel helpers, the
# applier with its parallel provider path, the state store and its journal writer, plan and
# apply on state files, the crash tests that SIGKILL applies, the Azure provider against the ARM
# emulator (apply, throttling, refresh, and the CLI's applies killed and interrupted mid-operation)
# and the PostgreSQL backend (when TRESOR_TEST_PG_CONN names a server; skipped otherwise). Every
# step runs; the pass fails if any of them found something (a crash, a broken property, a
# timeout, memory over the limit, a sanitizer report or a failing test).
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
for target in manifests configuration inventory state journal plan arm postgres; do
    scripts/fuzz.sh "$target" "${FUZZ_SECONDS:-30}" || failed+=("fuzz $target")
done
# Of the Azure scenarios, those that run changes in parallel, pace, retry or renew a token, and
# the CLI's killed and interrupted applies: the others check single answers (CI's budget).
scripts/sanitize.sh tsan --filter 'ApplierTests|ParallelTests|StateStoreTests|StateCommandTests|CrashTests|RefreshEmulatorTests|ARMAnswerTests|PostgresBackendTests|AzureProviderScenarioTests/test(VaultPolicyRuleAndItemsConverge|ThrottlingIsPaced|AutoParallelism|InjectedServerErrors|ExpiredTokenIsRenewed)|AzureApplyTests/test(Killing|AnInterrupted)' || failed+=("tsan tests")
if [ ${#failed[@]} -gt 0 ]; then
    echo "hardening failed: ${failed[*]}" >&2
    exit 1
fi
echo "hardening passed"
