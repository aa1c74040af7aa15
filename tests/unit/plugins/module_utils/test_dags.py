"""Waiting for a DAG and finding its import errors, over a scripted stand-in for the client."""

from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.dags import (
    DagWaiter, FreshParse, concerns, parse_time, request_reparse, running_task_instances, same_file,
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


# ----- a parse newer than a file's upload ----------------------------------------------------------
def parsed_at(stamp):
    return dict(DAG, last_parsed_time=stamp)


WRITTEN = 1767225600.0  # 2026-01-01T00:00:00Z, the uploaded file's mtime


def test_parse_times_in_both_api_forms():
    assert parse_time("2026-01-01T00:00:00+00:00") == WRITTEN
    assert parse_time("2026-01-01T00:00:01.5Z") == WRITTEN + 1.5
    assert parse_time(None) is None and parse_time("soon") is None


def test_a_new_files_first_parse_after_the_upload_counts():
    fresh = FreshParse(WRITTEN, replaced=False)
    assert not fresh(parsed_at("2025-12-31T23:59:59Z"))
    assert fresh(parsed_at("2026-01-01T00:00:00.2Z"))


def test_a_replaced_file_needs_a_parse_that_surely_started_after_the_upload():
    asked = []
    fresh = FreshParse(WRITTEN, replaced=True, on_early=asked.append)
    assert not fresh(parsed_at("2026-01-01T00:00:00Z"))          # the old parse, not after the write
    early = parsed_at("2026-01-01T00:00:01Z")
    assert not fresh(early)                                       # may have read the old file
    assert asked == [early]                                       # so the next parse is asked for
    assert not fresh(early)                                       # the same parse again
    assert fresh(parsed_at("2026-01-01T00:00:02Z"))               # the parse after it read the new file
    assert asked == [early]


def test_a_replaced_files_parse_long_after_the_upload_counts_at_once():
    assert FreshParse(WRITTEN, replaced=True, grace=10)(parsed_at("2026-01-01T00:00:10Z"))


def test_the_waiter_waits_for_a_fresh_parse_and_names_it_when_none_comes():
    clock = FakeClock()
    old = parsed_at("2025-12-31T23:00:00Z")
    client = ScriptedClient("v2", [(old, []), (old, []), (parsed_at("2026-01-01T00:00:03Z"), [])])
    found = waiter(client, clock, fresh=FreshParse(WRITTEN, replaced=False)).wait()
    assert found["last_parsed_time"].endswith("03Z") and clock.sleeps == [3, 3]
    with pytest.raises(ReconcileError, match="was not parsed again within 30 s after its file was written"):
        waiter(ScriptedClient("v2", [(old, [])]), FakeClock(), fresh=FreshParse(WRITTEN)).wait()


class ReparseClient:
    def __init__(self, version, status=201):
        self.api = dialect_for(version)
        self.status = status
        self.calls = []

    def connect(self):
        return self.api

    def request(self, method, path, ok=(200,)):
        self.calls.append((method, path, ok))
        if self.status not in ok:
            raise AirflowError("refused", method, path, status=self.status)


def test_a_reparse_is_asked_through_the_dialect():
    v1 = ReparseClient("v1")
    assert request_reparse(v1, {"dag_id": "a", "file_token": "tok/en"})
    assert v1.calls == [("PUT", "api/v1/parseDagFile/tok%2Fen", (201,))]
    v2 = ReparseClient("v2", status=409)   # Airflow 3: a request for this file is already pending
    assert request_reparse(v2, {"dag_id": "a", "file_token": "t"})
    assert v2.calls[0][2] == (201, 409)


def test_a_reparse_is_skipped_where_the_server_cannot_take_it():
    assert not request_reparse(ReparseClient("v1"), {"dag_id": "a"})
    assert not request_reparse(ReparseClient("v1", status=404), {"dag_id": "a", "file_token": "t"})
    with pytest.raises(AirflowError):
        request_reparse(ReparseClient("v2", status=403), {"dag_id": "a", "file_token": "t"})
