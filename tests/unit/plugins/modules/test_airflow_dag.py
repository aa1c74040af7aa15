from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.dags import DagResource
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Reconciler, ReconcileError
from ansible_collections.dagops.airflow.plugins.modules.airflow_dag import ensure_absent


class BusyClient:
    """A DAG whose task instances still run: Airflow answers the DELETE with 409."""

    api = dialect_for("v1")

    def connect(self):
        return self.api

    def get_or_none(self, path):
        return {"dag_id": "orders", "is_paused": False}

    def delete(self, path):
        raise AirflowError("Task instances of dag with id: 'orders' are still running", "DELETE", path, status=409)

    def list_all(self, path, key, params=None):
        return [{"dag_run_id": "nightly", "task_id": "load"}]


def test_a_409_on_delete_names_what_still_runs():
    client = BusyClient()
    module = SimpleNamespace(params={"dag_id": "orders"}, client=client)
    with pytest.raises(ReconcileError) as err:
        ensure_absent(module, Reconciler(client, DagResource()))
    assert "nightly/load" in str(err.value) and err.value.result["running_task_instances"] == ["nightly/load"]


def test_only_is_paused_is_sent_and_no_dag_is_ever_created():
    assert DagResource().to_body({"dag_id": "orders", "is_paused": True}, ["is_paused"]) == {"is_paused": True}
    assert "parses a file that defines it" in DagResource().validate("orders", {"is_paused": True}, "present", None)
