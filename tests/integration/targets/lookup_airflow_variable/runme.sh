#!/usr/bin/env bash
# Runs the airflow_variable lookup tests at -vvv --diff and then proves that the secret variable's
# value (readable through the lookup on Airflow 2 only) appears nowhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_SECRET"
EXPECT_SHOWN="it_lookup_db_password"
source ../setup_airflow/files/scanned_playbook.sh "$@"
