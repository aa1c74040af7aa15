#!/usr/bin/env bash
# The export round trip on the harness server: seed 50 variables, 20 connections and 10 pools
# (secrets among them), and 2 roles and 3 users where the server has a user API (the export and
# site.yml then log in as the third, an admin), run playbooks/export.yml, write the vault file an operator would (the real
# value of half the secrets, CHANGE-ME left in the others), run site.yml --check --diff with the
# export as the inventory's vars, then check the files and both runs (seeds.py verify). Every run is at
# -vvv --diff, and no secret may appear in that output or in the exported files.
set -eu
cd "$(dirname "$0")"
# ansible-test runs the target from a copy under the collection's tests/output/: the collection's
# playbooks are in the first directory above that has them.
root=$PWD
until [ -f "$root/playbooks/export.yml" ] || [ "$root" = / ]; do root=$(dirname "$root"); done
[ -f "$root/playbooks/export.yml" ] || { echo "no playbooks/export.yml in any directory above $PWD"; exit 1; }
config=$(cd ../.. && pwd)/integration_config.yml

IT_EXPORT_SECRET="sec-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/output.log
mkdir -p "$work/inventory/group_vars/airflow"
cat >"$work/inventory/hosts.yml" <<'YAML'
all:
  children:
    airflow:
      hosts:
        it-export:
          ansible_connection: local
          ansible_python_interpreter: "{{ ansible_playbook_python }}"
YAML
python3 seeds.py seed "$IT_EXPORT_SECRET" >"$work/seed.yml"

run() {  # name playbook [args]: one run, recorded in $work/<name>.jsonl, its output appended to $log
  local name=$1 playbook=$2 rc=0 started=$SECONDS
  shift 2
  echo "=== $name" >>"$log"
  EXPORT_RECORD="$work/$name.jsonl" ANSIBLE_CALLBACK_PLUGINS="$PWD/callback_plugins" \
    ANSIBLE_CALLBACKS_ENABLED=export_record \
    ansible-playbook "$playbook" -e @"$config" -vvv --diff "$@" >>"$log" 2>&1 || rc=$?
  echo "$name: rc=$rc in $((SECONDS - started)) s"
  [ "$rc" -eq 0 ] || { tail -n 80 "$log"; exit "$rc"; }
}

run seed seed.yml -e @"$work/seed.yml"
python3 seeds.py login "$IT_EXPORT_SECRET" "$config" >"$work/login.json"
run export "$root/playbooks/export.yml" -i "$work/inventory" -e @"$work/login.json" -e airflow_export_dest="$work/export"
cp "$work/export/state.yml" "$work/inventory/group_vars/airflow/state.yml"
python3 seeds.py fill "$IT_EXPORT_SECRET" "$work/export/vault.yml.example" \
  "$work/inventory/group_vars/airflow/vault.yml" "$work/filled.json"
run site "$root/playbooks/site.yml" -i "$work/inventory" -e @"$work/login.json" --check
grep -A3 "PLAY RECAP" "$log" | tail -n 4
python3 seeds.py verify "$IT_EXPORT_SECRET" "$work" "$config"

leaks=0
if grep -qF -- "$IT_EXPORT_SECRET" "$log"; then
  echo "LEAK: a seeded secret appears in the -vvv --diff output, in:"
  grep -nF -e "TASK [" -e "$IT_EXPORT_SECRET" "$log" | grep -B1 -F -- "$IT_EXPORT_SECRET" | head -10
  leaks=1
fi
if grep -rlF -- "$IT_EXPORT_SECRET" "$work/export"; then
  echo "LEAK: a seeded secret appears in the exported files above"
  leaks=1
fi
[ "$leaks" -eq 0 ] && echo "secret scan: no seeded secret in $(wc -l <"$log") lines of output or in the export"
exit "$leaks"
