"""Registers the dagops.airflow REST plugin (the dagops_rest_api package next to this file) with Airflow:
a Flask blueprint on Airflow 2, a FastAPI app under /rest_api on Airflow 3. See docs/rest_api_plugin.md.

Every Airflow process imports this file (scheduler, DAG processor, triggerer too); it builds the web
part only, and nothing in it touches the database or the dags folder at import time.
"""
from airflow import __version__ as AIRFLOW_VERSION
from airflow.plugins_manager import AirflowPlugin

from dagops_rest_api import URL_PREFIX

AIRFLOW_MAJOR = int(AIRFLOW_VERSION.split(".", 1)[0])


class DagOpsRestApiPlugin(AirflowPlugin):
    """Upload DAG files and fingerprint secrets through Airflow's own authentication."""

    name = "dagops_rest_api"
    if AIRFLOW_MAJOR >= 3:
        from dagops_rest_api.fastapi_app import create_app
        from dagops_rest_api.experimental import URL_PREFIX as EXPERIMENTAL_PREFIX
        from dagops_rest_api.experimental_fastapi import create_experimental_app
        from dagops_rest_api.legacy_fastapi import ADMIN_PREFIX, create_admin_app

        fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "dagops_rest_api"},
                        {"app": create_admin_app(), "url_prefix": ADMIN_PREFIX, "name": "dagops_rest_api_legacy"},
                        {"app": create_experimental_app(), "url_prefix": EXPERIMENTAL_PREFIX,
                         "name": "dagops_rest_api_experimental"}]
        del create_app, create_admin_app, create_experimental_app
    else:
        from dagops_rest_api.flask_app import blueprint
        from dagops_rest_api.experimental_flask import blueprint as experimental_blueprint
        from dagops_rest_api.legacy_flask import blueprint as legacy_blueprint

        flask_blueprints = [blueprint, legacy_blueprint, experimental_blueprint]
        del blueprint, legacy_blueprint, experimental_blueprint
