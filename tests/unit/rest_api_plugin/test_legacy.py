import pytest

from dagops_rest_api.legacy import deploy_dag
from dagops_rest_api.legacy_envelope import Envelope, is_set
from dagops_rest_api.service import DagOpsService
from dagops_rest_api.validation import Validation

from .test_service import BROKEN, GOOD, FakeStore, FakeValidator  # pylint: disable=relative-beyond-top-level


@pytest.fixture
def service(settings):
    return DagOpsService(settings, FakeStore(), ("2.11.0", "v1"), validator=FakeValidator())


def deploy(service, flags=None, upload=("dag.py", GOOD), api="deploy_dag"):
    envelope = Envelope({"api": api}, {"dag_file": upload[0] if upload else None})
    return deploy_dag(service, envelope, api, flags or {}, upload)


def test_the_envelope_has_every_legacy_key():
    status, body = Envelope({"api": "deploy_dag"}, {"force": "on"}).answer(200, "done")
    assert status == 200
    assert set(body) == {"status", "http_response_code", "output", "call_time", "response_time", "arguments",
                         "post_arguments"}
    assert body["status"] == "OK" and body["arguments"] == {"api": "deploy_dag"}


def test_presence_flags():
    assert is_set({"force": "on"}, "force") and is_set({"force": ""}, "force") and is_set({"force": "true"}, "force")
    assert not is_set({}, "force") and not is_set({"force": "off"}, "force") and not is_set({"force": "0"}, "force")


def test_deploy_then_refuse_without_force_then_replace_with_force(service, dags_folder):
    status, body = deploy(service)
    assert (status, body["status"], body["http_response_code"]) == (200, "OK", 200)
    assert (dags_folder / "dag.py").read_bytes() == GOOD
    status, body = deploy(service, upload=("dag.py", GOOD + b"# 2\n"))
    assert (status, body["status"]) == (400, "ERROR") and "already exists" in body["output"]
    assert (dags_folder / "dag.py").read_bytes() == GOOD
    status, body = deploy(service, {"force": "on"}, upload=("dag.py", GOOD + b"# 2\n"))
    assert status == 200 and (dags_folder / "dag.py").read_bytes() == GOOD + b"# 2\n"


def test_the_file_lands_at_the_top_level_under_its_own_name(service, dags_folder):
    assert deploy(service, upload=("../../etc/dag.py", GOOD))[0] == 200
    assert (dags_folder / "dag.py").exists()


@pytest.mark.parametrize("upload, api, reason", [
    (("dag.py", GOOD), "list_dags", "deploy_dag only"),
    (None, "deploy_dag", "dag_file"),
    (("dag.txt", GOOD), "deploy_dag", ".py"),
    (("dag.py", b"#" * 1001), "deploy_dag", "max_file_size"),
])
def test_refusals(service, upload, api, reason):
    status, body = deploy(service, upload=upload, api=api)
    assert body["status"] == "ERROR" and body["http_response_code"] == status and status in (400, 413)
    assert reason in body["output"]


def test_an_import_error_is_an_error_400_with_the_text(service, dags_folder):
    status, body = deploy(service, upload=("dag.py", BROKEN))
    assert (status, body["status"]) == (400, "ERROR")
    assert "ModuleNotFoundError: nowhere" in body["output"]
    assert not (dags_folder / "dag.py").exists()


def test_pause_waits_for_the_dags_and_warns_when_they_do_not_appear(service, monkeypatch):
    monkeypatch.setattr("dagops_rest_api.legacy.PAUSE_WAIT_SECONDS", 0)
    status, body = deploy(service, {"pause": "on"})
    assert status == 200 and "did not appear" in body["warning"] and service.store.paused == {}
    service.store.known = {"dag.py": ["good"]}
    status, body = deploy(service, {"force": "on", "unpause": "on"}, upload=("dag.py", GOOD + b"#\n"))
    assert status == 200 and "warning" not in body and service.store.paused == {"good": False}


def test_validation_result_type_is_shared():
    assert Validation(["a"], {}).dag_ids == ["a"]
