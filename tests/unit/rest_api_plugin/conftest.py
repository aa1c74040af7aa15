"""The plugin is not part of the Python collection: it is copied into Airflow's plugins folder, which
Airflow puts on sys.path. Do the same for its unit tests, which run without Airflow."""
import os
import sys

import pytest

PLUGIN_FILES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "rest_api_plugin", "files")
sys.path.insert(0, os.path.abspath(PLUGIN_FILES))

# pylint: disable=wrong-import-position
from dagops_rest_api.config import Settings  # noqa: E402


@pytest.fixture
def dags_folder(tmp_path):
    folder = tmp_path / "dags"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(dags_folder):
    return Settings(token_header="rest_api_plugin_http_token", expected_token="", max_file_size=1000,
                    validation_timeout=5, dags_folder=str(dags_folder), plugins_folder="")
