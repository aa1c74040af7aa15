#!/usr/bin/env bash
# Runs the airflow_variable tests at -vvv --diff and then proves that no secret value used in
# them appears anywhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_SECRET IT_SECRET_2 IT_NESTED_SECRET IT_BULK_SECRET"
EXPECT_SHOWN="<hidden"
source ../setup_airflow/files/scanned_playbook.sh "$@"
