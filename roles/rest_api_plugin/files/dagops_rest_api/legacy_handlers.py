"""Imports every module that registers legacy call handlers (legacy_calls.handler)."""
# pylint: disable=unused-import
from dagops_rest_api import legacy_info  # noqa: F401
