#!/usr/bin/env bash
# Runs the airflow_backfill tests at -vvv --diff and then proves that the secret in a backfill's
# dag_run_conf appears nowhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_CONF_SECRET"
EXPECT_SHOWN=""
source ../setup_airflow/files/scanned_playbook.sh "$@"
