#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_pool_info
short_description: Read Airflow pools in the shape airflow_pool takes
version_added: 0.2.0
description:
  - Reads Airflow pools through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2) and returns them as the
    items of M(dagops.airflow.airflow_pool)'s O(dagops.airflow.airflow_pool#module:pools) list, so the result can be
    fed back to that module.
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.INFO_ATTRIBUTES
options:
  names:
    description:
      - Only the pools with these names. Names the server does not have are listed in RV(missing).
      - When neither O(names) nor O(pattern) is set, every pool is returned, C(default_pool) included.
    type: list
    elements: str
    aliases: [name]
  pattern:
    description:
      - Only the pools whose name matches this glob pattern (C(fnmatch), case-sensitive).
    type: str
seealso:
  - module: dagops.airflow.airflow_pool
"""

EXAMPLES = r"""
- name: Read every pool
  dagops.airflow.airflow_pool_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
  register: current

- name: Show how many slots default_pool has
  ansible.builtin.debug:
    msg: "{{ (current.pools | selectattr('name', 'equalto', 'default_pool') | first).slots }}"
"""

RETURN = r"""
pools:
  description:
    - The pools, sorted by name, as items of M(dagops.airflow.airflow_pool)'s O(dagops.airflow.airflow_pool#module:pools)
      list.
  returned: success
  type: list
  elements: dict
  sample: [{"name": "default_pool", "slots": 128, "description": "Default pool", "include_deferred": false}]
  contains:
    name:
      description: The pool's name.
      type: str
    slots:
      description: Its slots; V(-1) is unlimited.
      type: int
    description:
      description: The description.
      type: str
    include_deferred:
      description: Whether deferred tasks count against the slots.
      type: bool
    team_name:
      description:
        - The team it belongs to (Airflow 3.2's multi-team mode); there only when it has one.
      type: str
      version_added: 0.2.0
missing:
  description: The names of O(names) that the server does not have.
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

from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule
from ansible_collections.dagops.airflow.plugins.module_utils.readback import read_pools, read_selected, selection_options


def main():
    module = AirflowModule(argument_spec=selection_options("names", aliases=["name"]))
    module.run(lambda: read_selected(module, "names", read_pools))


if __name__ == "__main__":
    main()
