#!/usr/bin/env bash
# Runs the REST plugin's tests (the harness starts every server with --rest-api-plugin) at
# -vvv --diff and then proves that none of the stored secrets it fingerprints appears in that output.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_PLUGIN_SECRET IT_PLUGIN_SECRET_2 IT_PLUGIN_EXTRA_SECRET"
EXPECT_SHOWN="hmac-sha256"
source ../setup_airflow/files/scanned_playbook.sh "$@"
