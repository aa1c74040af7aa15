#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_user_info
short_description: Read Airflow users in the shape airflow_user takes
version_added: 0.2.0
description:
  - Reads the users of Airflow's FAB security model and returns each with the options of
    M(dagops.airflow.airflow_user) (O(dagops.airflow.airflow_user#module:username),
    O(dagops.airflow.airflow_user#module:email), O(dagops.airflow.airflow_user#module:first_name),
    O(dagops.airflow.airflow_user#module:last_name), O(dagops.airflow.airflow_user#module:roles)), so an item can be fed
    back to that module.
  - Never a password. No API shows one, so no item has the key; to create the user elsewhere, add
    O(dagops.airflow.airflow_user#module:password) yourself.
  - Airflow 2 serves users at C(/api/v1/users). Airflow 3 serves them only with the FAB auth manager, at
    C(/auth/fab/v1/users); with the simple auth manager the module fails and says where its users are configured
    instead (C([core] simple_auth_manager_users) and the file named by C([core] simple_auth_manager_passwords_file)).
    RV(dagops.airflow.airflow_info#module:user_api) of M(dagops.airflow.airflow_info) tells beforehand.
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.INFO_ATTRIBUTES
options:
  usernames:
    description:
      - Only the users with these usernames. Usernames the server does not have are listed in RV(missing).
      - When neither O(usernames) nor O(pattern) is set, every user is returned.
    type: list
    elements: str
    aliases: [username]
  pattern:
    description:
      - Only the users whose username matches this glob pattern (C(fnmatch), case-sensitive).
    type: str
notes:
  - The connecting user needs the permission to read users (Airflow's C(Admin) role has it).
seealso:
  - module: dagops.airflow.airflow_user
  - module: dagops.airflow.airflow_role_info
"""

EXAMPLES = r"""
- name: Read every user
  dagops.airflow.airflow_user_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
  register: current

- name: Show who has the Admin role
  ansible.builtin.debug:
    msg: "{{ current.users | selectattr('roles', 'contains', 'Admin') | map(attribute='username') | list }}"
"""

RETURN = r"""
users:
  description:
    - The users, sorted by username, each with the options of M(dagops.airflow.airflow_user) except the password.
  returned: success
  type: list
  elements: dict
  sample: [{"username": "alice", "email": "alice@example.com", "first_name": "Alice", "last_name": "Smith",
            "roles": ["Viewer"]}]
  contains:
    username:
      description: The user's login name.
      type: str
    email:
      description: The user's email address.
      type: str
    first_name:
      description: The user's first name.
      type: str
    last_name:
      description: The user's last name.
      type: str
    roles:
      description: The names of the user's roles, sorted.
      type: list
      elements: str
missing:
  description: The usernames of O(usernames) that the server does not have.
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
from ansible_collections.dagops.airflow.plugins.module_utils.readback import read_selected, read_users, selection_options


def main():
    module = AirflowModule(argument_spec=selection_options("usernames", aliases=["username"]))
    module.run(lambda: read_selected(module, "usernames", read_users))


if __name__ == "__main__":
    main()
