#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_dag
short_description: Wait for Airflow DAGs to be parsed, pause or unpause them, delete their metadata
version_added: 0.1.0
description:
  - Works with the DAGs of Airflow 2.11+ (API v1) and Airflow 3 (API v2) through the REST API.
  - With O(state=present), waits until the DAG processor has parsed the DAG's file and the DAG is visible, and fails
    with the file's import error when the file failed to import. Then sets O(paused) when it is given.
  - With O(state=absent), deletes the DAG's metadata (its runs, task instances and history). The file stays, so the DAG
    comes back at the next parse unless its file is gone too.
  - With O(dag_id_pattern), pauses or unpauses every DAG whose id matches.
  - No API creates a DAG; a DAG exists because a file in the dags folder defines it. Put the file there first (for
    example with M(ansible.builtin.copy) or git-sync).
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description: Shows C(is_paused) before and after, per DAG with O(dag_id_pattern).
options:
  dag_id:
    description:
      - The DAG's id. Mutually exclusive with O(dag_id_pattern); one of the two is required.
    type: str
  dag_id_pattern:
    description:
      - Pause or unpause every DAG whose id matches, as the server matches it, a case-insensitive substring match
        (SQL C(ILIKE)), in which C(%) and C(_) are wildcards; Airflow 3 also takes C(|) between alternatives.
      - The matching DAGs are listed first; only those whose state differs are written, one request each, so check
        mode and the diff show exactly what is written.
      - Must not be empty. Requires O(paused). Stale DAGs (whose file is gone) are not matched.
    type: str
  paused:
    description:
      - V(true) pauses the DAG (no new runs start), V(false) unpauses it.
      - When omitted, the pause state is left as it is.
      - Airflow pauses a new DAG when it first appears unless C([core] dags_are_paused_at_creation) is off.
    type: bool
  state:
    description:
      - V(present) waits for the DAG to be parsed and visible, then applies O(paused).
      - V(absent) deletes the DAG's metadata. It fails while a task instance of the DAG is running and names the
        running task instances.
    type: str
    choices: [present, absent]
    default: present
  dag_file:
    description:
      - The file that defines the DAG, relative to the dags folder (Airflow 3 - the bundle's root), for example
        V(etl/orders.py). An absolute path on the Airflow host works too.
      - Used with O(state=present) to find the file's import error while the DAG does not appear.
      - When omitted, the DAG's own file is used once the DAG is known; before that an import error counts when its
        file is named after the DAG (V(orders.py) for DAG V(orders)) or its stack trace quotes the dag_id.
    type: str
  reparse:
    description:
      - With O(state=present) and O(dag_id), ask Airflow to parse the DAG's file now (C(parseDagFile), Airflow 2.10+),
        then wait (up to O(wait_timeout)) for a parse that ended after the request, so a changed file is picked up
        before the next periodic parse. A parse that fails to import fails the task with the import error.
      - Reports C(changed) (a parse was asked for); in check mode nothing is sent.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds O(state=present) waits for the DAG to be parsed and visible. V(0) looks once.
      - Airflow finds new files every C([scheduler] dag_dir_list_interval) (Airflow 2) or
        C([dag_processor] refresh_interval) (Airflow 3), 300 seconds by default, and re-parses known files every
        C(min_file_process_interval) (30 seconds by default).
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two looks while waiting.
    type: int
    default: 3
notes:
  - An import error found at the first look may be stale (the file may have been fixed and not parsed again yet).
    It fails the task once the DAG processor reports it again while the module waits (at its next
    C(min_file_process_interval)), or when O(wait_timeout) runs out. A new error fails the task at once.
  - A visible DAG whose file currently fails to import (the API flags it with C(has_import_errors)) is waited for in the
    same way, so O(state=present) never reports success for a file that does not import.
seealso:
  - module: dagops.airflow.airflow_dag_run
"""

EXAMPLES = r"""
- name: Wait until the DAG is parsed and unpause it
  dagops.airflow.airflow_dag:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    dag_id: orders_etl
    dag_file: etl/orders.py
    paused: false
    wait_timeout: 600

- name: Pick up a changed DAG file now, not at the next periodic parse
  dagops.airflow.airflow_dag:
    dag_id: orders_etl
    reparse: true

- name: Pause a DAG
  dagops.airflow.airflow_dag:
    dag_id: orders_etl
    paused: true

- name: Pause every DAG of a team (ids containing "team_a_")
  dagops.airflow.airflow_dag:
    dag_id_pattern: team_a_
    paused: true

- name: Delete a DAG's runs and history after removing its file
  dagops.airflow.airflow_dag:
    dag_id: old_report
    state: absent
"""

RETURN = r"""
dag:
  description:
    - The DAG as the API shows it after the task (Airflow 2 and 3 show different fields); empty after O(state=absent).
    - In check mode, C(is_paused) is the value it would have.
  returned: with O(dag_id)
  type: dict
  sample: {"dag_id": "orders_etl", "is_paused": false, "fileloc": "/opt/airflow/dags/etl/orders.py", "has_import_errors": false}
dags:
  description: The DAGs that O(dag_id_pattern) matched, with their pause state after the task.
  returned: with O(dag_id_pattern)
  type: list
  elements: dict
  sample: [{"dag_id": "team_a_load", "is_paused": true}]
updated:
  description: How many DAGs were (or, in check mode, would be) paused or unpaused.
  returned: with O(dag_id_pattern)
  type: int
  sample: 2
unchanged:
  description: How many matched DAGs already had the wanted pause state.
  returned: with O(dag_id_pattern)
  type: int
  sample: 5
changes:
  description: The ids of the matched DAGs that were (or, in check mode, would be) paused or unpaused, under C(updated).
  returned: with O(dag_id_pattern)
  type: dict
  sample: {"created": [], "updated": ["team_a_load", "team_a_report"], "deleted": []}
reparsed:
  description: Whether a parse of the DAG's file was asked for (O(reparse)); in check mode, whether it would be.
  returned: with O(dag_id) and O(state=present)
  type: bool
  sample: true
import_errors:
  description: The import errors found for the DAG's file, when that failed the task.
  returned: on failure with an import error
  type: list
  elements: dict
  sample: [{"filename": "etl/orders.py", "stack_trace": "Traceback ...", "timestamp": "2026-01-01T00:00:00Z"}]
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.dags import (
    DagResource, DagWaiter, desired_pause, running_task_instances, without_engine_summary,
)
from ansible_collections.dagops.airflow.plugins.module_utils.dag_reparse import reparse_and_wait
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, wait_options
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError


def check_options(module):
    p = module.params
    if p["dag_id_pattern"] is not None:
        if not p["dag_id_pattern"].strip():
            module.fail_json(msg="dag_id_pattern must not be empty: an empty pattern would match every DAG")
        if p["paused"] is None:
            module.fail_json(msg="dag_id_pattern needs paused: it pauses or unpauses the DAGs that match")
        if p["state"] != "present":
            module.fail_json(msg="dag_id_pattern only pauses or unpauses; delete DAGs one by one with dag_id")
    if p["state"] == "absent" and p["paused"] is not None:
        module.fail_json(msg="paused applies to state=present; a deleted DAG has no pause state")
    if p["reparse"] and (p["dag_id"] is None or p["state"] != "present"):
        module.fail_json(msg="reparse applies to one DAG (dag_id) with state=present")


def ensure_present(module, engine):
    p = module.params
    if p["reparse"]:
        dag = reparse_and_wait(module.client, p["dag_id"], p["dag_file"], p["wait_timeout"], p["poll_interval"],
                               check_mode=module.check_mode)
    else:
        dag = DagWaiter(module.client, p["dag_id"], dag_file=p["dag_file"], timeout=p["wait_timeout"],
                        interval=p["poll_interval"]).wait()
    if p["paused"] is None:
        return dict(changed=p["reparse"], reparsed=p["reparse"], dag=dag)
    result = engine.ensure_one(p["dag_id"], desired_pause(p["dag_id"], p["paused"]))
    # The DAG as the API showed it, with the pause state the write left (or would leave).
    result["dag"] = dict(dag, is_paused=result["dag"]["is_paused"])
    result["reparsed"] = p["reparse"]
    result["changed"] = result["changed"] or p["reparse"]
    return result


def ensure_absent(module, engine):
    dag_id = module.params["dag_id"]
    try:
        result = engine.ensure_one(dag_id, {"dag_id": dag_id}, "absent")
    except AirflowError as err:
        if err.status != 409:
            raise
        running = running_task_instances(module.client, dag_id)
        raise ReconcileError(
            "DAG %r cannot be deleted while its task instances run (%s); let them finish or mark their runs "
            "failed with dagops.airflow.airflow_dag_run, then try again" % (
                dag_id, "run/task: " + ", ".join(running) if running else "the server says some are running"),
            running_task_instances=running)
    result["dag"] = {}
    return result


def ensure_pattern(module, engine):
    p = module.params
    result = engine.ensure_matching({"is_paused": p["paused"]}, {"dag_id_pattern": p["dag_id_pattern"]})
    result["dags"] = [{"dag_id": dag_id, "is_paused": p["paused"]} for dag_id in result.pop("matched")]
    return result


def main():
    module = AirflowModule(
        argument_spec=dict(
            dag_id=dict(type="str"),
            dag_id_pattern=dict(type="str"),
            paused=dict(type="bool"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            dag_file=dict(type="str"),
            reparse=dict(type="bool", default=False),
            **wait_options(wait_timeout=300),
        ),
        mutually_exclusive=[("dag_id", "dag_id_pattern")],
        required_one_of=[("dag_id", "dag_id_pattern")],
    )
    check_options(module)
    engine = module.reconciler(DagResource())

    def apply():
        if module.params["dag_id_pattern"] is not None:
            return single_or_many(ensure_pattern(module, engine), many=True)
        if module.params["state"] == "absent":
            return single_or_many(ensure_absent(module, engine))
        return single_or_many(ensure_present(module, engine))

    module.run(apply)


def single_or_many(result, many=False):
    """The engine's counts help with many DAGs; for one they only repeat 'changed'."""
    return without_engine_summary(result, keep=("updated", "unchanged", "changes") if many else ())


if __name__ == "__main__":
    main()
