from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.backfills import (
    backfill_path, body, same_range, shown,
)
from ansible_collections.dagops.airflow.plugins.module_utils.masking import redact
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError


def test_airflow_2_is_refused_naming_the_cli_command():
    with pytest.raises(ReconcileError, match="nothing was sent.*airflow dags backfill --start-date"):
        backfill_path(dialect_for("v1"))
    assert backfill_path(dialect_for("v2"), 3, "cancel") == "api/v2/backfills/3/cancel"


def test_the_same_range_in_any_spelling_of_the_instants():
    backfill = {"from_date": "2024-01-01T00:00:00Z", "to_date": "2024-01-03T02:00:00+02:00"}
    assert same_range(backfill, "2024-01-01T00:00:00+00:00", "2024-01-03T00:00:00+00:00")
    assert not same_range(backfill, "2024-01-01T00:00:00+00:00", "2024-01-04T00:00:00+00:00")


def test_the_body_and_the_shown_backfill_hide_conf_secrets():
    sent = body("d", "F", "T", "none", 2, True, {"api_token": "s3cret", "rows": 1})
    assert sent["run_backwards"] is True and sent["max_active_runs"] == 2 and sent["reprocess_behavior"] == "none"
    seen = shown({"id": 1, "dag_id": "d", "dag_run_conf": sent["dag_run_conf"], "extra": "x"}, redact)
    assert seen["dag_run_conf"] == {"api_token": "<hidden>", "rows": 1} and "extra" not in seen


def test_no_conf_is_left_out_of_the_body_not_sent_as_null():
    # Airflow 3.0 and 3.1 answer 422 "dag_run_conf: Input should be a valid dictionary" to null.
    assert "dag_run_conf" not in body("d", "F", "T", "none", 2, False, None)
    assert body("d", "F", "T", "none", 2, False, {})["dag_run_conf"] == {}
