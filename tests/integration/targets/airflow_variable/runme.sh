#!/usr/bin/env bash
# Runs the airflow_variable tests at -vvv --diff and then proves that no secret value used in
# them appears anywhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_SECRET IT_SECRET_2 IT_NESTED_SECRET IT_BULK_SECRET IT_TOKEN IT_TOKEN_2"
EXPECT_SHOWN="<hidden"
NO_DIGESTS=1
source ../setup_airflow/files/scanned_playbook.sh "$@"
