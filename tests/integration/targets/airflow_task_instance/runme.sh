#!/usr/bin/env bash
# Runs the airflow_task_instance tests at -vvv --diff and then proves that the secret in the
# runs' conf (rendered into a task's environment) appears nowhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_CONF_SECRET"
EXPECT_SHOWN="<hidden>"
source ../setup_airflow/files/scanned_playbook.sh "$@"
