#!/usr/bin/env bash
# Every module once, lean (the extra Airflow versions' profile): check mode writes nothing, the
# first run changes, the second does not, the diff shows before and after, at -vvv --diff with
# random secrets that must appear nowhere in the output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_SECRET IT_PASSWORD IT_CONF_SECRET IT_USER_PASSWORD IT_CFG_SECRET"
EXPECT_SHOWN="<hidden>"
source ../setup_airflow/files/scanned_playbook.sh "$@"
