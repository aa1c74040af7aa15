import pytest

from dagops_rest_api.legacy_auth import Caller
from dagops_rest_api.legacy_calls import DAEMONS, LegacyRequest, answer_call, registered
from dagops_rest_api.legacy_envelope import Envelope, is_set
from dagops_rest_api.service import DagOpsService

from .test_service import FakeStore  # pylint: disable=relative-beyond-top-level

ADMIN = Caller("admin", "basic")


@pytest.fixture
def service(settings):
    return DagOpsService(settings, FakeStore(), ("2.11.0", "v1"))


def call(service, api, **args):
    envelope = Envelope(dict(args, api=api), {})
    return answer_call(service, envelope, LegacyRequest(api=api, args=dict(args, api=api), upload=None, caller=ADMIN))


@pytest.mark.parametrize("api", DAEMONS)
def test_daemons_are_refused_with_400_and_the_role_that_runs_services(service, api):
    status, body = call(service, api, daemon="on")
    assert (status, body["status"], body["http_response_code"]) == (400, "ERROR", 400)
    assert "dagops.airflow.airflow role" in body["output"]


@pytest.mark.parametrize("api", ["", "nope", "$(touch /tmp/x);echo", "--help"])
def test_unknown_calls_are_400_and_list_the_calls(service, api):
    status, body = call(service, api)
    assert status == 400 and body["status"] == "ERROR"
    assert "version" in body["output"] and "deploy_dag" in body["output"]


def test_version_answers_airflows_version_in_the_readme_envelope(service):
    status, body = call(service, "version")
    assert status == 200
    assert {"airflow_cmd", "arguments", "post_arguments", "call_time", "output", "response_time", "status",
            "http_response_code"} <= set(body)
    assert (body["output"], body["airflow_cmd"], body["status"]) == ("2.11.0", "airflow version", "OK")


def test_every_readme_call_is_answered():
    readme_calls = {"version", "rest_api_plugin_version", "render", "variables", "connections", "pause", "unpause",
                    "task_failed_deps", "trigger_dag", "test", "dag_state", "run", "list_tasks", "backfill",
                    "list_dags", "kerberos", "worker", "flower", "scheduler", "task_state", "pool", "serve_logs",
                    "clear", "deploy_dag", "refresh_dag", "refresh_all_dags"}
    assert readme_calls <= set(registered())


@pytest.mark.parametrize("value, expected", [("", True), ("on", True), ("true", True), ("True", True),
                                             ("1", True), ("off", False), ("false", False), ("0", False)])
def test_presence_flag_forms(value, expected):
    assert is_set({"add": value}, "add") is expected


def test_the_envelope_never_echoes_a_connection_password():
    envelope = Envelope({"conn_uri": "postgres://user:s3cret@db:5432/x", "conn_password": "s3cret"},
                        {"conn_uri": "http://a:b@c"})
    _status, body = envelope.answer(200, "ok")
    assert "s3cret" not in str(body)
    assert body["arguments"]["conn_uri"] == "postgres://user:***@db:5432/x"
    assert body["post_arguments"]["conn_uri"] == "http://a:***@c"
