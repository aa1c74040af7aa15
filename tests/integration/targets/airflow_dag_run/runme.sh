#!/usr/bin/env bash
# Runs the airflow_dag_run tests at -vvv --diff, then proves that the secret passed in a run's
# conf appears nowhere in that output.
set -eu
cd "$(dirname "$0")"

rand() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
export IT_CONF_SECRET="conf-$(rand)"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
ansible-playbook tasks.yml -e @../../integration_config.yml -vvv --diff "$@" >"$log" 2>&1
rc=$?
set -e
tail -n 60 "$log"
[ "$rc" -eq 0 ] || { echo "the playbook failed (rc=$rc)"; exit "$rc"; }

if grep -qF -- "$IT_CONF_SECRET" "$log"; then
  echo "LEAK: the conf secret appears in the -vvv --diff output, in:"
  grep -nF -e "TASK [" -e "$IT_CONF_SECRET" "$log" | grep -B1 -F -- "$IT_CONF_SECRET" | head -10
  exit 1
fi
grep -qF '<hidden>' "$log" || { echo "no hidden value in the output: the secret test did not run"; exit 1; }
echo "secret scan: the conf secret is in none of the $(wc -l <"$log") lines of output"
