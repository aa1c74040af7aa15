#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_dag_info
short_description: Read Airflow DAGs with their tasks, latest run and import errors
version_added: 0.2.0
description:
  - Reads DAGs through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2), selected by id, by the server's
    id pattern, by tags or by paused state, and returns each with its tasks, its latest run and the import errors of
    its file.
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.INFO_ATTRIBUTES
options:
  dag_ids:
    description:
      - Only these DAGs. Ids the server does not have are listed in RV(missing).
    type: list
    elements: str
    aliases: [dag_id]
  dag_id_pattern:
    description:
      - Only the DAGs whose id matches, as the server matches it (a case-insensitive substring match, SQL C(ILIKE),
        with C(%) and C(_) as wildcards).
    type: str
  tags:
    description: Only the DAGs with any of these tags.
    type: list
    elements: str
  paused:
    description: Only the paused (V(true)) or the active (V(false)) DAGs.
    type: bool
  include_tasks:
    description: Read each DAG's tasks (one request per DAG).
    type: bool
    default: true
  include_latest_run:
    description: Read each DAG's latest run (one request per DAG).
    type: bool
    default: true
notes:
  - Without any filter, every DAG the server lists is returned.
seealso:
  - module: dagops.airflow.airflow_dag
  - module: dagops.airflow.airflow_dag_run_info
"""

EXAMPLES = r"""
- name: Read one DAG with its tasks and latest run
  dagops.airflow.airflow_dag_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    dag_ids: [orders_etl]
  register: orders

- name: Show its latest run's state
  ansible.builtin.debug:
    msg: "{{ orders.dags[0].latest_run.state if orders.dags[0].latest_run else 'never ran' }}"

- name: Every paused DAG, without their tasks
  dagops.airflow.airflow_dag_info:
    paused: true
    include_tasks: false
  register: paused_dags
"""

RETURN = r"""
dags:
  description: The selected DAGs, sorted by id.
  returned: success
  type: list
  elements: dict
  sample: [{"dag_id": "orders_etl", "is_paused": false, "is_stale": false, "file": "etl/orders.py",
            "description": null, "tags": ["etl"], "owners": ["airflow"], "timetable_description": "Never, external triggers only",
            "tasks": [{"task_id": "extract", "operator": "EmptyOperator", "downstream_task_ids": ["load"]}],
            "latest_run": {"dag_id": "orders_etl", "dag_run_id": "release-1.2.3", "state": "success"},
            "import_errors": []}]
  contains:
    dag_id:
      description: The DAG's id.
      type: str
    is_paused:
      description: Whether the DAG is paused.
      type: bool
    is_stale:
      description: Whether no file defines the DAG any more.
      type: bool
    file:
      description: The DAG's file (relative to the dags folder on Airflow 3, absolute on Airflow 2).
      type: str
    tags:
      description: Its tags' names.
      type: list
      elements: str
    tasks:
      description: With O(include_tasks), its tasks (C(task_id), C(operator), C(downstream_task_ids)).
      type: list
      elements: dict
    latest_run:
      description:
        - With O(include_latest_run), its newest run (C(dag_run_id), C(state), C(logical_date), C(start_date),
          C(end_date), C(run_type), C(note), C(conf) with secret keys hidden), V(null) when it never ran.
      type: dict
    import_errors:
      description: The import errors of its file (C(filename), C(timestamp), C(stack_trace)).
      type: list
      elements: dict
import_errors:
  description: Every import error the server reports, also those of files that define no DAG.
  returned: success
  type: list
  elements: dict
missing:
  description: The ids of O(dag_ids) that the server does not list (with the other filters applied).
  returned: success
  type: list
  elements: str
  sample: []
api_version:
  description: The REST API version that was used.
  returned: success
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.dag_reads import (
    all_import_errors, dag_import_errors, dag_summary, dag_tasks, error_summary, latest_run, list_dags,
)
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule


def gather(module):
    p = module.params
    client = module.client
    api = client.connect()
    errors = all_import_errors(client)
    dags = []
    for dag in list_dags(client, p["dag_ids"], p["dag_id_pattern"], p["tags"], p["paused"]):
        info = dag_summary(api, dag)
        if p["include_tasks"]:
            info["tasks"] = dag_tasks(client, dag["dag_id"])
        if p["include_latest_run"]:
            info["latest_run"] = latest_run(client, dag["dag_id"])
        info["import_errors"] = dag_import_errors(api, dag, errors)
        dags.append(info)
    found = set(d["dag_id"] for d in dags)
    return dict(changed=False, dags=dags, import_errors=[error_summary(e) for e in errors],
                missing=[d for d in p["dag_ids"] or [] if d not in found])


def main():
    module = AirflowModule(argument_spec=dict(
        dag_ids=dict(type="list", elements="str", aliases=["dag_id"]),
        dag_id_pattern=dict(type="str"),
        tags=dict(type="list", elements="str"),
        paused=dict(type="bool"),
        include_tasks=dict(type="bool", default=True),
        include_latest_run=dict(type="bool", default=True),
    ))
    module.run(lambda: gather(module))


if __name__ == "__main__":
    main()
