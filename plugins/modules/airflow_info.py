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
  description: True when every component that reports a status reports C(healthy).
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
  description: The collection's REST plugin, as it answers at C({airflow_url}/rest_api/v1/version).
  returned: success
  type: dict
  contains:
    present:
      description: Whether the plugin answered.
      type: bool
      sample: false
    version:
      description: The plugin's version, when present.
      type: str
      sample: 0.1.0
    capabilities:
      description: What the plugin can do, when present.
      type: list
      elements: str
"""

from ansible_collections.dagops.airflow.plugins.module_utils.client import json_object_with
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule


def gather(client):
    api = client.connect()
    version = client.server_version()
    health = client.get(api.health_path)
    statuses = [part.get("status") for part in health.values() if isinstance(part, dict) and part.get("status")]
    plugin = client.request("GET", "rest_api/v1/version", ok=(200, 401, 403, 404))
    answer = json_object_with(plugin, "version")
    plugin_info = dict(present=answer is not None)
    if answer is not None:
        plugin_info.update(version=answer.get("version"), capabilities=answer.get("capabilities", []))
    return dict(
        changed=False,
        airflow_version=version,
        api_version=api.version,
        health=health,
        healthy=bool(statuses) and all(s == "healthy" for s in statuses),
        user_api=client.has_user_api(),
        bulk_api=api.supports_bulk,
        rest_api_plugin=plugin_info,
    )


def main():
    module = AirflowModule(argument_spec={})
    module.run(lambda: gather(module.client))


if __name__ == "__main__":
    main()
