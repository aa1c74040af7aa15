"""What the v1 and v2 dialects say about DAGs and runs (checked against the servers by the integration targets)."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for


def test_v1_leaves_the_logical_date_out_and_v2_always_sends_the_key():
    assert dialect_for("v1").trigger_body("r1", None, {"a": 1}, None) == {"dag_run_id": "r1", "conf": {"a": 1}}
    assert dialect_for("v2").trigger_body("r1", None, None, "n") == {"dag_run_id": "r1", "logical_date": None, "note": "n"}
    assert dialect_for("v2").trigger_body(None, "2026-01-01T00:00:00+00:00", None, None) == {
        "logical_date": "2026-01-01T00:00:00+00:00"}


def test_v1_sets_a_runs_note_at_its_own_endpoint():
    state = {"state": "success", "note": "done"}
    assert dialect_for("v1").dag_run_updates("api/v1/dags/d/dagRuns/r", state, ["note", "state"]) == [
        ("api/v1/dags/d/dagRuns/r", {"state": "success"}, None),
        ("api/v1/dags/d/dagRuns/r/setNote", {"note": "done"}, None)]
    assert dialect_for("v2").dag_run_updates("api/v2/dags/d/dagRuns/r", state, ["note", "state"]) == [
        ("api/v2/dags/d/dagRuns/r", {"note": "done", "state": "success"}, {"update_mask": ["note", "state"]})]


def test_import_error_filters_and_file_names():
    v1, v2 = dialect_for("v1"), dialect_for("v2")
    assert v1.import_error_params("etl/a.py") == {}
    assert v2.import_error_params("etl/a.py") == {"filename": "etl/a.py"}
    assert v2.import_error_params("/opt/dags/etl/a.py") == {"filename_pattern": "a.py"}
    assert v2.import_error_params(None) == {}
    assert v1.dag_file({"fileloc": "/d/a.py", "relative_fileloc": "a.py"}) == "/d/a.py"
    assert v2.dag_file({"fileloc": "/d/a.py", "relative_fileloc": "a.py"}) == "a.py"


def test_stale_dags():
    assert dialect_for("v1").dag_is_stale({"is_active": False}) and not dialect_for("v1").dag_is_stale({"is_active": True})
    assert dialect_for("v2").dag_is_stale({"is_stale": True}) and not dialect_for("v2").dag_is_stale({"is_stale": False})


def test_bulk_update_masks_from_airflow_3_2_on():
    v1, v2 = dialect_for("v1"), dialect_for("v2")
    assert not v1.bulk_update_masks("2.11.0")
    assert [v2.bulk_update_masks(v) for v in ("3.0.6", "3.1.8", "3.2.2", "3.3.2", "3.4.0b2")] == [
        False, False, True, True, True]
