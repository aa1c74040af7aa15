#!/usr/bin/env bash
# Runs the airflow_dag_info tests with --diff (a DAG's metadata holds no secrets to scan for).
set -eu
cd "$(dirname "$0")"
exec ansible-playbook tasks.yml -e @../../integration_config.yml --diff "$@"
