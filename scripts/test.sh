#!/usr/bin/env bash
# make test: every stage, even after one fails, then one summary line; exit 1 if any failed
# (a report-only stage's failure is reported, not counted).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stages=(
  "lint:scripts/lint.sh"
  "docs-lint:scripts/docs.sh lint"
  "sanity-2.19:scripts/sanity.sh 2.19"
  "sanity-2.21:scripts/sanity.sh 2.21"
  "units:scripts/units.sh"
  "release:scripts/release_check.sh"
  "integration:scripts/integration.sh"
  "integration-3.4-preview:scripts/integration.sh 3.4"
  "reliability:scripts/reliability.sh"
  "molecule:scripts/molecule.sh"
  "topology:scripts/topology.sh"
)
# Report-only stages: their failure is shown in the summary but does not fail make test (Airflow
# pre-releases, which may break before their release without a change of ours).
report_only=" integration-3.4-preview "
passed=0 failed=0 reported=0 report=()
for stage in "${stages[@]}"; do
  name=${stage%%:*} cmd=${stage#*:}
  echo "=== $name: $cmd"
  start=$SECONDS
  if $cmd; then
    passed=$((passed + 1)); report+=("  $name: passed in $((SECONDS - start)) s")
  elif [[ "$report_only" == *" $name "* ]]; then
    reported=$((reported + 1)); report+=("  $name: REPORTED (not failing) after $((SECONDS - start)) s")
  else
    failed=$((failed + 1)); report+=("  $name: FAILED after $((SECONDS - start)) s")
  fi
done
echo
echo "=== make test summary"
printf '%s\n' "${report[@]}"
echo "stages: $passed passed, $failed failed, $reported reported (not failing)"
[ "$failed" -eq 0 ]
