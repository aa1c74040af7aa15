"""The client's retry warnings reach the module's warnings, on success and on failure."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule

from .fakes import FakeResponse, FakeSession
from .test_client import fake_transport

BASE = "http://airflow.test:8080"


def run_module(capsys, monkeypatch, action, answers):
    """The module's result and the warnings it gave. Under pytest, ansible-core takes the process for
    its controller and shows warnings on its display instead of in the result: record them here."""
    warned = []
    monkeypatch.setattr(AirflowModule, "warn", lambda self, text: warned.append(text))
    args = {"airflow_url": BASE, "api_version": "v1", "airflow_username": "admin", "airflow_password": "admin-pw",
            "retries": 2}
    with patch_module_args(args), pytest.raises(SystemExit):
        module = AirflowModule({})
        module.client.sleep = lambda seconds: None
        fake_transport(module.client, FakeSession(BASE, answers).request)
        module.run(lambda: action(module.client))
    return json.loads(capsys.readouterr().out), warned


def test_retries_become_warnings_of_a_successful_run(capsys, monkeypatch):
    result, warned = run_module(capsys, monkeypatch, lambda client: dict(changed=False, pools=client.get("api/v1/pools")["pools"]), {
        ("GET", "api/v1/pools"): [FakeResponse(503, text="busy"), FakeResponse(200, {"pools": []})]})
    assert result["pools"] == [] and not result.get("failed")
    assert warned == ["GET %s/api/v1/pools: attempt 1 of 3 failed (HTTP 503); trying again" % BASE]


def test_retries_become_warnings_of_a_failed_run(capsys, monkeypatch):
    result, warned = run_module(capsys, monkeypatch, lambda client: client.get("api/v1/pools"), {
        ("GET", "api/v1/pools"): [FakeResponse(503, {"title": "busy"})]})
    assert result["failed"] and "HTTP 503" in result["msg"]
    assert len(warned) == 2 and all("trying again" in text for text in warned)


def test_a_clean_run_warns_nothing(capsys, monkeypatch):
    result, warned = run_module(capsys, monkeypatch, lambda client: dict(changed=False), {
        ("GET", "api/v1/pools"): [FakeResponse(200, {"pools": []})]})
    assert result["changed"] is False and warned == []
