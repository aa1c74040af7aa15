"""Waiting for a DAG and finding its import errors, over a scripted stand-in for the client."""

from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.dags import (
    DagWaiter, concerns, running_task_instances, same_file,
)
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError

TRACE = 'Traceback (most recent call last):\n  File "x.py", line 2\nRuntimeError: broken on purpose\n'


class ScriptedClient:
    """Each look returns the next (dag, import_errors) pair of the script; the last one repeats."""

    def __init__(self, version, looks):
        self.api = dialect_for(version)
        self.looks = list(looks)
        self.look = None
        self.import_error_params = []

    def connect(self):
        return self.api

    def get_or_none(self, path):
        self.look = self.looks.pop(0) if len(self.looks) > 1 else self.looks[0]
        return self.look[0]

    def list_all(self, path, key, params=None):
        self.import_error_params.append(params)
        return self.look[1]


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def waiter(client, clock, **kwargs):
    kwargs.setdefault("timeout", 30)
    return DagWaiter(client, "orders", interval=3, sleep=clock.sleep, clock=clock, **kwargs)


def error(stamp, filename="orders.py"):
    return {"filename": filename, "bundle_name": "dags-folder", "timestamp": stamp, "stack_trace": TRACE}


DAG = {"dag_id": "orders", "is_stale": False, "has_import_errors": False, "relative_fileloc": "orders.py"}


def test_a_visible_dag_is_returned_at_once():
    clock = FakeClock()
    assert waiter(ScriptedClient("v2", [(DAG, [])]), clock).wait() == DAG
    assert clock.sleeps == []


def test_a_dag_that_appears_later_is_waited_for():
    clock = FakeClock()
    client = ScriptedClient("v2", [(None, []), (None, []), (DAG, [])])
    assert waiter(client, clock).wait() == DAG
    assert clock.sleeps == [3, 3]


def test_an_error_that_appears_while_waiting_fails_at_once_with_its_text():
    clock = FakeClock()
    client = ScriptedClient("v2", [(None, []), (None, [error("t1")])])
    with pytest.raises(ReconcileError, match="broken on purpose") as err:
        waiter(client, clock).wait()
    assert err.value.result["import_errors"][0]["filename"] == "orders.py"
    assert clock.now == 3


def test_an_error_seen_at_the_first_look_counts_once_the_server_stamps_it_again():
    clock = FakeClock()
    client = ScriptedClient("v2", [(None, [error("t1")]), (None, [error("t1")]), (None, [error("t2")])])
    with pytest.raises(ReconcileError, match="failed to import"):
        waiter(client, clock).wait()
    assert clock.now == 6


def test_a_stale_error_does_not_fail_a_file_that_was_fixed_meanwhile():
    clock = FakeClock()
    client = ScriptedClient("v2", [(None, [error("t1")]), (DAG, [])])
    assert waiter(client, clock).wait() == DAG


def test_a_visible_dag_whose_file_now_fails_is_reported_when_the_server_confirms_it():
    clock = FakeClock()
    flagged = dict(DAG, has_import_errors=True)
    client = ScriptedClient("v2", [(flagged, [error("t1")]), (flagged, [error("t2")])])
    with pytest.raises(ReconcileError, match="broken on purpose"):
        waiter(client, clock).wait()
    # Its own file narrows the import errors (Airflow 3 names it relative to the bundle).
    assert client.import_error_params[0] == {"filename": "orders.py"}


def test_a_stale_error_is_still_reported_when_the_wait_runs_out():
    clock = FakeClock()
    client = ScriptedClient("v1", [(None, [error("t1", "/opt/dags/orders.py")])])
    with pytest.raises(ReconcileError, match=r"did not appear within 30 s: its file /opt/dags/orders.py failed"):
        waiter(client, clock).wait()


def test_nothing_found_says_what_to_check():
    clock = FakeClock()
    with pytest.raises(ReconcileError, match="did not appear within 30 s: no parsed file defines it") as err:
        waiter(ScriptedClient("v2", [(None, [])]), clock).wait()
    assert "set dag_file" in str(err.value)
    assert sum(clock.sleeps) == 30


def test_zero_timeout_looks_once():
    clock = FakeClock()
    with pytest.raises(ReconcileError):
        waiter(ScriptedClient("v2", [(None, [])]), clock, timeout=0).wait()
    assert clock.sleeps == []


def test_a_stale_dag_is_not_present():
    clock = FakeClock()
    with pytest.raises(ReconcileError, match="is stale"):
        waiter(ScriptedClient("v1", [({"dag_id": "orders", "is_active": False}, [])]), clock).wait()


def test_file_names_match_across_absolute_and_relative_forms():
    assert same_file("/opt/airflow/dags/etl/orders.py", "etl/orders.py")
    assert same_file("etl/orders.py", "/opt/airflow/dags/etl/orders.py")
    assert same_file("etl/./orders.py", "etl/orders.py")
    assert not same_file("/opt/airflow/dags/etl/orders.py", "ders.py")
    assert not same_file("/a/orders.py", "/b/orders.py")


def test_which_errors_concern_a_dag_without_a_known_file():
    assert concerns({"filename": "/d/etl/orders.py", "stack_trace": ""}, "orders", None)
    assert concerns({"filename": "/d/x.py", "stack_trace": "DAG(dag_id='orders')"}, "orders", None)
    assert not concerns({"filename": "/d/x.py", "stack_trace": "orders_v2"}, "orders", None)
    assert not concerns({"filename": "/d/orders.py", "stack_trace": ""}, "orders", "etl/other.py")


def test_running_task_instances_are_named_by_run_and_task():
    class Listing:
        api = dialect_for("v2")

        def connect(self):
            return self.api

        def list_all(self, path, key, params=None):
            assert path == "api/v2/dags/orders/dagRuns/~/taskInstances" and params == {"state": "running"}
            return [{"dag_run_id": "r2", "task_id": "load"}, {"dag_run_id": "r1", "task_id": "extract"}]

    assert running_task_instances(Listing(), "orders") == ["r1/extract", "r2/load"]
