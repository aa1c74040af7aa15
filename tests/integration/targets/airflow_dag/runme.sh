#!/usr/bin/env bash
# Runs the airflow_dag tests at --diff against the harness server; the DAG files come from files/.
set -eu
cd "$(dirname "$0")"
exec ansible-playbook tasks.yml -e @../../integration_config.yml --diff "$@"
