#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_dag_run_info
short_description: Read Airflow DAG runs
version_added: 0.2.0
description:
  - Reads DAG runs through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2), newest first; the runs of one
    DAG by state or logical-date range, or the latest run of every DAG; optionally with their task instances.
  - A run's C(conf) is returned with the values of secret keys hidden.
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.INFO_ATTRIBUTES
options:
  dag_id:
    description:
      - The DAG whose runs to read. Without it, the latest run of every DAG is returned (O(latest) is implied).
    type: str
  run_id:
    description: Only this run of O(dag_id).
    type: str
  states:
    description: Only the runs in these states.
    type: list
    elements: str
    choices: [queued, running, success, failed]
  logical_date_from:
    description: Only the runs whose logical date is at or after this ISO 8601 date and time (with a timezone).
    type: str
  logical_date_to:
    description: Only the runs whose logical date is at or before this ISO 8601 date and time (with a timezone).
    type: str
  latest:
    description: Only the newest run (of O(dag_id), or of every DAG when O(dag_id) is omitted).
    type: bool
    default: false
  limit:
    description: At most this many runs (the newest); all when omitted.
    type: int
  include_task_instances:
    description: Read each run's task instances (one request per run).
    type: bool
    default: false
seealso:
  - module: dagops.airflow.airflow_dag_run
  - module: dagops.airflow.airflow_dag_info
"""

EXAMPLES = r"""
- name: The failed runs of a DAG, with their task instances
  dagops.airflow.airflow_dag_run_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    dag_id: orders_etl
    states: [failed]
    include_task_instances: true
  register: failed_runs

- name: The latest run of every DAG
  dagops.airflow.airflow_dag_run_info:
  register: latest

- name: Name the DAGs whose latest run failed
  ansible.builtin.debug:
    msg: "{{ latest.dag_runs | selectattr('state', 'equalto', 'failed') | map(attribute='dag_id') | list }}"
"""

RETURN = r"""
dag_runs:
  description: The runs, newest first (with O(dag_id) omitted, sorted by DAG id).
  returned: success
  type: list
  elements: dict
  sample: [{"dag_id": "orders_etl", "dag_run_id": "release-1.2.3", "state": "success",
            "logical_date": "2026-01-31T00:00:00+00:00", "start_date": "2026-01-31T00:00:05+00:00",
            "end_date": "2026-01-31T00:01:00+00:00", "run_type": "manual", "note": null, "conf": {"full_refresh": true},
            "task_instances": [{"task_id": "extract", "map_index": -1, "state": "success", "try_number": 1}]}]
  contains:
    dag_id:
      description: The DAG.
      type: str
    dag_run_id:
      description: The run's id.
      type: str
    state:
      description: The run's state.
      type: str
    conf:
      description: The run's conf; values of secret keys are C(<hidden>).
      type: dict
    task_instances:
      description: With O(include_task_instances), the run's task instances.
      type: list
      elements: dict
api_version:
  description: The REST API version that was used.
  returned: success
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.dag_reads import (
    latest_run, list_dags, list_runs, run_summary, run_task_states,
)
from ansible_collections.dagops.airflow.plugins.module_utils.dags import get_dag
from ansible_collections.dagops.airflow.plugins.module_utils.dates import normalize_date_options
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError


def gather(module):
    p = module.params
    client = module.client
    api = client.connect()
    if p["dag_id"] is None:
        runs = [run for run in (latest_run(client, dag["dag_id"]) for dag in list_dags(client)) if run]
    elif p["run_id"] is not None:
        get_dag(client, p["dag_id"])
        run = client.get_or_none(api.path("dags", p["dag_id"], "dagRuns", p["run_id"]))
        if run is None:
            raise ReconcileError("DAG %r has no run %r" % (p["dag_id"], p["run_id"]))
        runs = [run_summary(run)]
    else:
        get_dag(client, p["dag_id"])
        limit = 1 if p["latest"] else p["limit"]
        runs = [run_summary(run) for run in list_runs(client, p["dag_id"], p["states"], p["logical_date_from"],
                                                      p["logical_date_to"], limit)]
    if p["dag_id"] is None and p["states"]:
        runs = [run for run in runs if run["state"] in p["states"]]
    # Each run's conf comes redacted from run_summary (Airflow 2 shows conf in clear).
    for run in runs:
        if p["include_task_instances"]:
            run["task_instances"] = run_task_states(client, run["dag_id"], run["dag_run_id"])
    return dict(changed=False, dag_runs=runs)


def main():
    module = AirflowModule(
        argument_spec=dict(
            dag_id=dict(type="str"),
            run_id=dict(type="str"),
            states=dict(type="list", elements="str", choices=["queued", "running", "success", "failed"]),
            logical_date_from=dict(type="str"),
            logical_date_to=dict(type="str"),
            latest=dict(type="bool", default=False),
            limit=dict(type="int"),
            include_task_instances=dict(type="bool", default=False),
        ),
        required_by=dict(run_id="dag_id"),
    )
    p = module.params
    normalize_date_options(module, ("logical_date_from", "logical_date_to"))
    if p["dag_id"] is None and (p["logical_date_from"] or p["logical_date_to"] or p["limit"]):
        module.fail_json(msg="logical_date_from, logical_date_to and limit need dag_id; without it the module "
                             "returns the latest run of every DAG")
    if p["limit"] is not None and p["limit"] < 1:
        module.fail_json(msg="limit must be 1 or more, got %d" % p["limit"])
    module.run(lambda: gather(module))


if __name__ == "__main__":
    main()
