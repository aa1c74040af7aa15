#!/usr/bin/env bash
# Runs the airflow_deploy_dag tests at -vvv --diff, then proves that the text of a file deployed
# from content or read from src (each carries a random marker) appears nowhere in that output: the action plugin
# strips file contents from the result's invocation, and the diff shows SHA-256 only.
set -eu
cd "$(dirname "$0")"
SECRETS="IT_DAG_CONTENT_MARK IT_DAG_SRC_MARK"
EXPECT_SHOWN="(not shown)"
source ../setup_airflow/files/scanned_playbook.sh "$@"
