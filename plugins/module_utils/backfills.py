# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Backfills (Airflow 3): find the unfinished backfill of a DAG and range, ask the server's dry run
which runs a new one would create, create, pause, unpause, cancel, and wait for one."""

from __future__ import annotations

import time

from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError
from ansible_collections.dagops.airflow.plugins.module_utils.dates import utc_date
from ansible_collections.dagops.airflow.plugins.module_utils.polling import poll_until

SHOWN = ("id", "dag_id", "from_date", "to_date", "is_paused", "reprocess_behavior", "max_active_runs",
         "created_at", "completed_at")


def backfill_path(api, *parts):
    if api.backfill_prefix is None:
        raise ReconcileError(api.no_backfill_api)
    return "/".join((api.backfill_prefix,) + tuple(str(p) for p in parts))


def same_range(backfill, from_date, to_date):
    return utc_date(backfill["from_date"]) == from_date and utc_date(backfill["to_date"]) == to_date


def unfinished(client, dag_id):
    """The DAG's backfills that have not completed (Airflow allows one at a time)."""
    api = client.connect()
    found = client.list_all(backfill_path(api), "backfills", params={"dag_id": dag_id})
    return [b for b in found if b.get("completed_at") is None]


def shown(backfill, redact):
    summary = dict((k, backfill.get(k)) for k in SHOWN)
    summary["dag_run_conf"] = redact(backfill.get("dag_run_conf"))
    return summary


def body(dag_id, from_date, to_date, reprocess_behavior, max_active_runs, run_backwards, dag_run_conf):
    request = {"dag_id": dag_id, "from_date": from_date, "to_date": to_date, "reprocess_behavior": reprocess_behavior,
               "max_active_runs": max_active_runs, "run_backwards": run_backwards}
    # No conf: the key is left out, so every 3.x applies its own default (3.0 and 3.1 refuse null).
    if dag_run_conf is not None:
        request["dag_run_conf"] = dag_run_conf
    return request


def dry_run(client, request):
    """The logical dates of the runs the server would create."""
    api = client.connect()
    answer = client.post(backfill_path(api, "dry_run"), request, ok=(200, 201), idempotent=True)
    return [entry.get("logical_date") for entry in answer.get("backfills") or []]


def create(client, request):
    api = client.connect()
    return client.post(backfill_path(api), request, ok=(200, 201))


def put_action(client, backfill_id, action):
    """pause, unpause or cancel."""
    api = client.connect()
    return client.request("PUT", backfill_path(api, backfill_id, action), ok=(200,)).json()


def wait_until_completed(client, backfill_id, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    api = client.connect()
    return poll_until(lambda: client.get(backfill_path(api, backfill_id)),
                      lambda backfill: backfill.get("completed_at") is not None, timeout, interval, sleep, clock)


def backfill_runs(client, dag_id, from_date, to_date):
    """The DAG's backfill runs with a logical date in the range, by logical date."""
    api = client.connect()
    runs = client.list_all(api.path("dags", dag_id, "dagRuns"), "dag_runs",
                           params=api.run_date_range_params(from_date, to_date))
    picked = [dict((k, r.get(k)) for k in ("dag_run_id", "logical_date", "state", "run_type"))
              for r in runs if r.get("run_type") == "backfill"]
    return sorted(picked, key=lambda r: r["logical_date"] or "")
