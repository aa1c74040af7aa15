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


def test_the_envelope_never_echoes_a_connection_extra():
    envelope = Envelope({"conn_type": "http", "conn_extra": '{"token": "t0ken"}'},
                        {"conn_uri": "http://a@c/?token=t0ken&timeout=3"})
    _status, body = envelope.answer(200, "ok")
    assert "t0ken" not in str(body)
    assert body["arguments"]["conn_extra"] == "***"
    assert body["post_arguments"]["conn_uri"] == "http://a@c/?***"


@pytest.mark.parametrize("value", ["--help", "-x", "$(touch /tmp/x);echo", "a b", "", "../etc", "a/b"])
def test_cli_positionals_refuse_options_and_shell_text(value):
    from dagops_rest_api.cli_runner import positional
    from dagops_rest_api.legacy_calls import LegacyCallError

    with pytest.raises(LegacyCallError) as refused:
        positional(value, "dag_id")
    assert refused.value.status == 400


def test_cli_positionals_take_airflow_ids():
    from dagops_rest_api.cli_runner import display, positional

    assert positional("my_dag.v2-x", "dag_id") == "my_dag.v2-x"
    assert display(["tasks", "clear", "d", "--task-regex=$(x)"]) == "airflow tasks clear d '--task-regex=$(x)'"


@pytest.mark.parametrize("value", ["../../etc/passwd", "/etc", "DAGS_FOLDER/../x", "sub/../../x", "\x00"])
def test_path_arguments_stay_inside_the_dags_folder(service, value):
    from dagops_rest_api.legacy_calls import LegacyCallError
    from dagops_rest_api.legacy_subdir import inside_dags_folder

    with pytest.raises(LegacyCallError) as refused:
        inside_dags_folder(service, value, "subdir")
    assert refused.value.status == 400


def test_path_arguments_inside_the_dags_folder(service, dags_folder):
    from dagops_rest_api.legacy_subdir import inside_dags_folder

    root = str(dags_folder.resolve())
    assert inside_dags_folder(service, "sub/x.py", "subdir") == root + "/sub/x.py"
    assert inside_dags_folder(service, "DAGS_FOLDER", "subdir") == root
    assert inside_dags_folder(service, root + "/a", "subdir") == root + "/a"


def test_path_arguments_refuse_a_symlink_out(service, dags_folder, tmp_path):
    from dagops_rest_api.legacy_calls import LegacyCallError
    from dagops_rest_api.legacy_subdir import inside_dags_folder

    (dags_folder / "out").symlink_to(tmp_path)
    with pytest.raises(LegacyCallError):
        inside_dags_folder(service, "out/vars.json", "export")


@pytest.mark.parametrize("api, args, text", [
    ("run", {"dag_id": "d", "task_id": "t", "execution_date": "2024-01-01T00:00:00"}, "allow_task_execution"),
    ("test", {"dag_id": "d", "task_id": "t", "execution_date": "2024-01-01T00:00:00"}, "allow_task_execution"),
])
def test_run_and_test_are_off_by_default(service, api, args, text):
    status, body = call(service, api, **args)
    assert status == 403 and text in body["output"]


@pytest.mark.parametrize("api, args, text", [
    ("render", {}, "dag_id"), ("clear", {}, "dag_id"), ("task_state", {"dag_id": "d"}, "task_id"),
    ("variables", {"cmd": "get"}, "cmd must be 'set'"), ("pool", {"cmd": "set"}, "pool_name and slot_count"),
    ("variables", {"cmd": "set", "key": "k"}, "key and value"), ("clear", {"dag_id": "--help"}, "not an Airflow id"),
])
def test_bad_arguments_are_400_before_airflow_is_touched(service, api, args, text):
    status, body = call(service, api, **args)
    assert status == 400 and text in body["output"], body


def test_backfill_without_dates_is_today_with_a_warning():
    from dagops_rest_api.legacy_cli_calls import backfill_window

    envelope = Envelope({}, {})
    request = LegacyRequest(api="backfill", args={"dag_id": "d"}, upload=None, caller=ADMIN)
    start, end = backfill_window(request, envelope)
    assert start == end and start.endswith("T00:00:00+00:00")
    assert "today" in " ".join(envelope.warnings)
    request = LegacyRequest(api="backfill", args={"start_date": "2024-01-02"}, upload=None, caller=ADMIN)
    assert backfill_window(request, Envelope({}, {})) == ("2024-01-02T00:00:00+00:00", "2024-01-02T00:00:00+00:00")
