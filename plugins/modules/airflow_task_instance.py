#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_task_instance
short_description: Clear Airflow task instances or set their state
version_added: 0.2.0
description:
  - Clears task instances of DAG runs, so the scheduler runs them again, or marks them V(success), V(failed) or
    V(skipped), through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2); optionally sets their note and
    waits until they reach a final state.
  - What would change is what the server's own dry run lists (C(clearTaskInstances) or the state change with
    C(dry_run)); when it lists nothing, the task reports no change. Check mode and diff show that list.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description: Shows each touched task instance's state before and after, by run id and task id (C(task_id[map_index]) for mapped tasks).
options:
  dag_id:
    description: The DAG.
    type: str
    required: true
  run_id:
    description:
      - The DAG run. Mutually exclusive with O(logical_date_from) and O(logical_date_to); one of them is required.
    type: str
  logical_date_from:
    description:
      - The runs whose logical date is at or after this ISO 8601 date and time (with a timezone).
    type: str
  logical_date_to:
    description:
      - The runs whose logical date is at or before this ISO 8601 date and time (with a timezone).
    type: str
  task_ids:
    description: The tasks. Each must exist in the DAG. Mutually exclusive with O(task_id_pattern); one is required.
    type: list
    elements: str
  task_id_pattern:
    description: The tasks whose id matches this glob pattern (C(fnmatch), case-sensitive); at least one must match.
    type: str
  state:
    description:
      - V(cleared) clears the task instances (the server resets their run to queued, and the scheduler runs them again).
      - V(success), V(failed) or V(skipped) sets their state; those already in it are not changed.
    type: str
    required: true
    choices: [cleared, success, failed, skipped]
  only_failed:
    description:
      - With O(state=cleared), only the failed (and upstream-failed) task instances are cleared, as in Airflow's own
        clear. A run with nothing failed then reports no change, which makes the task idempotent.
      - V(false) clears them whatever their state, so every run of the task clears again and reports a change.
    type: bool
    default: true
  upstream:
    description: Also the tasks upstream of the named ones.
    type: bool
    default: false
  downstream:
    description: Also the tasks downstream of the named ones.
    type: bool
    default: false
  note:
    description:
      - The note of the named task instances (not of their upstream or downstream relatives). Set when it differs.
    type: str
  wait:
    description:
      - Wait until every touched task instance is in a final state (V(success), V(failed), V(skipped),
        V(upstream_failed), V(removed)); fail naming the task ids that failed.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait) before the task fails.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two reads while waiting.
    type: int
    default: 3
notes:
  - The DAG, its tasks and its runs are checked before anything is written; an unknown one fails the task and says so.
seealso:
  - module: dagops.airflow.airflow_dag_run
"""

EXAMPLES = r"""
- name: Rerun the failed tasks of a run and wait for them
  dagops.airflow.airflow_task_instance:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    dag_id: orders_etl
    run_id: release-1.2.3
    task_id_pattern: "*"
    state: cleared
    note: rerun after the fix
    wait: true

- name: Mark a task and everything after it successful
  dagops.airflow.airflow_task_instance:
    dag_id: orders_etl
    run_id: release-1.2.3
    task_ids: [extract]
    state: success
    downstream: true
"""

RETURN = r"""
task_instances:
  description:
    - The task instances the task touched (or, in check mode, would touch), as they are after the task
      (after the wait with O(wait)).
  returned: success
  type: list
  elements: dict
  sample: [{"dag_run_id": "manual__2026-01-31", "task_id": "load", "map_index": -1, "state": "success",
            "try_number": 2, "note": "rerun after the fix"}]
failed_tasks:
  description: With O(wait), the ids of the touched tasks that ended failed or upstream-failed, as C(run_id/task_id).
  returned: success
  type: list
  elements: str
  sample: []
runs:
  description: The run ids the task looked at.
  returned: success
  type: list
  elements: str
  sample: ["manual__2026-01-31"]
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.dags import get_dag
from ansible_collections.dagops.airflow.plugins.module_utils.dates import normalize_date_options
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, wait_options
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError
from ansible_collections.dagops.airflow.plugins.module_utils.task_instances import (
    FAILED_STATES, FINAL_STATES, TaskInstances, dag_task_ids, describe, select_runs, select_tasks,
    wait_for_final,
)


def label(key):
    task_id, index = key
    return task_id if index in (None, -1) else "%s[%s]" % (task_id, index)


def check_options(module):
    p = module.params
    normalize_date_options(module, ("logical_date_from", "logical_date_to"))
    if p["task_ids"] is not None and not [t for t in p["task_ids"] if t]:
        module.fail_json(msg="task_ids must name at least one task")


def run(module):
    p = module.params
    client = module.client
    get_dag(client, p["dag_id"])
    tasks = select_tasks(p["dag_id"], dag_task_ids(client, p["dag_id"]), p["task_ids"], p["task_id_pattern"])
    runs = select_runs(client, p["dag_id"], p["run_id"], p["logical_date_from"], p["logical_date_to"])
    engine = TaskInstances(client, p["dag_id"], p["state"], upstream=p["upstream"], downstream=p["downstream"],
                           only_failed=p["only_failed"], note=p["note"])
    changes = [engine.plan(run_id, tasks) for run_id in runs]
    before, after = {}, {}
    for change in changes:
        for key, ti in sorted(change.touched.items()):
            before.setdefault(change.run_id, {})[label(key)] = ti.get("state")
            after.setdefault(change.run_id, {})[label(key)] = None if p["state"] == "cleared" else p["state"]
        for task_id, note in sorted(change.notes.items()):
            before.setdefault(change.run_id, {})["%s.note" % task_id] = note
            after.setdefault(change.run_id, {})["%s.note" % task_id] = p["note"]
    changed = any(c.touched or c.notes for c in changes)
    result = dict(changed=changed, runs=runs, diff=dict(before=before, after=after), failed_tasks=[])
    touched = dict((c.run_id, set(c.touched)) for c in changes if c.touched)
    result["task_instances"] = [dict(describe(ti), dag_run_id=c.run_id) for c in changes
                                for _key, ti in sorted(c.touched.items())]
    if module.check_mode or not changed:
        return result
    for change in changes:
        engine.apply(change, tasks)
    # Without wait, a timeout of 0 reads the touched task instances once.
    current, finished = wait_for_final(client, p["dag_id"], touched, p["wait_timeout"] if p["wait"] else 0,
                                       p["poll_interval"])
    result["task_instances"] = [dict(describe(ti), dag_run_id=run_id) for run_id in sorted(current)
                                for _key, ti in sorted(current[run_id].items())]
    if p["wait"]:
        result["failed_tasks"] = sorted("%s/%s" % (ti["dag_run_id"], label((ti["task_id"], ti["map_index"])))
                                        for ti in result["task_instances"] if ti["state"] in FAILED_STATES)
        if not finished:
            raise ReconcileError("task instances of DAG %r are not finished after %s s (wait_timeout): %s" % (
                p["dag_id"], p["wait_timeout"], ", ".join(
                    "%s/%s=%s" % (ti["dag_run_id"], ti["task_id"], ti["state"]) for ti in result["task_instances"]
                    if ti["state"] not in FINAL_STATES)), **result)
        if result["failed_tasks"]:
            raise ReconcileError("task instances of DAG %r failed: %s" % (p["dag_id"], ", ".join(result["failed_tasks"])),
                                 **result)
    return result


def main():
    module = AirflowModule(
        argument_spec=dict(
            dag_id=dict(type="str", required=True),
            run_id=dict(type="str"),
            logical_date_from=dict(type="str"),
            logical_date_to=dict(type="str"),
            task_ids=dict(type="list", elements="str"),
            task_id_pattern=dict(type="str"),
            state=dict(type="str", required=True, choices=["cleared", "success", "failed", "skipped"]),
            only_failed=dict(type="bool", default=True),
            upstream=dict(type="bool", default=False),
            downstream=dict(type="bool", default=False),
            note=dict(type="str"),
            wait=dict(type="bool", default=False),
            **wait_options(wait_timeout=600),
        ),
        mutually_exclusive=[("task_ids", "task_id_pattern"), ("run_id", "logical_date_from"),
                            ("run_id", "logical_date_to")],
        required_one_of=[("task_ids", "task_id_pattern"), ("run_id", "logical_date_from", "logical_date_to")],
    )
    check_options(module)
    module.run(lambda: run(module))


if __name__ == "__main__":
    main()
