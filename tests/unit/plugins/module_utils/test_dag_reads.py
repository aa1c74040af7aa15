from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.dag_reads import (
    dag_import_errors, dag_summary, list_runs, run_summary,
)


class Server:
    def __init__(self, api):
        self.api = dialect_for(api)
        self.calls = []

    def connect(self):
        return self.api

    def list_all(self, path, key, params=None):
        self.calls.append((path, params))
        return []

    def get(self, path, params=None):
        self.calls.append((path, params))
        return {"dag_runs": []}


def test_a_dag_in_one_shape_on_both_apis():
    v1 = dag_summary(dialect_for("v1"), {"dag_id": "d", "is_paused": True, "is_active": False, "fileloc": "/dags/d.py",
                                         "tags": [{"name": "b"}, {"name": "a"}]})
    tags = [{"name": "b", "dag_id": "d"}, {"name": "a", "dag_id": "d"}]
    v2 = dag_summary(dialect_for("v2"), {"dag_id": "d", "is_paused": True, "is_stale": True, "fileloc": "/dags/d.py",
                                         "relative_fileloc": "d.py", "tags": tags})
    assert v1["tags"] == v2["tags"] == ["a", "b"]
    assert v1["is_stale"] and v2["is_stale"]
    assert v1["file"] == "/dags/d.py" and v2["file"] == "d.py"


def test_import_errors_are_matched_to_the_dag_file():
    errors = [{"filename": "/dags/d.py", "stack_trace": "boom"}, {"filename": "/dags/other.py", "stack_trace": "x"}]
    found = dag_import_errors(dialect_for("v1"), {"dag_id": "d", "fileloc": "/dags/d.py"}, errors)
    assert [e["filename"] for e in found] == ["/dags/d.py"]


def test_run_conf_secrets_are_hidden():
    run = run_summary({"dag_id": "d", "dag_run_id": "r", "state": "success",
                       "conf": {"rows": 3, "api_token": "clear-secret"}})
    assert run["conf"] == {"rows": 3, "api_token": "<hidden>"}


def test_runs_are_listed_newest_first_with_each_api_s_names():
    v1, v2 = Server("v1"), Server("v2")
    list_runs(v1, "d", ["failed"], "F", "T")
    list_runs(v2, "d", ["failed"], "F", "T", limit=1)
    assert v1.calls == [("api/v1/dags/d/dagRuns", {"order_by": "-execution_date", "execution_date_gte": "F",
                                                   "execution_date_lte": "T", "state": ["failed"]})]
    assert v2.calls == [("api/v2/dags/d/dagRuns", {"order_by": "-run_after", "logical_date_gte": "F",
                                                   "logical_date_lte": "T", "state": ["failed"], "limit": 1})]
