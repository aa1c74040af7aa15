"""What a newcomer sees: check mode returns what a real run returns, and diffs show only what was
declared or what the server holds (issue 21). Each module's main() runs against fake_airflow."""

from __future__ import annotations

import importlib
import json

import pytest
import requests

from ansible.module_utils.testing import patch_module_args

from .fake_airflow import FakeAirflow

CONNECTION = {"airflow_url": "http://127.0.0.1:8793", "airflow_username": "admin",
              "airflow_password": "admin-pass-1234", "api_version": "auto"}


@pytest.fixture
def server(monkeypatch):
    fake = FakeAirflow(CONNECTION["airflow_url"])
    monkeypatch.setattr(requests.Session, "request", fake.request)
    return fake


def run(capsys, module_name, check_mode=False, **args):
    module = importlib.import_module("ansible_collections.dagops.airflow.plugins.modules." + module_name)
    with patch_module_args(dict(CONNECTION, _ansible_check_mode=check_mode, _ansible_diff=True, **args)):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(capsys.readouterr().out)
    assert not result.get("failed"), result.get("msg")
    return result


def test_a_new_pool_diff_shows_no_null_for_options_left_out(capsys, server):
    for check_mode in (True, False):
        result = run(capsys, "airflow_pool", check_mode, name="etl", slots=4)
        assert result["changed"]
        assert result["diff"] == {"before": {}, "after": {"name": "etl", "slots": 4}}, check_mode
    # What the server holds (its include_deferred default) shows once the pool exists.
    assert run(capsys, "airflow_pool", True, name="etl", slots=5)["diff"]["before"]["include_deferred"] is False


def test_a_new_variable_diff_shows_no_null_description(capsys, server):
    result = run(capsys, "airflow_variable", True, key="env", value="prod")
    assert result["diff"]["after"] == {"key": "env", "value": "prod"}


def test_check_mode_on_a_finished_run_returns_what_a_real_run_returns(capsys, server):
    server.add_dag("orders")
    real = run(capsys, "airflow_dag_run", dag_id="orders", run_id="r1", wait=True, poll_interval=1)
    checked = run(capsys, "airflow_dag_run", True, dag_id="orders", run_id="r1", wait=True, poll_interval=1)
    assert not checked["changed"]
    assert checked["dag_run"]["dag_id"] == "orders" and checked["dag_run"]["state"] == "success"
    assert checked["task_instances"] == real["task_instances"] != []
    assert checked["failed_tasks"] == []
    assert set(real) - {"diff"} <= set(checked)


def test_check_mode_on_a_run_to_trigger_returns_the_same_shape(capsys, server):
    server.add_dag("orders")
    checked = run(capsys, "airflow_dag_run", True, dag_id="orders", run_id="r1", wait=True)
    assert checked["changed"]
    assert checked["dag_run"]["dag_id"] == "orders" and checked["dag_run"]["dag_run_id"] == "r1"
    assert checked["dag_run"]["state"] == "queued"
    assert checked["task_instances"] == [] and checked["failed_tasks"] == []
    assert server.objects["api/v2/dags/orders/dagRuns"] == {}
    # Without a run_id (Airflow names the run) the shape is the same.
    unnamed = run(capsys, "airflow_dag_run", True, dag_id="orders", wait=True)
    assert unnamed["dag_run"]["dag_id"] == "orders" and unnamed["task_instances"] == []


def test_check_mode_shows_the_mark_it_would_make(capsys, server):
    server.add_dag("orders")
    server.objects["api/v2/dags/orders/dagRuns"]["r1"] = {"dag_run_id": "r1", "dag_id": "orders", "state": "failed"}
    checked = run(capsys, "airflow_dag_run", True, dag_id="orders", run_id="r1", state="queued")
    assert checked["changed"] and checked["dag_run"]["state"] == "queued" and checked["dag_run"]["dag_id"] == "orders"


def test_a_triggered_run_diff_shows_its_state_not_null(capsys, server):
    server.add_dag("orders")
    waited = run(capsys, "airflow_dag_run", dag_id="orders", run_id="r1", conf={"greet": "you"}, wait=True,
                 poll_interval=1)
    assert waited["diff"]["before"] == {}
    assert waited["diff"]["after"] == {"dag_run_id": "r1", "conf": {"greet": "you"}, "state": "success"}
    triggered = run(capsys, "airflow_dag_run", dag_id="orders", run_id="r2")
    assert None not in triggered["diff"]["after"].values() and triggered["diff"]["after"]["state"]
