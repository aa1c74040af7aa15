#!/usr/bin/env bash
# Runs the airflow_pool_info tests with --diff (pools hold no secrets, so there is nothing to scan).
set -eu
cd "$(dirname "$0")"
exec ansible-playbook tasks.yml -e @../../integration_config.yml --diff "$@"
