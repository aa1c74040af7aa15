#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_role_info
short_description: Read Airflow roles in the shape airflow_role takes
version_added: 0.2.0
description:
  - Reads the roles of Airflow's FAB security model and their permissions, and returns each with the options of
    M(dagops.airflow.airflow_role) (O(dagops.airflow.airflow_role#module:name),
    O(dagops.airflow.airflow_role#module:permissions)), so an item can be fed back to that module.
  - Airflow 2 serves roles at C(/api/v1/roles). Airflow 3 serves them only with the FAB auth manager, at
    C(/auth/fab/v1/roles); with the simple auth manager the module fails and says why (its roles are fixed, and its
    users are configured in C([core] simple_auth_manager_users)). RV(dagops.airflow.airflow_info#module:user_api)
    of M(dagops.airflow.airflow_info) tells beforehand.
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.INFO_ATTRIBUTES
options:
  names:
    description:
      - Only the roles with these names. Names the server does not have are listed in RV(missing).
      - When neither O(names) nor O(pattern) is set, every role is returned, Airflow's built-in ones included.
    type: list
    elements: str
    aliases: [name]
  pattern:
    description:
      - Only the roles whose name matches this glob pattern (C(fnmatch), case-sensitive).
    type: str
notes:
  - The connecting user needs the permission to read roles (Airflow's C(Admin) role has it).
seealso:
  - module: dagops.airflow.airflow_role
  - module: dagops.airflow.airflow_user_info
"""

EXAMPLES = r"""
- name: Read the roles whose name starts with Data
  dagops.airflow.airflow_role_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    pattern: "Data*"
  register: data_roles

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ data_roles.roles | map(attribute='name') | list }}"
"""

RETURN = r"""
roles:
  description:
    - The roles, sorted by name, each with the options of M(dagops.airflow.airflow_role); permissions sorted by
      resource, then action.
  returned: success
  type: list
  elements: dict
  sample: [{"name": "Analyst", "permissions": [{"action": "can_read", "resource": "DAGs"}]}]
  contains:
    name:
      description: The role's name.
      type: str
    permissions:
      description: Every permission the role has.
      type: list
      elements: dict
      contains:
        action:
          description: The action, for example C(can_read).
          type: str
        resource:
          description: The resource, for example C(DAGs).
          type: str
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
from ansible_collections.dagops.airflow.plugins.module_utils.readback import read_roles, read_selected, selection_options


def main():
    module = AirflowModule(argument_spec=selection_options("names", aliases=["name"]))
    module.run(lambda: read_selected(module, "names", read_roles))


if __name__ == "__main__":
    main()
