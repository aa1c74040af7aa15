# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Task instances of DAG runs: which runs and tasks a task names, what the server's dry runs say a
clear or a state change would touch, doing it, and waiting for the touched ones to finish."""

from __future__ import annotations

import fnmatch
import time

from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError
from ansible_collections.dagops.airflow.plugins.module_utils.polling import poll_until

# The states a task instance ends in (Airflow's State.finished).
FINAL_STATES = ("success", "failed", "skipped", "upstream_failed", "removed")
FAILED_STATES = ("failed", "upstream_failed")


def dag_task_ids(client, dag_id):
    api = client.connect()
    return sorted(task["task_id"] for task in client.get(api.path("dags", dag_id, "tasks")).get("tasks") or [])


def select_tasks(dag_id, known, task_ids=None, pattern=None):
    """The task ids to act on: ``task_ids`` (each must exist) or those matching ``pattern``."""
    if task_ids:
        unknown = [t for t in task_ids if t not in known]
        if unknown:
            raise ReconcileError("DAG %r has no task %s; its tasks: %s"
                                 % (dag_id, ", ".join(repr(t) for t in unknown), ", ".join(known) or "none"))
        return sorted(set(task_ids))
    matched = [t for t in known if fnmatch.fnmatchcase(t, pattern)]
    if not matched:
        raise ReconcileError("no task of DAG %r matches task_id_pattern %r; its tasks: %s"
                             % (dag_id, pattern, ", ".join(known) or "none"))
    return matched


def select_runs(client, dag_id, run_id=None, date_from=None, date_to=None):
    """The run ids to act on: ``run_id`` (it must exist) or the runs with a logical date in the range."""
    api = client.connect()
    if run_id is not None:
        if client.get_or_none(api.path("dags", dag_id, "dagRuns", run_id)) is None:
            raise ReconcileError("DAG %r has no run %r" % (dag_id, run_id))
        return [run_id]
    runs = client.list_all(api.path("dags", dag_id, "dagRuns"), "dag_runs",
                           params=api.run_date_range_params(date_from, date_to))
    if not runs:
        raise ReconcileError("DAG %r has no run with a logical date from %s to %s"
                             % (dag_id, date_from or "the first", date_to or "the last"))
    return sorted(run["dag_run_id"] for run in runs)


def run_task_instances(client, dag_id, run_id):
    """{(task_id, map_index): task instance} of one run, as the API lists them."""
    api = client.connect()
    found = client.list_all(api.path("dags", dag_id, "dagRuns", run_id, "taskInstances"), "task_instances")
    return dict(((ti["task_id"], _map_index(ti)), ti) for ti in found)


def _map_index(ti):
    index = ti.get("map_index")
    return -1 if index is None else index


def _keys(answer):
    """(task_id, map_index) of each task instance of an answer; Airflow 2's references carry no
    map index, so they stand for every map index of their task."""
    return [(ti["task_id"], ti.get("map_index")) for ti in (answer or {}).get("task_instances") or []]


def _resolve(keys, instances):
    """The listed task instances of one run, looked up in its current list."""
    found = {}
    for task_id, index in keys:
        for (tid, mi), ti in instances.items():
            if tid == task_id and (index is None or mi == index):
                found[(tid, mi)] = ti
    return found


def clear_body(run_id, task_ids, only_failed, upstream, downstream, dry_run):
    return {"dry_run": dry_run, "dag_run_id": run_id, "task_ids": task_ids, "only_failed": only_failed,
            "only_running": False, "reset_dag_runs": True, "include_upstream": upstream,
            "include_downstream": downstream, "include_future": False, "include_past": False}


class TaskInstanceChange:
    """One run's planned change: the task instances the server's dry run lists, and the notes to set."""

    def __init__(self, run_id, touched, notes):
        self.run_id = run_id
        self.touched = touched      # {(task_id, map_index): task instance as it is now}
        self.notes = notes          # {task id: its current note}, where it differs from the declared one


class TaskInstances:
    """Clear task instances or set their state, in the runs and tasks a module task names."""

    def __init__(self, client, dag_id, state, upstream=False, downstream=False, only_failed=True, note=None):
        self.client = client
        self.api = client.connect()
        self.dag_id = dag_id
        self.state = state
        self.upstream = upstream
        self.downstream = downstream
        self.only_failed = only_failed
        self.note = note

    def plan(self, run_id, task_ids):
        instances = run_task_instances(self.client, self.dag_id, run_id)
        if self.state == "cleared":
            answer = self.client.post(self.api.path("dags", self.dag_id, "clearTaskInstances"),
                                      clear_body(run_id, task_ids, self.only_failed, self.upstream,
                                                 self.downstream, True), ok=(200,), idempotent=True)
            keys = _keys(answer)
        else:
            keys = []
            for task_id in task_ids:
                method, path, body, params = self.api.mark_task_call(
                    self.dag_id, run_id, task_id, self.state, self.upstream, self.downstream, True)
                answer = self.client.request(method, path, params=params, body=body, ok=(200,), idempotent=True)
                keys.extend(_keys(answer.json()))
        touched = _resolve(keys, instances)
        if self.state != "cleared":
            # Airflow lists only the task instances not yet in the state; an older server may list all.
            touched = dict((k, ti) for k, ti in touched.items() if ti.get("state") != self.state)
        notes = {}
        if self.note is not None:
            notes = dict((task_id, ti.get("note")) for (task_id, _index), ti in instances.items()
                         if task_id in task_ids and (ti.get("note") or None) != (self.note or None))
        return TaskInstanceChange(run_id, touched, notes)

    def apply(self, change, task_ids):
        if change.touched:
            if self.state == "cleared":
                self.client.post(self.api.path("dags", self.dag_id, "clearTaskInstances"),
                                 clear_body(change.run_id, task_ids, self.only_failed, self.upstream,
                                            self.downstream, False), ok=(200,))
            else:
                for task_id in task_ids:
                    self._mark(change.run_id, task_id)
        for task_id in sorted(change.notes):
            method, path, body, params = self.api.task_note_call(self.dag_id, change.run_id, task_id, self.note)
            self.client.request(method, path, params=params, body=body, ok=(200,))

    def _mark(self, run_id, task_id):
        """Set one named task (with its relatives) that its own dry run says still changes."""
        method, path, body, params = self.api.mark_task_call(
            self.dag_id, run_id, task_id, self.state, self.upstream, self.downstream, True)
        if not _keys(self.client.request(method, path, params=params, body=body, ok=(200,), idempotent=True).json()):
            return
        method, path, body, params = self.api.mark_task_call(
            self.dag_id, run_id, task_id, self.state, self.upstream, self.downstream, False)
        self.client.request(method, path, params=params, body=body, ok=(200,))


def describe(ti):
    return dict((k, ti.get(k)) for k in ("task_id", "map_index", "state", "try_number", "note"))


def wait_for_final(client, dag_id, pending, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    """``pending``: {run_id: set of (task_id, map_index)}. Returns ({run_id: {key: ti}}, finished)."""
    def read():
        current = {}
        for run_id, keys in pending.items():
            instances = run_task_instances(client, dag_id, run_id)
            current[run_id] = dict((k, instances[k]) for k in keys if k in instances)
        return current

    def finished(current):
        return all(ti.get("state") in FINAL_STATES for tis in current.values() for ti in tis.values())

    return poll_until(read, finished, timeout, interval, sleep, clock)
