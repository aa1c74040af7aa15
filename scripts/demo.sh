#!/usr/bin/env bash
# make demo: a local Airflow 3.3 on 127.0.0.1:8080, left running, with playbooks/demo.yml
# applied to it by the collection built and installed from this checkout.
# Everything lives under .cache/ (the server's AIRFLOW_HOME, the installed collection) and the
# venvs under ~/.cache/dagops-airflow; `make demo-stop` stops the server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
harness="$root/tests/harness/airflow_server.py"
state="$root/.cache/demo"
collections="$root/.cache/collections"

if python3 "$harness" status --state-dir "$state" >/dev/null 2>&1; then
  echo "demo: Airflow is already running; applying the playbook again" >&2
else
  echo "demo: starting Airflow 3.3 on 127.0.0.1:8080 (the first run installs it, about a minute)" >&2
  python3 "$harness" start 3.3 --state-dir "$state" --port 8080 --rest-api-plugin >/dev/null
fi

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
"$tools/bin/ansible-galaxy" collection build "$root" --output-path "$build" >/dev/null
"$tools/bin/ansible-galaxy" collection install --force -p "$collections" "$build"/dagops-airflow-*.tar.gz >/dev/null

eval "$(python3 - "$state/server.json" <<'PY'
import json, shlex, sys
s = json.load(open(sys.argv[1]))
for name, key in (("AIRFLOW_URL", "url"), ("AIRFLOW_USERNAME", "username"), ("AIRFLOW_PASSWORD", "password")):
    print("export %s=%s" % (name, shlex.quote(str(s[key]))))
PY
)"
cd "$root"
ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_PYTHON_INTERPRETER="$tools/bin/python" \
  "$tools/bin/ansible-playbook" -i localhost, -c local playbooks/demo.yml "$@"
echo
echo "demo: Airflow is running at $AIRFLOW_URL (user $AIRFLOW_USERNAME, password $AIRFLOW_PASSWORD); stop it with: make demo-stop"
