from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowClient
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError
from ansible_collections.dagops.airflow.plugins.module_utils.task_instances import (
    TaskInstances, clear_body, select_runs, select_tasks, wait_for_final,
)

from .fakes import FakeResponse, FakeSession

BASE = "http://af"
V2_VERSION = {("GET", "api/v2/version"): [FakeResponse(200, {"version": "3.3.2"})],
              ("POST", "auth/token"): [FakeResponse(201, {"access_token": "jwt"})]}
V1_VERSION = {("GET", "api/v2/version"): [FakeResponse(404, {})],
              ("GET", "api/v1/version"): [FakeResponse(200, {"version": "2.11.0"})]}
RUN = "api/v2/dags/d/dagRuns/r1"
V1_RUN = "api/v1/dags/d/dagRuns/r1"


def client(answers, v1=False):
    made = AirflowClient(BASE, username="admin", password="pw", sleep=lambda s: None)
    fake = FakeSession(BASE, {**(V1_VERSION if v1 else V2_VERSION), **answers})
    made.session.request = fake.request
    return made, fake


def listing(*tis, key="task_instances"):
    return FakeResponse(200, {key: list(tis), "total_entries": len(tis)})


def ti(task_id, state, note=None, map_index=-1):
    return {"task_id": task_id, "state": state, "note": note, "map_index": map_index, "try_number": 1}


def test_unknown_tasks_and_patterns_name_the_dag_and_its_tasks():
    assert select_tasks("d", ["a", "b"], ["b", "a", "a"]) == ["a", "b"]
    assert select_tasks("d", ["load_x", "load_y", "z"], pattern="load_*") == ["load_x", "load_y"]
    with pytest.raises(ReconcileError, match="DAG 'd' has no task 'c'; its tasks: a, b"):
        select_tasks("d", ["a", "b"], ["a", "c"])
    with pytest.raises(ReconcileError, match="no task of DAG 'd' matches task_id_pattern 'x\\*'"):
        select_tasks("d", ["a"], pattern="x*")


def test_an_unknown_run_and_an_empty_date_range_are_errors():
    made, _fake = client({("GET", RUN): [FakeResponse(404, {"detail": "not found"})],
                          ("GET", "api/v2/dags/d/dagRuns"): [listing(key="dag_runs")]})
    with pytest.raises(ReconcileError, match="DAG 'd' has no run 'r1'"):
        select_runs(made, "d", "r1")
    with pytest.raises(ReconcileError, match="no run with a logical date from 2026-01-01"):
        select_runs(made, "d", date_from="2026-01-01T00:00:00+00:00")


def test_a_date_range_uses_each_api_s_parameter_names():
    runs = listing({"dag_run_id": "b"}, {"dag_run_id": "a"}, key="dag_runs")
    made, fake = client({("GET", "api/v1/dags/d/dagRuns"): [runs]}, v1=True)
    assert select_runs(made, "d", date_from="F", date_to="T") == ["a", "b"]
    params = [c.params for c in fake.calls if c.path == "api/v1/dags/d/dagRuns"][0]
    assert params["execution_date_gte"] == "F" and params["execution_date_lte"] == "T"


def test_clear_plans_from_the_server_dry_run_and_clears_once():
    made, fake = client({
        ("GET", RUN + "/taskInstances"): [listing(ti("a", "failed"), ti("b", "upstream_failed"), ti("c", "success"))],
        ("POST", "api/v2/dags/d/clearTaskInstances"): [FakeResponse(200, {"task_instances": [
            {"task_id": "a", "map_index": -1, "state": "failed"},
            {"task_id": "b", "map_index": -1, "state": "upstream_failed"}]})],
    })
    engine = TaskInstances(made, "d", "cleared", downstream=True)
    change = engine.plan("r1", ["a"])
    assert sorted(change.touched) == [("a", -1), ("b", -1)]
    dry = [c for c in fake.calls if c.method == "POST" and "clear" in c.path]
    assert dry[0].json == clear_body("r1", ["a"], True, False, True, True)
    engine.apply(change, ["a"])
    real = [c for c in fake.calls if c.method == "POST" and "clear" in c.path][-1]
    assert real.json["dry_run"] is False and real.json["reset_dag_runs"] is True


def test_nothing_to_clear_is_no_change_and_nothing_is_sent():
    made, fake = client({
        ("GET", RUN + "/taskInstances"): [listing(ti("a", "success"))],
        ("POST", "api/v2/dags/d/clearTaskInstances"): [FakeResponse(200, {"task_instances": []})],
    })
    engine = TaskInstances(made, "d", "cleared")
    change = engine.plan("r1", ["a"])
    assert change.touched == {} and change.notes == {}
    engine.apply(change, ["a"])
    assert len([c for c in fake.calls if c.method == "POST" and "clear" in c.path]) == 1


def test_marking_on_airflow_3_uses_the_dry_run_patch_and_skips_a_task_already_in_the_state():
    path = RUN + "/taskInstances/a"
    made, fake = client({
        ("GET", RUN + "/taskInstances"): [listing(ti("a", "failed"), ti("b", "success"))],
        ("PATCH", path + "/dry_run"): [FakeResponse(200, {"task_instances": [{"task_id": "a", "map_index": -1}]}),
                                       FakeResponse(200, {"task_instances": [{"task_id": "a", "map_index": -1}]}),
                                       FakeResponse(200, {"task_instances": []})],
        ("PATCH", path): [FakeResponse(200, {"task_instances": []})],
    })
    engine = TaskInstances(made, "d", "success", downstream=True)
    change = engine.plan("r1", ["a"])
    assert list(change.touched) == [("a", -1)]
    engine.apply(change, ["a"])
    real = [c for c in fake.calls if c.method == "PATCH" and c.path == path]
    assert len(real) == 1
    assert real[0].json == {"new_state": "success", "include_upstream": False, "include_downstream": True}
    assert real[0].params == {"update_mask": ["new_state"]}
    engine.apply(engine.plan("r1", ["a"]), ["a"])  # the dry run now lists nothing: no second PATCH
    assert len([c for c in fake.calls if c.method == "PATCH" and c.path == path]) == 1


def test_marking_on_airflow_2_resolves_references_without_state_and_sets_notes_at_set_note():
    made, fake = client({
        ("GET", V1_RUN + "/taskInstances"): [listing(ti("a", "failed", note="old"), ti("b", "upstream_failed"))],
        ("POST", "api/v1/dags/d/updateTaskInstancesState"): [FakeResponse(200, {"task_instances": [
            {"task_id": "a", "dag_id": "d", "dag_run_id": "r1"}, {"task_id": "b", "dag_id": "d", "dag_run_id": "r1"}]})],
        ("PATCH", V1_RUN + "/taskInstances/a/setNote"): [FakeResponse(200, {})],
    }, v1=True)
    engine = TaskInstances(made, "d", "skipped", downstream=True, note="why")
    change = engine.plan("r1", ["a"])
    assert sorted(change.touched) == [("a", -1), ("b", -1)]
    assert change.notes == {"a": "old"}
    engine.apply(change, ["a"])
    posts = [c for c in fake.calls if c.path.endswith("updateTaskInstancesState")]
    assert [p.json["dry_run"] for p in posts] == [True, True, False]
    assert posts[-1].json["new_state"] == "skipped" and posts[-1].json["dag_run_id"] == "r1"
    assert [c.json for c in fake.calls if c.path.endswith("setNote")] == [{"note": "why"}]


def test_waiting_ends_when_every_touched_task_instance_is_final():
    answers = [listing(ti("a", "queued"), ti("b", None)), listing(ti("a", "success"), ti("b", "running")),
               listing(ti("a", "success"), ti("b", "failed"))]
    made, _fake = client({("GET", RUN + "/taskInstances"): answers})
    clock = iter(range(100))
    current, done = wait_for_final(made, "d", {"r1": {("a", -1), ("b", -1)}}, 60, 1, sleep=lambda s: None,
                                   clock=lambda: next(clock))
    assert done and current["r1"][("b", -1)]["state"] == "failed"


def test_waiting_gives_up_at_the_timeout():
    made, _fake = client({("GET", RUN + "/taskInstances"): [listing(ti("a", "running"))]})
    clock = iter(range(0, 1000, 10))
    current, done = wait_for_final(made, "d", {"r1": {("a", -1)}}, 30, 1, sleep=lambda s: None,
                                   clock=lambda: next(clock))
    assert not done and current["r1"][("a", -1)]["state"] == "running"


def test_logical_dates_need_a_timezone_and_come_out_in_utc():
    from ansible_collections.dagops.airflow.plugins.module_utils.dates import utc_date
    assert utc_date("2026-01-31T02:00:00+02:00") == "2026-01-31T00:00:00+00:00"
    assert utc_date("2026-01-31T00:00:00Z") == "2026-01-31T00:00:00+00:00"
    with pytest.raises(ValueError, match="has no timezone"):
        utc_date("2026-01-31T00:00:00")
