#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_info
short_description: Read what a playbook needs to know about an Airflow server
version_added: 0.1.0
description:
  - Returns the Airflow version, the REST API version, the health of Airflow's components, whether the server
    has an API for users and roles, and whether the collection's REST plugin answers.
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options: {}
"""

EXAMPLES = r"""
- name: Read the server's facts
  dagops.airflow.airflow_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
  register: airflow

- name: Only on Airflow 3
  ansible.builtin.debug:
    msg: "Airflow {{ airflow.airflow_version }} speaks API {{ airflow.api_version }}"
  when: airflow.airflow_version is version('3.0.0', '>=')

- name: Deploy DAG files through the REST plugin where it is installed
  dagops.airflow.airflow_deploy_dag:
    src: dags/
  when: airflow.rest_api_plugin is not none and 'dag-files' in airflow.rest_api_plugin.capabilities

- name: Fail early when the scheduler is down
  ansible.builtin.assert:
    that: airflow.healthy
    fail_msg: "Airflow is not healthy: {{ airflow.health }}"
"""

RETURN = r"""
airflow_version:
  description: The Airflow version the server reports.
  returned: success
  type: str
  sample: 3.3.2
api_version:
  description: The REST API version in use.
  returned: success
  type: str
  sample: v2
health:
  description: The server's health answer, one entry per component (metadatabase, scheduler, triggerer, dag_processor).
  returned: success
  type: dict
  sample: {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy", "latest_scheduler_heartbeat": "2026-11-21T06:00:00+00:00"}}
healthy:
  description:
    - True when every component that reports a status reports C(healthy). A triggerer that never ran
      (no heartbeat) does not count, as it is optional (Airflow 3.4 reports it C(unhealthy), earlier versions without a status).
  returned: success
  type: bool
  sample: true
user_api:
  description:
    - Whether the server has an API for users and roles (Airflow 2, or Airflow 3 with the FAB auth manager),
      which M(dagops.airflow.airflow_user) and M(dagops.airflow.airflow_role) need.
  returned: success
  type: bool
  sample: false
bulk_api:
  description: Whether the server has the bulk endpoints that the modules' bulk forms use (Airflow 3).
  returned: success
  type: bool
  sample: true
rest_api_plugin:
  description:
    - The collection's REST plugin's answer at C({airflow_url}/rest_api/v1/version), or V(null) when it does not answer
      or refuses this user (RV(rest_api_plugin_problem) then says why). Modules such as
      M(dagops.airflow.airflow_deploy_dag) need it; a playbook branches on it.
  returned: success
  type: dict
  sample: {"plugin": "dagops.airflow", "plugin_version": "0.1.0", "airflow_version": "3.3.2", "api": "v2",
           "capabilities": ["dag-files", "fingerprint", "legacy-deploy-dag"], "dags_folder": "/opt/airflow/dags",
           "max_file_size": 10485760}
  contains:
    plugin_version:
      description: The plugin's version.
      type: str
      sample: 0.1.0
    capabilities:
      description: What the plugin can do (C(dag-files), C(fingerprint), C(legacy-deploy-dag)).
      type: list
      elements: str
    dags_folder:
      description: The dags folder on the Airflow host.
      type: str
    max_file_size:
      description: The largest DAG file the plugin accepts, in bytes.
      type: int
rest_api_plugin_problem:
  description: Why RV(rest_api_plugin) is V(null) (not installed, or it refused this user), V(null) when it answered.
  returned: success
  type: str
  sample: "the collection's REST plugin does not answer at http://127.0.0.1:8080/rest_api/v1/version (install ...)"
"""

from ansible_collections.dagops.airflow.plugins.module_utils.api import health_statuses
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule


def gather(client):
    api = client.connect()
    version = client.server_version()
    health = client.get(api.health_path)
    statuses = health_statuses(health)
    plugin = client.rest_plugin()
    return dict(
        changed=False,
        airflow_version=version,
        api_version=api.version,
        health=health,
        healthy=bool(statuses) and all(s == "healthy" for s in statuses),
        user_api=client.has_user_api(),
        bulk_api=api.supports_bulk,
        rest_api_plugin=plugin,
        rest_api_plugin_problem=None if plugin else client.plugin_problem,
    )


def main():
    module = AirflowModule(argument_spec={})
    module.run(lambda: gather(module.client))


if __name__ == "__main__":
    main()
