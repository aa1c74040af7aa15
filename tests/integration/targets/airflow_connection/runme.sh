#!/usr/bin/env bash
# Runs the airflow_connection tests at -vvv --diff and then proves that no password or secret
# extra value used in them appears anywhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_PASSWORD IT_PASSWORD_2 IT_TOKEN IT_TOKEN_2 IT_BULK_PASSWORD IT_BULK_TOKEN IT_BULK_TOKEN_2 IT_BAD_JSON_SECRET IT_NESTED_SECRET"
EXPECT_SHOWN="<hidden, changed>"
NO_DIGESTS=1
source ../setup_airflow/files/scanned_playbook.sh "$@"
