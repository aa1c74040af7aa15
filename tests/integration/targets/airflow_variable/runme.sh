#!/usr/bin/env bash
# Runs the airflow_variable tests at -vvv --diff and then proves that no secret value used in
# them appears anywhere in that output.
set -eu
cd "$(dirname "$0")"

# Fresh secrets every run, passed through the environment so no command line carries them.
rand() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
export IT_SECRET="sec-$(rand)" IT_SECRET_2="sec-$(rand)" IT_NESTED_SECRET="nest-$(rand)" IT_BULK_SECRET="bulk-$(rand)"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
ansible-playbook tasks.yml -e @../../integration_config.yml -vvv --diff "$@" >"$log" 2>&1
rc=$?
set -e
tail -n 60 "$log"
[ "$rc" -eq 0 ] || { echo "the playbook failed (rc=$rc)"; exit "$rc"; }

leaks=0
for name in IT_SECRET IT_SECRET_2 IT_NESTED_SECRET IT_BULK_SECRET; do
  if grep -qF -- "${!name}" "$log"; then
    echo "LEAK: the value of $name appears in the -vvv --diff output, in:"
    grep -nF -e "TASK [" -e "${!name}" "$log" | grep -B1 -F -- "${!name}" | head -10
    leaks=1
  fi
done
# The scan means something only if the secrets were really used and shown hidden.
grep -qF '<hidden' "$log" || { echo "no hidden value in the output: the secret tests did not run"; exit 1; }
[ "$leaks" -eq 0 ] && echo "secret scan: no secret value in $(wc -l <"$log") lines of output"
exit "$leaks"
