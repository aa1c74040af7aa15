#!/usr/bin/env bash
# Integration tests (ansible-test integration targets) against real Airflow servers that the
# harness installs and starts on 127.0.0.1, one server at a time.
#   scripts/integration.sh                      every flavor: 2.11 3.3 3.3-fab
#   scripts/integration.sh 3.3                  one flavor
#   TARGETS="airflow_info" scripts/integration.sh 2.11
# 3.3-fab differs from 3.3 only in its auth manager, so by default it runs the targets whose
# behaviour depends on it (users and roles, token exchange, the plugin's admin check), not every target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
harness="$root/tests/harness/airflow_server.py"
flavors=("$@")
[ ${#flavors[@]} -gt 0 ] || flavors=(2.11 3.3 3.3-fab)
read -r -a targets <<<"${TARGETS:-}"
fab_targets=(airflow_info airflow_variable airflow_user airflow_role rest_api_plugin)

state=""
stop_server() { [ -z "$state" ] || python3 "$harness" stop --state-dir "$state" >&2 || true; }
trap stop_server EXIT

for flavor in "${flavors[@]}"; do
  echo "=== integration on Airflow $flavor" >&2
  state=$(mktemp -d "${TMPDIR:-/tmp}/dagops-it-$flavor-XXXXXX")
  python3 "$harness" start "$flavor" --rest-api-plugin --state-dir "$state" >"$state/start.json"
  coll=$("$root/scripts/stage.sh" "it-$flavor")
  # ansible-test hands this file to every target (role targets as vars, runme.sh as ../../).
  python3 - "$state/server.json" "$coll/tests/integration/integration_config.yml" "$harness" "$state" <<'PY'
import json, sys
server = json.load(open(sys.argv[1]))
config = {
    "airflow_url": server["url"], "airflow_username": server["username"], "airflow_password": server["password"],
    "airflow_flavor": server["flavor"], "airflow_api": server["api_version"], "airflow_version": server["airflow_version"],
    "airflow_auth_manager": server["auth_manager"], "airflow_home": server["airflow_home"],
    "airflow_dags_folder": server["dags_folder"],
    "airflow_viewer_username": server["viewer_username"], "airflow_viewer_password": server["viewer_password"],
    "airflow_rest_api_plugin": server["rest_api_plugin"],
    "airflow_cli": "python3 %s cli --state-dir %s --" % (sys.argv[3], sys.argv[4]),
}
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY
  run_targets=("${targets[@]}")
  [ ${#run_targets[@]} -gt 0 ] || [ "$flavor" != 3.3-fab ] || run_targets=("${fab_targets[@]}")
  (cd "$coll" && PATH="$tools/bin:$PATH" ansible-test integration --color no --python 3.11 "${run_targets[@]}")
  stop_server
  state=""
done
