#!/usr/bin/env bash
# team_name (Airflow 3.2's multi-team mode) on variables, connections and pools: managed on a server
# with multi-team mode and teams (the harness's --multi-team, which scripts/integration.sh uses on
# 3.2), refused before any write on every other server. At -vvv --diff with a connection password
# that must never appear in the output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_TEAM_CONN_PASSWORD"
# The password went through the modules (masked in their invocation) on both paths.
EXPECT_SHOWN="VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

source ../setup_airflow/files/scanned_playbook.sh "$@"
