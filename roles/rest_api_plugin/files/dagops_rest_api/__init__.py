"""The dagops.airflow REST plugin: upload DAG files and fingerprint secrets (see docs/rest_api_plugin.md).

Modules without "airflow" or a web framework in their name import neither, so unit tests run
without Airflow. dagops_rest_api_plugin.py (next to this package in the plugins folder) registers
the Flask blueprint (Airflow 2) or the FastAPI app (Airflow 3).
"""

PLUGIN_NAME = "dagops.airflow"
PLUGIN_VERSION = "0.1.0"
URL_PREFIX = "/rest_api"
CAPABILITIES = ("dag-files", "dag-files-batch", "fingerprint", "legacy-deploy-dag")
