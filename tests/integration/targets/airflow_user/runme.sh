#!/usr/bin/env bash
# Runs the airflow_user tests at -vvv --diff and then proves that no password used in them
# appears anywhere in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_USER_PASSWORD IT_USER_PASSWORD_2 IT_OTHER_PASSWORD"
# Without a user API (Airflow 3, simple auth manager) the modules fail before any diff.
EXPECT_SHOWN="<hidden, changed>"
if grep -qF '"airflow_auth_manager": "simple"' ../../integration_config.yml; then
  EXPECT_SHOWN=""
fi
NO_DIGESTS=1
source ../setup_airflow/files/scanned_playbook.sh "$@"
