"""Imports every module that registers legacy call handlers (legacy_calls.handler)."""
# pylint: disable=unused-import
from dagops_rest_api import (legacy_cli_calls, legacy_connections, legacy_dags, legacy_info,  # noqa: F401
                             legacy_pools, legacy_runs, legacy_variables)
