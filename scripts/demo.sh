#!/usr/bin/env bash
# make demo: the playbooks against a local Airflow 3.3 on 127.0.0.1:8080, left running.
#   bootstrap.yml  installs Airflow into ~/.cache/dagops-airflow/role-venvs (the first time) and starts
#                  it in process mode with AIRFLOW_HOME under .cache/demo/ (the dagops.airflow.airflow role)
#   site.yml       the inventory's variables, connections and pools (users and roles where there is an API)
#   deploy_dags.yml syncs the dags folder with playbooks/files/dags/ through the REST plugin
#   demo.yml       runs the sample DAG once per version of its file and waits for the run
# all with the collection built and installed from this checkout under .cache/collections, and the
# inventory's `demo` group (playbooks/inventory/group_vars/demo.yml). A second run changes nothing.
# Arguments go to every ansible-playbook run (-v, --diff, --check...).
#
# scripts/demo.sh stop (make demo-stop): stops the demo's services through the airflow role's control
# script, by pid.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
collections="$root/.cache/collections"
# As in playbooks/inventory/group_vars/demo.yml.
airflow_home="$root/.cache/demo/airflow"
control="$airflow_home/bin/dagops-airflow-services"
admin_password=${DEMO_ADMIN_PASSWORD:-dagops-demo-admin}

# Before the airflow role existed, make demo started the test harness's server in .cache/demo; it
# would keep port 8080.
stop_harness_demo() {
  if [ -f "$root/.cache/demo/server.json" ]; then
    python3 "$root/tests/harness/airflow_server.py" stop --state-dir "$root/.cache/demo"
    rm -rf "$root/.cache/demo/server.json" "$root/.cache/demo/env.json" "$root/.cache/demo/airflow-home" \
      "$root/.cache/demo/logs"
  fi
}

if [ "${1:-}" = stop ]; then
  stop_harness_demo
  if [ -x "$control" ]; then
    "$control" stop
  else
    echo "demo: nothing to stop ($control is not there)" >&2
  fi
  exit 0
fi

# What a user runs next: .cache/bin/ holds ansible-playbook, ansible-doc, ansible-galaxy, ansible and
# ansible-inventory of the tools virtualenv, each with the collection's path in place;
# `source .cache/activate` puts them first on PATH.
write_newcomer_tools() {
  mkdir -p "$root/.cache/bin"
  local tool
  for tool in ansible ansible-playbook ansible-doc ansible-galaxy ansible-inventory; do
    cat >"$root/.cache/bin/$tool" <<WRAPPER
#!/bin/sh
# Written by scripts/demo.sh: $tool with the collection that make demo installed.
ANSIBLE_COLLECTIONS_PATH="$collections\${ANSIBLE_COLLECTIONS_PATH:+:\$ANSIBLE_COLLECTIONS_PATH}" exec "$tools/bin/$tool" "\$@"
WRAPPER
    chmod +x "$root/.cache/bin/$tool"
  done
  cat >"$root/.cache/activate" <<ACTIVATE
# Written by scripts/demo.sh. \`source .cache/activate\`: ansible-playbook, ansible-doc... with the
# dagops.airflow collection that make demo installed, first on PATH.
export PATH="$root/.cache/bin:\$PATH"
export ANSIBLE_COLLECTIONS_PATH="$collections"
ACTIVATE
}

in_check_mode() {
  local arg
  for arg in "$@"; do
    case "$arg" in --check | -C) return 0 ;; esac
  done
  return 1
}

airflow_answers() {
  python3 -c 'import sys, urllib.request
try:
    urllib.request.urlopen("http://127.0.0.1:8080/api/v2/monitor/health", timeout=5)
except Exception:
    sys.exit(1)'
}

stop_harness_demo

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
"$tools/bin/ansible-galaxy" collection build "$root" --output-path "$build" >/dev/null
# With the path configured, ansible-galaxy does not warn that it "is not part of the configured paths".
ANSIBLE_COLLECTIONS_PATH="$collections" \
  "$tools/bin/ansible-galaxy" collection install --force -p "$collections" "$build"/dagops-airflow-*.tar.gz >/dev/null
write_newcomer_tools

if [ ! -x "$control" ] && ! in_check_mode "$@"; then
  echo "demo: installing Airflow 3.3 and starting it on 127.0.0.1:8080 (the first run takes a few minutes)" >&2
fi
cd "$root"
summary=()
for playbook in bootstrap.yml site.yml deploy_dags.yml demo.yml; do
  if in_check_mode "$@" && [ ! -x "$control" ]; then
    # Check mode before the first make demo: nothing is installed to compare with, and the airflow
    # role cannot check the configuration of an Airflow it has not installed (airflow.cfg is
    # written by Airflow itself).
    summary+=("$(printf '%-16s %4s   %s' "$playbook" - "skipped: check mode and no demo installed yet (run make demo)")")
    continue
  fi
  if [ "$playbook" != bootstrap.yml ] && in_check_mode "$@" && ! airflow_answers; then
    # bootstrap.yml in check mode starts nothing: the plays that talk to Airflow have nobody to talk to.
    summary+=("$(printf '%-16s %4s   %s' "$playbook" - "skipped: check mode and no Airflow on 127.0.0.1:8080")")
    continue
  fi
  started=$SECONDS
  ANSIBLE_COLLECTIONS_PATH="$collections" \
    "$tools/bin/ansible-playbook" -i playbooks/inventory --limit demo "playbooks/$playbook" "$@" \
    | tee "$build/$playbook.log"
  recap=$(sed -n '/^PLAY RECAP/{n;p;}' "$build/$playbook.log" | tr -s ' ')
  summary+=("$(printf '%-16s %4ss  %s' "$playbook" $((SECONDS - started)) "$recap")")
done

echo
if in_check_mode "$@"; then
  echo "demo: check mode: nothing was installed, started or changed; the recaps say what a real run would change:"
else
  echo "demo: the recaps (a second make demo shows changed=0 everywhere):"
fi
printf '  %s\n' "${summary[@]}"
echo
if [ -x "$control" ]; then
  echo "demo: Airflow is running at http://127.0.0.1:8080 (user admin, password $admin_password);" \
    "stop it with: make demo-stop"
fi
cat <<NEXT
demo: to use the collection it installed (ansible-playbook, ansible-doc and the collections path):
  source .cache/activate
  ansible-doc dagops.airflow.airflow_variable
  ansible-playbook -i playbooks/inventory --limit demo my_first.yml   # see the README's quick start
NEXT
