#!/usr/bin/env bash
# Runs the airflow_dag_run tests at -vvv --diff, then proves that the secret passed in a run's
# conf appears nowhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_CONF_SECRET"
EXPECT_SHOWN="<hidden>"
source ../setup_airflow/files/scanned_playbook.sh "$@"
