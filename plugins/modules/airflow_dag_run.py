#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_dag_run
short_description: Trigger, wait for, mark and delete Airflow DAG runs
version_added: 0.1.0
description:
  - Triggers DAG runs, waits for them to finish, marks their state and deletes them through the REST API of
    Airflow 2.11+ (API v1) and Airflow 3 (API v2).
  - O(run_id) is the idempotency key. With it, the run is triggered once; later calls find it and change nothing
    (or only its note or state). B(Without a run id, every call triggers a new run), named by Airflow, and
    reports C(changed).
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  check_mode:
    support: full
    description: Reads the server and reports what would change; never triggers, marks, deletes, unpauses or waits.
  diff_mode:
    support: full
    description: Shows the run's state, note, conf and logical date before and after; secret conf values are hidden.
options:
  dag_id:
    description:
      - The DAG's id. The task fails with a clear message when the server does not know it.
    type: str
    required: true
  run_id:
    description:
      - The run's id. One run per O(run_id) and DAG.
      - Required for every O(state) but V(present). Without it, every call triggers a new run.
    type: str
  conf:
    description:
      - The run's configuration (C(dag_run.conf)), set when the run is triggered.
      - It cannot change afterwards; the task fails when the run exists with a different O(conf).
      - Values under sensitive keys (C(password), C(token), ...) are hidden in all output.
    type: dict
  logical_date:
    description:
      - The run's logical date, an ISO 8601 date and time B(with a timezone), for example V(2026-01-31T00:00:00+00:00)
        or V(2026-01-31T00:00:00Z). It is checked before anything is sent.
      - When omitted, Airflow 2 uses the time of the trigger; Airflow 3 triggers a run without a logical date.
      - Like O(conf), it is fixed once the run exists.
    type: str
  note:
    description:
      - The run's note. Can be changed on an existing run. When omitted, the note is left as it is.
    type: str
  state:
    description:
      - V(present) triggers the run unless a run with O(run_id) exists.
      - V(absent) deletes the run (Airflow 3 refuses to delete a running run; mark it first).
      - V(success), V(failed) and V(queued) mark an existing run with that state (and its unfinished task
        instances, as Airflow does). Marking a run that already has the state changes nothing.
        V(queued) makes Airflow run it again.
    type: str
    choices: [present, absent, success, failed, queued]
    default: present
  wait:
    description:
      - Wait until the run reaches a final state (C(success) or C(failed)), then return its task instances' states.
      - With O(state=present) or O(state=queued) only. Not in check mode.
      - When the DAG is paused, its runs stay queued and the wait could not end, so the task fails at once, before
        triggering anything, unless O(unpause=true).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds O(wait) waits before it fails.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between two looks at the run while waiting.
    type: int
    default: 3
  fail_on_failure:
    description:
      - With O(wait), fail the task when the run ends C(failed), naming the failed task ids.
      - V(false) returns the failed run as a result instead.
    type: bool
    default: true
  unpause:
    description:
      - With O(state=present) or O(state=queued), unpause the DAG first when it is paused (reported as a change).
        A run of a paused DAG stays queued until the DAG is unpaused.
    type: bool
    default: false
notes:
  - Airflow 2 cannot hold two runs of a DAG with the same logical date.
  - A DAG whose file currently fails to import cannot be triggered on Airflow 2.
seealso:
  - module: dagops.airflow.airflow_dag
"""

EXAMPLES = r"""
- name: Run the nightly load once for this release, and wait for it
  dagops.airflow.airflow_dag_run:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    dag_id: orders_etl
    run_id: "release-{{ release_version }}"
    conf:
      full_refresh: true
    note: Triggered by the release pipeline
    wait: true
    wait_timeout: 1800
  register: load

- name: Show the task states
  ansible.builtin.debug:
    var: load.task_instances

- name: Trigger a new run on every call (no run_id)
  dagops.airflow.airflow_dag_run:
    dag_id: orders_etl

- name: Run the DAG once for a logical date (Airflow holds one run per logical date)
  dagops.airflow.airflow_dag_run:
    dag_id: orders_etl
    run_id: backfill-2026-01-31
    logical_date: "2026-01-31T00:00:00+00:00"

- name: Unpause the DAG if needed, run it, and keep going even if it fails
  dagops.airflow.airflow_dag_run:
    dag_id: orders_etl
    run_id: smoke-test
    unpause: true
    wait: true
    fail_on_failure: false
  register: smoke

- name: Mark a stuck run failed
  dagops.airflow.airflow_dag_run:
    dag_id: orders_etl
    run_id: release-1.2.3
    state: failed
    note: Stopped by the on-call engineer

- name: Delete a run
  dagops.airflow.airflow_dag_run:
    dag_id: orders_etl
    run_id: smoke-test
    state: absent
"""

RETURN = r"""
dag_run:
  description:
    - The run as the API shows it after the task (Airflow 2 and 3 show different fields); secret conf values are
      shown as C(<hidden>). Empty after O(state=absent).
    - In check mode, for a run that would be triggered, the values it would get (state C(queued)); for an
      existing run, the run as the API shows it, with the state or note it would be marked with.
  returned: always
  type: dict
  sample: {"dag_id": "orders_etl", "dag_run_id": "release-1.2.3", "state": "success", "conf": {"full_refresh": true},
           "note": "Triggered by the release pipeline", "logical_date": null}
task_instances:
  description:
    - The states of the run's task instances when the wait ended.
    - In check mode (which does not wait), their states now; empty for a run that would be triggered.
  returned: with O(wait)
  type: list
  elements: dict
  sample: [{"task_id": "extract", "map_index": -1, "state": "success", "try_number": 1}]
failed_tasks:
  description: The ids of the task instances that failed, when the run failed.
  returned: with O(wait)
  type: list
  elements: str
  sample: ["load"]
unpaused:
  description: Whether the DAG was (or, in check mode, would be) unpaused by O(unpause).
  returned: always
  type: bool
  sample: false
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

import time

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.dags import (
    DagResource, desired_pause, get_dag, without_engine_summary,
)
from ansible_collections.dagops.airflow.plugins.module_utils.dates import aware_datetime, utc_date
from ansible_collections.dagops.airflow.plugins.module_utils.masking import compare, DIFFERENT, redact, secret_strings
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, wait_options
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError, Resource
from ansible_collections.dagops.airflow.plugins.module_utils.polling import poll_until

FINAL_STATES = ("success", "failed")
MARKS = ("success", "failed", "queued")


class DagRunResource(Resource):
    """A run of one DAG. Triggering is its create; only state and note change afterwards."""

    noun = "dag_run"
    id_field = "dag_run_id"
    fields = ("state", "note", "conf", "logical_date")
    bulk = False

    def __init__(self, dag_id):
        self.dag_id = dag_id

    def collection_path(self, api):
        return api.path("dags", self.dag_id, "dagRuns")

    def item_path(self, api, ident):
        return api.path("dags", self.dag_id, "dagRuns", ident)

    def list_key(self):
        return "dag_runs"

    def from_api(self, obj, desired=None):
        return {"dag_run_id": obj.get("dag_run_id"), "state": obj.get("state"), "note": obj.get("note"),
                "conf": obj.get("conf"), "logical_date": utc_date(obj.get("logical_date"))}

    def to_body(self, state, fields):
        """The trigger body; the engine sends it only to create a run (see validate)."""
        api = self.client.connect()
        return api.trigger_body(state.get("dag_run_id"), state.get("logical_date"), state.get("conf"), state.get("note"))

    def update_calls(self, api, ident, state, fields):
        return api.dag_run_updates(self.item_path(api, ident), state, fields)

    def validate(self, ident, desired, state, current):
        if state == "absent":
            return None
        if current is None:
            if desired.get("state") is not None:
                return ("DAG run %r of DAG %r does not exist, so it cannot be marked %s: trigger it first "
                        "(state=present)" % (ident, self.dag_id, desired["state"]))
            return None
        for field, what in (("conf", "conf"), ("logical_date", "logical date")):
            if desired.get(field) is not None and compare(desired[field], current.get(field)) == DIFFERENT:
                return ("DAG run %r of DAG %r exists with a different %s, which is fixed when a run is triggered: "
                        "use a new run_id for a run with this %s" % (ident, self.dag_id, what, what))
        return None

    def redact(self, state):
        return dict(state, conf=redact(state["conf"])) if "conf" in state else dict(state)


def wait_for_run(client, path, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    """(run, finished): the run once it is in a final state, or as it is when ``timeout`` runs out."""
    return poll_until(lambda: client.get(path), lambda run: run.get("state") in FINAL_STATES, timeout, interval,
                      sleep, clock)


def task_states(client, run_path):
    found = client.list_all(run_path + "/taskInstances", "task_instances")
    states = [dict((k, ti.get(k)) for k in ("task_id", "map_index", "state", "try_number")) for ti in found]
    return sorted(states, key=lambda ti: (ti["task_id"] or "", ti["map_index"] if ti["map_index"] is not None else -1))


def failed_task_ids(states):
    return sorted(set(ti["task_id"] for ti in states if ti["state"] == "failed"))


def check_options(module):
    p = module.params
    if p["run_id"] is not None and not p["run_id"].strip():
        module.fail_json(msg="run_id must not be empty; leave it out to have Airflow name a new run")
    if p["run_id"] is None and p["state"] != "present":
        module.fail_json(msg="state=%s needs run_id: it names the run to %s" % (
            p["state"], "delete" if p["state"] == "absent" else "mark"))
    if p["wait"] and p["state"] not in ("present", "queued"):
        module.fail_json(msg="wait applies to state=present or state=queued, where the run still has to run")
    if p["logical_date"] is not None:
        try:
            aware_datetime(p["logical_date"])
        except ValueError as err:
            module.fail_json(msg="logical_date: %s" % err)
    # Hide secrets in conf before anything can fail, so no error path can echo them.
    for value in secret_strings(p["conf"]):
        module.hide(value)


class DagRunTask:
    """What one task does: check the DAG, unpause it if asked, reconcile the run, wait for it."""

    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.client = module.client

    def desired(self):
        p = self.p
        return {"dag_run_id": p["run_id"], "conf": p["conf"], "logical_date": utc_date(p["logical_date"]),
                "note": p["note"], "state": p["state"] if p["state"] in MARKS else None}

    def __call__(self):
        p = self.p
        api = self.client.connect()
        dag = get_dag(self.client, p["dag_id"])
        resource = DagRunResource(p["dag_id"])
        engine = self.module.reconciler(resource)
        unpause_result = self.unpause_if_needed(dag, resource)
        try:
            result = engine.ensure_one(p["run_id"], self.desired(), "absent" if p["state"] == "absent" else "present")
        except AirflowError as err:
            if err.status == 409 and p["state"] == "present" and p["logical_date"] is not None:
                raise ReconcileError(
                    "DAG %r already has a run with logical date %s and Airflow holds one run per logical date: "
                    "pick another logical_date, or the run_id of that run" % (p["dag_id"], p["logical_date"]),
                    **err.to_result())
            raise
        without_engine_summary(result)
        result["unpaused"] = bool(unpause_result and unpause_result["changed"])
        result["changed"] = result["changed"] or result["unpaused"]
        run = result.get("dag_run") or {}
        if p["state"] == "absent":
            return result  # nothing to read back
        if self.module.check_mode:
            return self.check_mode_result(result, resource, api)
        run_path = resource.item_path(api, run["dag_run_id"])
        if not p["wait"]:
            result["dag_run"] = resource.redact(self.client.get(run_path))
            self.show_state_in_diff(result)
            return result
        return self.wait(result, resource, run_path)

    def check_mode_result(self, result, resource, api):
        """The shape of a real run's result without writing or waiting: an existing run as the API shows
        it (with the state or note it would be marked with) and its task states as they are now; a run
        that would be triggered with the values it would get (Airflow queues a new run)."""
        planned = result["dag_run"]
        existing = result["diff"]["before"]
        if existing:
            run_path = resource.item_path(api, planned["dag_run_id"])
            shown = self.client.get(run_path)
            shown.update((f, planned[f]) for f in ("state", "note") if planned.get(f) is not None)
            result["dag_run"] = resource.redact(shown)
            states = task_states(self.client, run_path) if self.p["wait"] else []
        else:
            result["dag_run"] = dict(planned, dag_id=self.p["dag_id"], state=planned.get("state") or "queued")
            states = []
        if self.p["wait"]:
            result.update(task_instances=states, failed_tasks=failed_task_ids(states))
        return result

    @staticmethod
    def show_state_in_diff(result):
        """A triggered run's diff shows the state the server gave it (queued, or final after a wait),
        not the unset state the trigger declared."""
        if not result["diff"]["before"] and result["diff"]["after"] and result["dag_run"].get("state"):
            result["diff"]["after"]["state"] = result["dag_run"]["state"]

    def unpause_if_needed(self, dag, resource):
        """Unpause when asked; refuse to wait for a run of a paused DAG, before anything is written."""
        p = self.p
        if not dag.get("is_paused") or p["state"] not in ("present", "queued"):
            return None
        if p["unpause"]:
            return self.module.reconciler(DagResource()).ensure_one(p["dag_id"], desired_pause(p["dag_id"], False))
        if p["wait"] and not self.run_is_final(resource):
            raise ReconcileError(
                "DAG %r is paused, so its run would stay queued and the wait could not end: unpause the DAG first "
                "(dagops.airflow.airflow_dag with paused=false) or set unpause=true" % p["dag_id"])
        if not p["wait"]:
            self.module.warn("DAG %r is paused: its runs stay queued until it is unpaused" % p["dag_id"])
        return None

    def run_is_final(self, resource):
        """True when the run exists in a final state and stays so (state=present does not re-run it)."""
        if self.p["run_id"] is None or self.p["state"] != "present":
            return False
        api = self.client.connect()
        run = self.client.get_or_none(resource.item_path(api, self.p["run_id"]))
        return run is not None and run.get("state") in FINAL_STATES

    def wait(self, result, resource, run_path):
        p = self.p
        run, finished = wait_for_run(self.client, run_path, p["wait_timeout"], p["poll_interval"])
        states = task_states(self.client, run_path)
        result.update(dag_run=resource.redact(run), task_instances=states, failed_tasks=failed_task_ids(states))
        self.show_state_in_diff(result)
        what = "DAG run %r of DAG %r" % (run.get("dag_run_id"), p["dag_id"])
        if not finished:
            raise ReconcileError("%s is still %s after %s s (wait_timeout)" % (what, run.get("state"), p["wait_timeout"]),
                                 **result)
        if run.get("state") == "failed" and p["fail_on_failure"]:
            failed = ", ".join(result["failed_tasks"]) or "none (the run itself was marked failed)"
            raise ReconcileError("%s failed; failed tasks: %s" % (what, failed), **result)
        return result


def main():
    module = AirflowModule(
        argument_spec=dict(
            dag_id=dict(type="str", required=True),
            run_id=dict(type="str"),
            conf=dict(type="dict"),
            logical_date=dict(type="str"),
            note=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"] + list(MARKS)),
            wait=dict(type="bool", default=False),
            **wait_options(wait_timeout=600),
            fail_on_failure=dict(type="bool", default=True),
            unpause=dict(type="bool", default=False),
        ),
    )
    check_options(module)
    module.run(DagRunTask(module))


if __name__ == "__main__":
    main()
