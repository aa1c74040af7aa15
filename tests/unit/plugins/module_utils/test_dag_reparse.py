from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowClient
from ansible_collections.dagops.airflow.plugins.module_utils.dag_reparse import reparse_and_wait, server_time
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError

from .fakes import FakeResponse, FakeSession

BASE = "http://af"
VERSION = {("GET", "api/v2/version"): [FakeResponse(200, {"version": "3.3.2"})],
           ("POST", "auth/token"): [FakeResponse(201, {"access_token": "jwt"})]}
DAG = "api/v2/dags/d"
DATE = "Sun, 06 Dec 2026 05:00:00 GMT"   # 1796533200
BEFORE = "2026-12-06T04:59:30+00:00"


def client(answers):
    made = AirflowClient(BASE, username="admin", password="pw", sleep=lambda s: None)
    fake = FakeSession(BASE, {**VERSION, **answers})
    made.session.request = fake.request
    return made, fake


def dag(parsed, token="tok"):
    return FakeResponse(200, {"dag_id": "d", "is_stale": False, "file_token": token, "last_parsed_time": parsed,
                              "has_import_errors": False, "relative_fileloc": "d.py"})


def test_server_time_from_the_date_header():
    assert server_time(FakeResponse(201, {}, headers={"Date": DATE})) == 1796533200
    assert server_time(FakeResponse(201, {})) is None


def test_waits_for_a_parse_after_the_request_and_asks_again_after_an_early_one():
    made, fake = client({
        ("GET", DAG): [dag(BEFORE), dag(BEFORE), dag("2026-12-06T05:00:02+00:00"), dag("2026-12-06T05:00:05+00:00")],
        ("PUT", "api/v2/parseDagFile/tok"): [FakeResponse(201, {}, headers={"Date": DATE})],
        ("GET", "api/v2/importErrors"): [FakeResponse(200, {"import_errors": [], "total_entries": 0})],
    })
    found = reparse_and_wait(made, "d", None, 60, 0.01, check_mode=False)
    assert found["last_parsed_time"] == "2026-12-06T05:00:05+00:00"
    # One request, then one more at the parse that ended within the grace of it.
    assert fake.paths("PUT") == ["api/v2/parseDagFile/tok", "api/v2/parseDagFile/tok"]


def test_check_mode_sends_nothing_and_an_unknown_dag_is_an_error():
    made, fake = client({("GET", DAG): [dag(BEFORE)], ("GET", "api/v2/dags/x"): [FakeResponse(404, {})]})
    assert reparse_and_wait(made, "d", None, 60, 1, check_mode=True)["dag_id"] == "d"
    assert fake.paths("PUT") == []
    with pytest.raises(ReconcileError, match="DAG 'x' does not exist"):
        reparse_and_wait(made, "x", None, 60, 1)


def test_a_server_that_cannot_take_the_request_says_so():
    made, _fake = client({("GET", DAG): [dag(BEFORE, token=None)]})
    with pytest.raises(ReconcileError, match="parseDagFile needs Airflow 2.10"):
        reparse_and_wait(made, "d", None, 60, 1)
