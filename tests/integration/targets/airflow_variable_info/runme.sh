#!/usr/bin/env bash
# Runs the airflow_variable_info tests at -vvv --diff and then proves that no secret value used in
# them appears anywhere in that output (Airflow 2's API shows them in clear).
set -eu
cd "$(dirname "$0")"
SECRETS="IT_SECRET IT_NESTED_SECRET"
EXPECT_SHOWN="it_info_db_password.value"
source ../setup_airflow/files/scanned_playbook.sh "$@"
