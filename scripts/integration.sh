#!/usr/bin/env bash
# Integration tests (ansible-test integration targets) against real Airflow servers that the
# harness installs and starts on 127.0.0.1, one server at a time.
#   scripts/integration.sh                      the default flavors: 2.11 3.3 3.3-fab 3.0 3.1-fab 3.2
#   scripts/integration.sh 3.3                  one flavor
#   scripts/integration.sh 3.4                  the pre-release (make test runs it as a report-only stage)
#   TARGETS="airflow_info" scripts/integration.sh 2.11
#   TARGETS=examples scripts/integration.sh 3.3     only the modules' EXAMPLES (see below)
#   TARGETS="airflow_dag examples" scripts/integration.sh 2.11
# 3.3-fab differs from 3.3 only in its auth manager, so by default it runs the targets whose
# behaviour depends on it (users and roles, token exchange, the plugin's admin check), not every target.
# After the targets, on the same server, the modules' EXAMPLES run (tests/examples/run_examples.py)
# from the release tarball built and installed by scripts/tarball.sh, which proves the tarball on
# both ansible-core lines: 2.11 runs every module's examples on ansible-core 2.19 (python 3.11),
# 3.3 all but airflow_user/airflow_role and their _info modules (no user API under the simple auth manager) on 2.21
# (python 3.13), 3.3-fab those two on 2.21. "examples" in TARGETS runs them (TARGETS=examples:
# only them); with TARGETS set and without "examples" they do not run.
# The other versions (3.0, 3.1, 3.2 and the 3.4 pre-release) run the version_profile target: every
# module and the lookup once, in one playbook (check mode, first and second run, diff, secret
# scan), not every module's full target, for make test's time budget. The full flavors leave it out.
# 3.1 runs with the FAB auth manager (3.1-fab), so users and roles are managed on one more version;
# 3.0 and 3.2 with the simple one (3.0's FAB API refuses the JWT; 3.2 is where teams start).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
harness="$root/tests/harness/airflow_server.py"
flavors=("$@")
[ ${#flavors[@]} -gt 0 ] || flavors=(2.11 3.3 3.3-fab 3.0 3.1-fab 3.2)
read -r -a targets <<<"${TARGETS:-}"
# (airflow_info covers the token exchange on FAB, rest_api_legacy the plugin's Basic check against FAB;
# the variable target has nothing FAB-specific.)
fab_targets=(airflow_info airflow_user airflow_role rest_api_plugin rest_api_legacy)
# The flavors that run every target; the others run the quick profile, plus any targets named
# for them here (e.g. a target of a feature that only their version has).
full_flavors=" 2.11 3.3 "
profile_target=version_profile
declare -A profile_extra_targets=([3.2]="airflow_team_name")
examples=yes
if [ ${#targets[@]} -gt 0 ]; then
  examples=no
  kept=()
  for target in "${targets[@]}"; do
    if [ "$target" = examples ]; then examples=yes; else kept+=("$target"); fi
  done
  targets=("${kept[@]}")
  [ ${#targets[@]} -gt 0 ] || targets=(none)  # only the examples: no ansible-test target
fi
# The ansible-core line each flavor's examples run on, and which modules' examples (empty: all
# that can run there).
declare -A examples_core=([2.11]=2.19 [3.3]=2.21 [3.3-fab]=2.21)
declare -A examples_modules=([3.3-fab]=airflow_user,airflow_role,airflow_user_info,airflow_role_info)
declare -A tarball=()  # core line -> "VENV COLLECTIONS_PATH", built once per run
# Airflow 3.2 runs in multi-team mode with two teams (the harness's --multi-team), where the
# airflow_team_name target manages team_name; on every other flavor that target shows the refusal.
declare -A server_options=([3.2]=--multi-team)
run_examples() {
  local flavor=$1 core=${examples_core[$1]} venv coll
  [ -n "${tarball[$core]:-}" ] || tarball[$core]=$("$root/scripts/tarball.sh" "$core")
  read -r venv coll <<<"${tarball[$core]}"
  "$venv/bin/python" "$root/tests/examples/run_examples.py" --venv "$venv" --collections "$coll" \
    --server "$state/server.json" --modules "${examples_modules[$flavor]:-}"
}

# The profile flavors mostly wait (parse loops, polling), so two of them side by side take about
# the time of one on 2 cores (measured: 3.2 and 3.4 together 76 and 84 s, 3.0 alone 75 s). With more
# than one flavor to run they go in INTEGRATION_LANES lanes (default 2; 1: one after another), each
# lane a run of this script for one flavor, its output printed when it ends.
lanes=${INTEGRATION_LANES:-2}
serial=() parallel=()
for flavor in "${flavors[@]}"; do
  if [ "$flavor" != 3.3-fab ] && [[ "$full_flavors" != *" $flavor "* ]]; then parallel+=("$flavor")
  else serial+=("$flavor")
  fi
done
if [ "$lanes" -lt 2 ] || [ ${#flavors[@]} -lt 2 ] || [ ${#parallel[@]} -lt 2 ]; then
  serial+=("${parallel[@]}") parallel=()
fi
declare -A running=()  # pid -> flavor of a lane
state=""
stop_server() { [ -z "$state" ] || python3 "$harness" stop --state-dir "$state" >&2 || true; }
stop_lanes() { [ ${#running[@]} -eq 0 ] || kill "${!running[@]}" 2>/dev/null || true; }
trap 'stop_lanes; stop_server' EXIT

run_lanes() {
  local dir flavor ended pid rc failed=0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/dagops-it-lanes-XXXXXX")
  finish_one() {  # wait for a lane to end, print its output
    wait -n -p pid "${!running[@]}" && rc=0 || rc=$?
    ended=${running[$pid]}
    unset "running[$pid]"
    echo "=== lane: Airflow $ended (exit $rc), its output:" >&2
    cat "$dir/$ended.log"
    [ "$rc" -eq 0 ] || { echo "=== Airflow $ended: FAILED (exit $rc)" >&2; failed=1; }
  }
  for flavor in "${parallel[@]}"; do
    while [ ${#running[@]} -ge "$lanes" ]; do finish_one; done
    echo "=== integration on Airflow $flavor, in a lane" >&2
    "$root/scripts/integration.sh" "$flavor" >"$dir/$flavor.log" 2>&1 &
    running[$!]=$flavor
  done
  while [ ${#running[@]} -gt 0 ]; do finish_one; done
  rm -rf "$dir"
  return "$failed"
}

for flavor in "${serial[@]}"; do
  echo "=== integration on Airflow $flavor" >&2
  flavor_start=$SECONDS
  state=$(mktemp -d "${TMPDIR:-/tmp}/dagops-it-$flavor-XXXXXX")
  read -r -a extra_options <<<"${server_options[$flavor]:-}"
  python3 "$harness" start "$flavor" --rest-api-plugin "${extra_options[@]}" --state-dir "$state" >"$state/start.json"
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
    "airflow_rest_api_plugin": server["rest_api_plugin"], "airflow_teams": server.get("teams", []),
    "airflow_cli": "python3 %s cli --state-dir %s --" % (sys.argv[3], sys.argv[4]),
    # For a test that kills a server process and has the harness start it again (rest_api_plugin).
    "airflow_harness": sys.argv[3], "airflow_state_dir": sys.argv[4],
}
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY
  run_targets=("${targets[@]}") exclude=()
  if [ ${#run_targets[@]} -eq 0 ]; then
    if [ "$flavor" = 3.3-fab ]; then run_targets=("${fab_targets[@]}")
    elif [[ "$full_flavors" == *" $flavor "* ]]; then exclude=(--exclude "$profile_target")
    else read -r -a run_targets <<<"$profile_target ${profile_extra_targets[$flavor]:-}"
    fi
  fi
  if [ "${run_targets[*]}" != none ]; then
    (cd "$coll" && PATH="$tools/bin:$PATH" ansible-test integration --color no --python 3.11 "${exclude[@]}" \
      "${run_targets[@]}")
  fi
  # Only the flavors with an ansible-core line run the modules' examples.
  [ "$examples" = no ] || [ -z "${examples_core[$flavor]:-}" ] || run_examples "$flavor"
  echo "=== Airflow $flavor: passed in $((SECONDS - flavor_start)) s" >&2
  stop_server
  state=""
done
[ ${#parallel[@]} -eq 0 ] || run_lanes
