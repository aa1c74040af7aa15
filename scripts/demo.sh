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

stop_harness_demo

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
"$tools/bin/ansible-galaxy" collection build "$root" --output-path "$build" >/dev/null
"$tools/bin/ansible-galaxy" collection install --force -p "$collections" "$build"/dagops-airflow-*.tar.gz >/dev/null

if [ ! -x "$control" ]; then
  echo "demo: installing Airflow 3.3 and starting it on 127.0.0.1:8080 (the first run takes a few minutes)" >&2
fi
cd "$root"
summary=()
for playbook in bootstrap.yml site.yml deploy_dags.yml demo.yml; do
  started=$SECONDS
  ANSIBLE_COLLECTIONS_PATH="$collections" \
    "$tools/bin/ansible-playbook" -i playbooks/inventory --limit demo "playbooks/$playbook" "$@" \
    | tee "$build/$playbook.log"
  recap=$(sed -n '/^PLAY RECAP/{n;p;}' "$build/$playbook.log" | tr -s ' ')
  summary+=("$(printf '%-16s %4ss  %s' "$playbook" $((SECONDS - started)) "$recap")")
done

echo
echo "demo: the recaps (a second make demo shows changed=0 everywhere):"
printf '  %s\n' "${summary[@]}"
echo
echo "demo: Airflow is running at http://127.0.0.1:8080 (user admin, password $admin_password);" \
  "stop it with: make demo-stop"
