#!/usr/bin/env bash
# The rest_api_plugin role's molecule scenario (roles/rest_api_plugin/molecule/default) against a
# real Airflow from the harness, one flavor after the other, at -vvv with --diff and a random shared
# secret; fails if that secret appears anywhere in the output.
#   scripts/molecule.sh            Airflow 2.11 and 3.3
#   scripts/molecule.sh 3.3        one flavor
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
flavors=("$@")
[ ${#flavors[@]} -gt 0 ] || flavors=(2.11 3.3)
coll=$("$root/scripts/stage.sh" molecule)
export PATH="$tools/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$(cd "$coll/../../.." && pwd)"
export MOLECULE_AIRFLOW_HARNESS="$coll/tests/harness/airflow_server.py"

work=""
cleanup() {
  # molecule's destroy stops the server; this covers a molecule that died before it.
  [ -z "$work" ] || python3 "$MOLECULE_AIRFLOW_HARNESS" stop --state-dir "$work/airflow" >/dev/null 2>&1 || true
  [ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT

for flavor in "${flavors[@]}"; do
  echo "=== molecule on Airflow $flavor" >&2
  work=$(mktemp -d "${TMPDIR:-/tmp}/dagops-molecule-$flavor-XXXXXX")
  # Passed through the environment, so no command line carries it.
  export MOLECULE_AIRFLOW_FLAVOR=$flavor MOLECULE_AIRFLOW_STATE="$work/airflow"
  MOLECULE_PLUGIN_TOKEN="mol-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  export MOLECULE_PLUGIN_TOKEN
  log="$work/molecule.log"
  set +e
  (cd "$coll/roles/rest_api_plugin" && ANSIBLE_VERBOSITY=3 ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 \
    molecule test --scenario-name default) >"$log" 2>&1
  rc=$?
  set -e
  grep -E "^(PLAY RECAP|airflow_host|.*(INFO|ERROR|WARNING).*(Running|Executed|Idempotence|scenario))" "$log" | tail -n 40 || true
  if [ "$rc" -ne 0 ]; then
    tail -n 80 "$log"
    echo "molecule failed on Airflow $flavor (rc=$rc); full log kept in $log.failed" >&2
    cp "$log" "${TMPDIR:-/tmp}/dagops-molecule-$flavor.log.failed"
    exit "$rc"
  fi
  if grep -qF -- "$MOLECULE_PLUGIN_TOKEN" "$log"; then
    echo "LEAK: the shared secret appears in the -vvv --diff output of molecule on Airflow $flavor, in:" >&2
    grep -nF -e "TASK [" -e "$MOLECULE_PLUGIN_TOKEN" "$log" | grep -B1 -F -- "$MOLECULE_PLUGIN_TOKEN" | head -10 >&2
    exit 1
  fi
  # The diff of airflow.cfg shows the masked secret: proof that the scan looked at the secret's task.
  grep -qF -- "rest_api_plugin_expected_http_token = ******** (changed)" "$log" || {
    echo "no masked secret in the diff output: the converge did not set it, so the scan proves nothing" >&2; exit 1; }
  echo "molecule on Airflow $flavor passed; secret scan: the shared secret is in none of $(wc -l <"$log") lines" >&2
  cleanup
  work=""
done
