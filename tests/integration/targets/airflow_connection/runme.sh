#!/usr/bin/env bash
# Runs the airflow_connection tests at -vvv --diff and then proves that no password or secret
# extra value used in them appears anywhere in that output.
set -eu
cd "$(dirname "$0")"

# Fresh secrets every run, passed through the environment so no command line carries them.
rand() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
secrets="IT_PASSWORD IT_PASSWORD_2 IT_TOKEN IT_TOKEN_2 IT_BULK_PASSWORD IT_BULK_TOKEN IT_BAD_JSON_SECRET IT_NESTED_SECRET"
for name in $secrets; do
  export "$name=sec-$(rand)"
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
ansible-playbook tasks.yml -e @../../integration_config.yml -vvv --diff "$@" >"$log" 2>&1
rc=$?
set -e
tail -n 60 "$log"
[ "$rc" -eq 0 ] || { echo "the playbook failed (rc=$rc)"; exit "$rc"; }

leaks=0
for name in $secrets; do
  if grep -qF -- "${!name}" "$log"; then
    echo "LEAK: the value of $name appears in the -vvv --diff output, in:"
    grep -nF -e "TASK [" -e "${!name}" "$log" | grep -B1 -F -- "${!name}" | head -10
    leaks=1
  fi
done
# The scan means something only if the secrets were really used and shown hidden.
grep -qF '<hidden, changed>' "$log" || { echo "no changed hidden value in the output: the secret tests did not run"; exit 1; }
[ "$leaks" -eq 0 ] && echo "secret scan: no secret value in $(wc -l <"$log") lines of output"
exit "$leaks"
