#!/usr/bin/env bash
# Airflow 1.10's experimental API (/api/experimental, served by the REST plugin) against a real
# Airflow, called with curl as its old callers did: every endpoint answers 1.10's shape and has its
# effect, checked through the stable API; authentication as for the plugin's other legacy layer;
# shell-looking values are data or refused, and nothing ran them (a marker file never appears).
set -eu
cd "$(dirname "$0")"
config=../../integration_config.yml
cfg() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$config" "$1"; }
url=$(cfg airflow_url)
api_version=$(cfg airflow_api)
admin="$(cfg airflow_username):$(cfg airflow_password)"
viewer="$(cfg airflow_viewer_username):$(cfg airflow_viewer_password)"
dags_folder=$(cfg airflow_dags_folder)
harness=$(cfg airflow_harness)
state_dir=$(cfg airflow_state_dir)
exp="$url/api/experimental"
stable="$url/api/$api_version"
dag=it_experimental

body=$(mktemp)
marker=$(mktemp -u /tmp/dagops-it-experimental-XXXXXX)  # a command that runs any value creates it
stop_extra_web() { python3 "$harness" web --state-dir "$state_dir" --stop >/dev/null 2>&1 || true; }
trap 'rm -f "$body"; stop_extra_web' EXIT
evil="\$(touch $marker);echo"
evil_path=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$evil")

fail() { echo "FAILED: $*" >&2; exit 1; }
step() { echo "--- $*"; }
# call CURL_ARGS...: the answer into $body, its HTTP status into $status.
call() { status=$(curl -sS --noproxy '*' -o "$body" -w '%{http_code}' "$@"); }
as_admin() { call -u "$admin" "$@"; }
expect() {  # expect STATUS [PYTHON_EXPRESSION about j (JSON) / t (text)]...
  local want=$1; shift
  [ "$status" = "$want" ] || fail "expected HTTP $want, got $status: $(head -c 800 "$body")"
  [ $# -eq 0 ] || python3 files/check_json.py "$body" "$@" || exit 1
}
# The stable API, for the checks: Basic auth on v1, a JWT on v2.
stable_auth=(-u "$admin")
if [ "$api_version" = v2 ]; then
  call -X POST "$url/auth/token" -H 'Content-Type: application/json' \
    -d "$(python3 -c 'import json, sys; u, p = sys.argv[1].split(":", 1); print(json.dumps({"username": u, "password": p}))' "$admin")"
  token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' "$body")
  stable_auth=(-H "Authorization: Bearer $token")
fi
as_stable() { call "${stable_auth[@]}" "$@"; }
date_key=$([ "$api_version" = v2 ] && echo logical_date || echo execution_date)
t0=$(date +%s)

step "authentication: admin by Basic (and JWT on Airflow 3); anonymous, wrong password and viewer refused"
as_admin "$exp/test"; expect 200 'j == {"status": "OK"}'
if [ "$api_version" = v2 ]; then call "${stable_auth[@]}" "$exp/test"; expect 200 'j == {"status": "OK"}'; fi
call "$exp/test"; expect 401 '"error" in j'
call -u "${admin%%:*}:wrong-password" "$exp/test"; expect 401 '"error" in j'
call -u "$viewer" "$exp/test"; expect 403 '"error" in j'
call -u "$viewer" -X POST "$exp/pools" -d '{"name": "it_exp_viewer_pool", "slots": 1}'; expect 403
as_stable "$stable/pools/it_exp_viewer_pool"; expect 404

step "a new DAG file, found by the DAG processor"
cp files/it_experimental_dags.py "$dags_folder/it_experimental_dags.py"
for _ in $(seq 1 120); do
  as_admin "$exp/dags/$dag/paused"
  [ "$status" = 200 ] && break
  sleep 1
done
expect 200 'j["is_paused"] in (True, False)'

step "paused/<true|false> and paused, checked through the stable API"
as_admin "$exp/dags/$dag/paused/true"; expect 200 'j == {"response": "ok"}'
as_admin "$exp/dags/$dag/paused"; expect 200 'j == {"is_paused": True}'
as_stable "$stable/dags/$dag"; expect 200 'j["is_paused"] is True'
as_admin "$exp/dags/$dag/paused/--help"; expect 400 '"true" in j["error"]'
as_stable "$stable/dags/$dag"; expect 200 'j["is_paused"] is True'
as_admin "$exp/dags/$dag/paused/false"; expect 200 'j == {"response": "ok"}'
as_admin "$exp/dags/$dag/paused"; expect 200 'j == {"is_paused": False}'
as_stable "$stable/dags/$dag"; expect 200 'j["is_paused"] is False'

step "trigger with conf as a JSON string and an execution date, as 1.10's reference shows"
when=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"))')
conf_text=$(python3 -c 'import json, sys; print(json.dumps({"key": sys.argv[1], "flag": "--help"}))' "$evil")
trigger_body=$(python3 -c 'import json, sys; print(json.dumps({"conf": sys.argv[1], "execution_date": sys.argv[2]}))' "$conf_text" "$when")
call -X POST "$exp/dags/$dag/dag_runs" -H 'Content-Type: application/json' -d "$trigger_body"; expect 401
as_admin -X POST "$exp/dags/$dag/dag_runs" -H 'Cache-Control: no-cache' -H 'Content-Type: application/json' -d "$trigger_body"
expect 200 'set(j) == {"message", "execution_date", "run_id"}' 'j["message"].startswith("Created <DagRun it_experimental @ ")' \
  "j['execution_date'] == '$when+00:00'"
run_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["run_id"])' "$body")
run_path=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$run_id")
as_stable "$stable/dags/$dag/dagRuns/$run_path"
expect 200 "j['conf'] == {'key': '''$evil''', 'flag': '--help'}" \
  "j['$date_key'].replace('Z', '+00:00') == '$when+00:00'"
as_admin -X POST "$exp/dags/$dag/dag_runs" -d "$trigger_body"; expect 400 '"already exists" in j["error"]'
as_admin -X POST "$exp/dags/$dag/dag_runs" -d '{"execution_date": "--help"}'
expect 400 '"could not be identified as a date" in j["error"]'
as_admin -X POST "$exp/dags/$dag/dag_runs" -d '{"conf": "[1, 2]"}'; expect 400 '"dictionary" in j["error"]'
for bad in "$evil_path" --help ..%2F..%2Fetc%2Fpasswd; do
  as_admin -X POST "$exp/dags/$bad/dag_runs" -d '{}'; expect 404 '"error" in j'
  as_admin "$exp/dags/$bad/paused"; expect 404 '"error" in j'
done

step "dag_runs/<execution_date> in the README's form (the run in that second) until the run ends"
for _ in $(seq 1 180); do
  as_admin "$exp/dags/$dag/dag_runs/$when"
  python3 files/check_json.py "$body" 'j["state"] in ("success", "failed")' >/dev/null && break
  sleep 1
done
expect 200 'j == {"state": "success"}'
as_admin "$exp/dags/$dag/dag_runs/$when%2B00:00"; expect 200 'j == {"state": "success"}'
as_admin "$exp/dags/$dag/dag_runs/$when.000000Z"; expect 200 'j == {"state": "success"}'
as_admin "$exp/dags/$dag/dag_runs/2001-01-01T00:00:00"; expect 404 '"not found" in j["error"]'
as_admin "$exp/dags/$dag/dag_runs/yesterday"; expect 400 '"could not be identified as a date" in j["error"]'
as_stable "$stable/dags/$dag/dagRuns/$run_path"; expect 200 'j["state"] == "success"'

step "dag_runs list (with ?state=), tasks/<task_id>, dag_runs/<date>/tasks/<task_id>"
as_admin "$exp/dags/$dag/dag_runs"
expect 200 "[r['state'] for r in j if r['run_id'] == '$run_id'] == ['success']" \
  "all(set(r) == {'id', 'run_id', 'state', 'dag_id', 'execution_date', 'start_date', 'dag_run_url'} for r in j)" \
  "[r['execution_date'] for r in j if r['run_id'] == '$run_id'] == ['$when+00:00']"
as_admin "$exp/dags/$dag/dag_runs?state=failed"; expect 200 "'$run_id' not in [r['run_id'] for r in j]"
as_admin "$exp/dags/$dag/dag_runs?state=--help"; expect 400 '"error" in j'
as_admin "$exp/dags/$dag/tasks/emit_lineage"; expect 200 'j["task_id"] == "emit_lineage"' 'all(isinstance(v, str) for v in j.values())'
as_admin "$exp/dags/$dag/tasks/--help"; expect 404 '"not found" in j["error"]'
as_admin "$exp/dags/$dag/dag_runs/$when/tasks/emit_lineage"
expect 200 'j["task_id"] == "emit_lineage"' 'j["state"] == "success"' "j['run_id'] == '$run_id'"
as_stable "$stable/dags/$dag/dagRuns/$run_path/taskInstances/emit_lineage"; expect 200 'j["state"] == "success"'

step "latest_runs, lineage, code"
as_admin "$exp/latest_runs"
expect 200 "[i['execution_date'] for i in j['items'] if i['dag_id'] == '$dag'] == ['$when+00:00']" \
  'all(set(i) == {"dag_id", "execution_date", "start_date", "dag_run_url"} for i in j["items"])'
as_admin "$exp/lineage/$dag/$when"
expect 200 'j == {"task_ids": {"emit_lineage": {"inlets": ["it_source_table"], "outlets": ["it_target_table"]}}}'
as_admin "$exp/lineage/$dag/2001-01-01T00:00:00"; expect 404
as_admin "$exp/dags/$dag/code"; expect 200 '"def emit_lineage" in t'

step "pools: create (a shell-looking name and a path as names are data), get, list, delete"
for name in "$evil" "../../etc/passwd"; do
  name_path=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$name")
  pool_json=$(python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "slots": 3, "description": "--help"}))' "$name")
  as_admin -X POST "$exp/pools" -d "$pool_json"
  expect 200 "j['pool'] == '''$name''' and j['slots'] == 3 and j['description'] == '--help'" \
    'set(j) >= {"id", "pool", "slots", "description"}'
  as_stable "$stable/pools?limit=100"; expect 200 "[p['slots'] for p in j['pools'] if p['name'] == '''$name'''] == [3]"
  as_admin -X POST "$exp/pools" -d "$(python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "slots": "5", "description": "changed"}))' "$name")"
  expect 200 'j["slots"] == 5'
  as_admin "$exp/pools/$name_path"; expect 200 "j['pool'] == '''$name''' and j['slots'] == 5 and j['description'] == 'changed'"
  as_admin "$exp/pools"; expect 200 "'''$name''' in [p['pool'] for p in j]" '"default_pool" in [p["pool"] for p in j]'
  as_admin -X DELETE "$exp/pools/$name_path"; expect 200 "j['pool'] == '''$name'''"
  as_stable "$stable/pools?limit=100"; expect 200 "'''$name''' not in [p['name'] for p in j['pools']]"
  as_admin "$exp/pools/$name_path"; expect 404 '"doesn'"'"'t exist" in j["error"]'
done
as_admin -X POST "$exp/pools" -d '{"name": "it_exp_pool", "slots": "--help"}'; expect 400 '"slots" in j["error"]'
as_admin -X POST "$exp/pools" -d '{"name": " ", "slots": 1}'; expect 400 '"empty" in j["error"]'
as_admin -X DELETE "$exp/pools/default_pool"; expect 400 '"cannot be deleted" in j["error"]'
as_stable "$stable/pools/default_pool"; expect 200

step "DELETE dags/<dag_id>: the DAG's records go (its file stays and is parsed again)"
as_admin -X DELETE "$exp/dags/--help"; expect 404 '"error" in j'
as_admin -X DELETE "$exp/dags/$dag"; expect 200 'j["count"] > 0' 'j["message"] == "Removed %d record(s)" % j["count"]'
as_stable "$stable/dags/$dag/dagRuns/$run_path"; expect 404

step "a second web process with the plugin's token: a missing or wrong token is refused (403), the right one with an admin works"
token=it-exp-token-$$
extra=$(python3 "$harness" web --state-dir "$state_dir" --env "AIRFLOW__REST_API_PLUGIN__REST_API_PLUGIN_EXPECTED_HTTP_TOKEN=$token")
extra_url=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["url"])' "$extra")
as_admin "$extra_url/api/experimental/test"; expect 403 'j == {"error": "Token Authentication Failed"}'
as_admin -H "rest-api-plugin-http-token: wrong-$token" "$extra_url/api/experimental/test"
expect 403 'j == {"error": "Token Authentication Failed"}'
as_admin -H "rest-api-plugin-http-token: wrong-$token" -X POST "$extra_url/api/experimental/pools" -d '{"name": "it_exp_token_pool", "slots": 1}'
expect 403
as_stable "$stable/pools/it_exp_token_pool"; expect 404
call -H "rest-api-plugin-http-token: $token" "$extra_url/api/experimental/test"; expect 401 '"error" in j'
call -u "$viewer" -H "rest-api-plugin-http-token: $token" "$extra_url/api/experimental/test"; expect 403
as_admin -H "rest-api-plugin-http-token: $token" "$extra_url/api/experimental/test"; expect 200 'j == {"status": "OK"}'

step "[rest_api_plugin] legacy_api = False: every path answers 404"
extra=$(python3 "$harness" web --state-dir "$state_dir" --env "AIRFLOW__REST_API_PLUGIN__LEGACY_API=False")
extra_url=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["url"])' "$extra")
as_admin "$extra_url/api/experimental/test"; expect 404 '"legacy_api" in j["error"]'
as_admin "$extra_url/api/experimental/dags/$dag/paused"; expect 404
stop_extra_web

step "nothing ran the values"
[ ! -e "$marker" ] || fail "$marker exists: a value was run as a command"
as_stable "$stable/dags?limit=100"; expect 200 "all(d['dag_id'] not in ('--help', '''$evil''') for d in j['dags'])"
echo "rest_api_experimental: every check passed in $(( $(date +%s) - t0 )) s"
