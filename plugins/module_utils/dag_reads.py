# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Reading DAGs and their runs for the info modules, in one shape on both API versions."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.dags import concerns
from ansible_collections.dagops.airflow.plugins.module_utils.masking import redact

RUN_FIELDS = ("dag_id", "dag_run_id", "state", "logical_date", "start_date", "end_date", "run_type", "note")


def list_dags(client, dag_ids=None, pattern=None, tags=None, paused=None):
    """The DAGs the filters select, sorted by id (``dag_id_pattern``, ``tags`` and ``paused`` are
    the server's own filters)."""
    api = client.connect()
    params = {}
    if pattern is not None:
        params["dag_id_pattern"] = pattern
    if tags:
        params["tags"] = list(tags)
    if paused is not None:
        params["paused"] = "true" if paused else "false"
    dags = client.list_all(api.path("dags"), "dags", params=params)
    if dag_ids:
        dags = [dag for dag in dags if dag["dag_id"] in dag_ids]
    return sorted(dags, key=lambda dag: dag["dag_id"])


def dag_summary(api, dag):
    return {
        "dag_id": dag.get("dag_id"),
        "is_paused": dag.get("is_paused"),
        "is_stale": api.dag_is_stale(dag),
        "file": api.dag_file(dag),
        "description": dag.get("description"),
        "tags": sorted(tag["name"] if isinstance(tag, dict) else tag for tag in dag.get("tags") or []),
        "owners": dag.get("owners"),
        "timetable_description": dag.get("timetable_description"),
    }


def dag_tasks(client, dag_id):
    api = client.connect()
    tasks = client.get(api.path("dags", dag_id, "tasks")).get("tasks") or []
    return sorted(({"task_id": t.get("task_id"),
                    "operator": t.get("operator_name") or (t.get("class_ref") or {}).get("class_name"),
                    "downstream_task_ids": sorted(t.get("downstream_task_ids") or [])} for t in tasks),
                  key=lambda t: t["task_id"])


def run_summary(run):
    """A run's public fields; its conf is redacted (Airflow 2 shows conf in clear)."""
    summary = dict((k, run.get(k)) for k in RUN_FIELDS)
    summary["conf"] = redact(run.get("conf"))
    return summary


def latest_run(client, dag_id):
    api = client.connect()
    params = dict(api.latest_run_params(), limit=1)
    runs = client.get(api.path("dags", dag_id, "dagRuns"), params=params).get("dag_runs") or []
    return run_summary(runs[0]) if runs else None


def all_import_errors(client):
    api = client.connect()
    return client.list_all(api.path("importErrors"), "import_errors")


def error_summary(error):
    return {"filename": error.get("filename"), "timestamp": error.get("timestamp"),
            "stack_trace": error.get("stack_trace")}


def dag_import_errors(api, dag, errors):
    return [error_summary(e) for e in errors if concerns(e, dag["dag_id"], api.dag_file(dag))]


def list_runs(client, dag_id, states=None, date_from=None, date_to=None, limit=None):
    """A DAG's runs (``~``: every DAG's) in the given states and logical-date range, newest first."""
    api = client.connect()
    params = dict(api.latest_run_params())
    params.update(api.run_date_range_params(date_from, date_to))
    if states:
        params["state"] = list(states)
    path = api.path("dags", dag_id, "dagRuns")
    if limit:
        return client.get(path, params=dict(params, limit=limit)).get("dag_runs") or []
    return client.list_all(path, "dag_runs", params=params)


def run_task_states(client, dag_id, run_id):
    api = client.connect()
    found = client.list_all(api.path("dags", dag_id, "dagRuns", run_id, "taskInstances"), "task_instances")
    states = [dict((k, ti.get(k)) for k in ("task_id", "map_index", "state", "try_number", "start_date", "end_date"))
              for ti in found]
    return sorted(states, key=lambda ti: (ti["task_id"] or "", ti["map_index"] if ti["map_index"] is not None else -1))
