#!/usr/bin/env bash
# The old REST API plugin's contract (/admin/rest_api/api, /rest_api/api) against the harness's
# server: every README example with curl, its effect read back through Airflow's stable API, the
# refusals (daemons, viewer, anonymous, wrong token, injection attempts). See files/legacy_contract.py.
set -eu
cd "$(dirname "$0")"
python3 files/legacy_contract.py ../../integration_config.yml
