from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.dates import aware_datetime, utc_date
from ansible_collections.dagops.airflow.plugins.module_utils.masking import HIDDEN
from ansible_collections.dagops.airflow.tests.unit.plugins.module_utils.offline_client import bound
from ansible_collections.dagops.airflow.plugins.modules.airflow_dag_run import (
    DagRunResource, failed_task_ids, task_states, wait_for_run,
)


def test_a_logical_date_needs_a_timezone():
    with pytest.raises(ValueError, match="no timezone"):
        aware_datetime("2026-01-31T00:00:00")
    with pytest.raises(ValueError, match="not an ISO 8601"):
        aware_datetime("31/01/2026")
    assert aware_datetime("2026-01-31T00:00:00Z").utcoffset().total_seconds() == 0


def test_equal_instants_have_one_spelling():
    assert utc_date("2026-01-31T00:00:00Z") == utc_date("2026-01-31T00:00:00+00:00")
    assert utc_date("2026-01-31T02:00:00+02:00") == "2026-01-31T00:00:00+00:00"
    assert utc_date("2026-01-31T00:00:00.123456Z") == "2026-01-31T00:00:00.123456+00:00"
    assert utc_date(None) is None


def resource(version="v2"):
    return bound(DagRunResource("orders"), version)


def test_conf_and_logical_date_are_fixed_once_a_run_exists():
    current = {"dag_run_id": "r1", "state": "success", "conf": {"a": 1}, "note": None,
               "logical_date": "2026-01-31T00:00:00+00:00"}
    assert "different conf" in resource().validate("r1", {"conf": {"a": 2}}, "present", current)
    assert "different logical date" in resource().validate(
        "r1", {"logical_date": "2026-02-01T00:00:00+00:00"}, "present", current)
    assert resource().validate("r1", {"conf": {"a": 1}, "logical_date": current["logical_date"], "note": "x"},
                               "present", current) is None


def test_a_missing_run_cannot_be_marked():
    assert "trigger it first" in resource().validate("r1", {"state": "failed"}, "present", None)
    assert resource().validate("r1", {"state": None}, "present", None) is None
    assert resource().validate("r1", {}, "absent", None) is None


def test_the_trigger_body_follows_the_dialect():
    state = {"dag_run_id": "r1", "conf": {"a": 1}, "note": None, "logical_date": None, "state": None}
    assert resource("v1").to_body(state, ["conf"]) == {"dag_run_id": "r1", "conf": {"a": 1}}
    assert resource("v2").to_body(state, ["conf"]) == {"dag_run_id": "r1", "conf": {"a": 1}, "logical_date": None}


def test_secret_conf_values_are_hidden():
    shown = resource().redact({"dag_run_id": "r1", "conf": {"api_token": "t0k", "rows": 5}})
    assert shown["conf"] == {"api_token": HIDDEN, "rows": 5}


def test_the_server_answer_is_compared_in_canonical_form():
    run = resource().from_api({"dag_run_id": "r1", "state": "queued", "conf": {}, "note": None,
                               "logical_date": "2026-01-31T00:00:00Z", "run_after": "x"})
    assert run == {"dag_run_id": "r1", "state": "queued", "conf": {}, "note": None,
                   "logical_date": "2026-01-31T00:00:00+00:00"}


class RunClient:
    def __init__(self, states, tasks=()):
        self.states = list(states)
        self.tasks = list(tasks)
        self.gets = 0

    def get(self, path):
        self.gets += 1
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return {"dag_run_id": "r1", "state": state}

    def list_all(self, path, key):
        assert path.endswith("/taskInstances") and key == "task_instances"
        return self.tasks


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_polls_until_a_final_state():
    clock = Clock()
    client = RunClient(["queued", "running", "success"])
    run, finished = wait_for_run(client, "p", timeout=60, interval=3, sleep=clock.sleep, clock=clock)
    assert finished and run["state"] == "success" and clock.now == 6


def test_wait_gives_up_at_the_timeout():
    clock = Clock()
    run, finished = wait_for_run(RunClient(["running"]), "p", timeout=10, interval=3, sleep=clock.sleep, clock=clock)
    assert not finished and run["state"] == "running" and clock.now == 10


def test_only_failed_tasks_are_named_failed():
    client = RunClient(["failed"], tasks=[
        {"task_id": "load", "map_index": -1, "state": "upstream_failed", "try_number": 0, "pool": "x"},
        {"task_id": "extract", "map_index": 1, "state": "failed", "try_number": 1},
        {"task_id": "extract", "map_index": 0, "state": "failed", "try_number": 1},
        {"task_id": "check", "map_index": -1, "state": "success", "try_number": 1},
    ])
    states = task_states(client, "api/v2/dags/orders/dagRuns/r1")
    assert [(t["task_id"], t["map_index"]) for t in states] == [
        ("check", -1), ("extract", 0), ("extract", 1), ("load", -1)]
    assert "pool" not in states[0]
    assert failed_task_ids(states) == ["extract"]
