#!/usr/bin/env bash
# Runs the airflow_connection_info tests at -vvv --diff and then proves that no password or
# secret extra value used in them appears anywhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_PASSWORD IT_TOKEN"
EXPECT_SHOWN="it_info_secret.extra.api_token"
source ../setup_airflow/files/scanned_playbook.sh "$@"
