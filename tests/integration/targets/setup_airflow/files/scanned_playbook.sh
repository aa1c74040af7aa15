# shellcheck shell=bash
# Shared by the targets' runme.sh: run the target's tasks.yml at -vvv --diff with fresh random
# secrets, then prove that none of them appears anywhere in that output.
#   SECRETS="IT_A IT_B"        names of the environment variables to fill with random secrets
#   EXPECT_SHOWN="<hidden>"    a marker that must appear in the output, or the scan proves
#                              nothing (the secret tests did not run); empty: no such check
#   NO_DIGESTS=1               also fail on any 64-hex-digit string: the compare policy's random
#                              salt and HMAC fingerprints must never reach the output either
#   source ../setup_airflow/files/scanned_playbook.sh [extra ansible-playbook args]
set -eu

# Passed through the environment, so no command line carries them.
rand() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
for name in $SECRETS; do
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
for name in $SECRETS; do
  if grep -qF -- "${!name}" "$log"; then
    echo "LEAK: the value of $name appears in the -vvv --diff output, in:"
    grep -nF -e "TASK [" -e "${!name}" "$log" | grep -B1 -F -- "${!name}" | head -10
    leaks=1
  fi
done
if [ -n "${NO_DIGESTS:-}" ] && grep -qE '[0-9a-f]{64}' "$log"; then
  echo "LEAK: a 64-hex-digit string (a salt or a fingerprint?) appears in the output, in:"
  grep -nE -e '[0-9a-f]{64}' "$log" | cut -c1-200 | head -5
  leaks=1
fi
if [ -n "${EXPECT_SHOWN:-}" ] && ! grep -qF -- "$EXPECT_SHOWN" "$log"; then
  echo "no '$EXPECT_SHOWN' in the output: the secret tests did not run, so the scan proves nothing"
  exit 1
fi
[ "$leaks" -eq 0 ] && echo "secret scan: none of $SECRETS in $(wc -l <"$log") lines of output"
exit "$leaks"
