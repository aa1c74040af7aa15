#!/usr/bin/env bash
# The roles' molecule scenarios (roles/*/molecule/default: default driver, localhost, a real
# Airflow) run one flavor after the other, at -vvv with --diff and with a random secret that each
# scenario sets (MOLECULE_SECRET); fails if that secret appears anywhere in the output.
#   scripts/molecule.sh                              every role's scenario on Airflow 2.11 and 3.3
#   scripts/molecule.sh 3.3                          one flavor
#   MOLECULE_ROLES="airflow_config" scripts/molecule.sh 2.11
# A scenario may list in molecule/default/scan-proof.txt lines that its log must contain (the masked
# secret in a diff, say): proof that the scan looked at the tasks that handle the secret.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
flavors=("$@")
[ ${#flavors[@]} -gt 0 ] || flavors=(2.11 3.3)
if [ -n "${MOLECULE_ROLES:-}" ]; then
  read -r -a roles <<<"$MOLECULE_ROLES"
else
  roles=()
  for scenario in "$root"/roles/*/molecule/default; do
    roles+=("$(basename "$(dirname "$(dirname "$scenario")")")")
  done
fi
coll=$("$root/scripts/stage.sh" molecule)
export PATH="$tools/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$(cd "$coll/../../.." && pwd)"
export MOLECULE_AIRFLOW_HARNESS="$coll/tests/harness/airflow_server.py"

work=""
cleanup() {
  # Each scenario's destroy stops what it started; this covers a molecule that died before it.
  [ -z "$work" ] || python3 "$MOLECULE_AIRFLOW_HARNESS" stop --state-dir "$work/airflow" >/dev/null 2>&1 || true
  [ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT

for role in "${roles[@]}"; do
  for flavor in "${flavors[@]}"; do
    echo "=== molecule: role $role on Airflow $flavor" >&2
    work=$(mktemp -d "${TMPDIR:-/tmp}/dagops-molecule-$role-$flavor-XXXXXX")
    # Passed through the environment, so no command line carries the secret.
    MOLECULE_SECRET="mol-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    export MOLECULE_AIRFLOW_FLAVOR=$flavor MOLECULE_AIRFLOW_STATE="$work/airflow" MOLECULE_WORK="$work" MOLECULE_SECRET
    log="$work/molecule.log"
    set +e
    (cd "$coll/roles/$role" && ANSIBLE_VERBOSITY=3 ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 \
      molecule test --scenario-name default) >"$log" 2>&1
    rc=$?
    set -e
    grep -E "^(PLAY RECAP|airflow_host|.*(INFO|ERROR|WARNING).*(Running|Executed|Idempotence|scenario))" "$log" | tail -n 40 || true
    if [ "$rc" -ne 0 ]; then
      tail -n 80 "$log"
      cp "$log" "${TMPDIR:-/tmp}/dagops-molecule-$role-$flavor.log.failed"
      echo "molecule failed: role $role on Airflow $flavor (rc=$rc); full log kept in ${TMPDIR:-/tmp}/dagops-molecule-$role-$flavor.log.failed" >&2
      exit "$rc"
    fi
    if grep -qF -- "$MOLECULE_SECRET" "$log"; then
      echo "LEAK: the secret appears in the -vvv --diff output of role $role's molecule on Airflow $flavor, in:" >&2
      grep -nF -e "TASK [" -e "$MOLECULE_SECRET" "$log" | grep -B1 -F -- "$MOLECULE_SECRET" | head -10 >&2
      exit 1
    fi
    proof="$root/roles/$role/molecule/default/scan-proof.txt"
    if [ -f "$proof" ]; then
      while IFS= read -r line; do
        case "$line" in ''|'#'*) continue ;; esac
        grep -qF -- "$line" "$log" || {
          echo "role $role: the log lacks '$line' (scan-proof.txt): the converge did not handle the secret, so the scan proves nothing" >&2
          exit 1; }
      done <"$proof"
    fi
    echo "molecule passed: role $role on Airflow $flavor; the secret is in none of $(wc -l <"$log") lines" >&2
    cleanup
    work=""
  done
done
