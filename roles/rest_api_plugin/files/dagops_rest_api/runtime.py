"""The service as the running server sees it: settings from airflow.cfg, the metadata database."""
from dagops_rest_api.airflow_store import AirflowStore, airflow_version, api_name
from dagops_rest_api.config import ConfigError, load_settings
from dagops_rest_api.errors import ApiError
from dagops_rest_api.service import DagOpsService


def make_service():
    try:
        settings = load_settings()
    except ConfigError as error:
        raise ApiError(500, f"the plugin is misconfigured: {error}") from None
    return DagOpsService(settings, AirflowStore(settings.dags_folder), (airflow_version(), api_name()))
