"""The old plugin's informational calls and deploy_dag, answered in-process."""
from dagops_rest_api import PLUGIN_NAME, PLUGIN_VERSION
from dagops_rest_api.legacy import deploy_dag
from dagops_rest_api.legacy_calls import handler


@handler("version")
def version(service, envelope, _call):
    envelope.airflow_cmd = "airflow version"
    return service.versions[0]


@handler("rest_api_plugin_version")
def rest_api_plugin_version(_service, envelope, _call):
    envelope.airflow_cmd = None
    return f"{PLUGIN_NAME} {PLUGIN_VERSION}"


@handler("deploy_dag")
def deploy(service, envelope, call):
    return deploy_dag(service, envelope, call.api, call.args, call.upload)
