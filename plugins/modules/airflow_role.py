#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_role
short_description: Manage Airflow roles and their permissions
version_added: 0.1.0
description:
  - Creates, updates and deletes the roles of Airflow's FAB security model, and sets their permissions.
  - Airflow 2 serves roles at C(/api/v1/roles). Airflow 3 serves them only with the FAB auth manager, at
    C(/auth/fab/v1/roles); with the simple auth manager the module fails and says where users are configured instead.
  - The permissions are compared as a set, so their order never counts as a change.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description: Shows the role's permissions before and after.
options:
  name:
    description:
      - The role's name.
    type: str
    required: true
  permissions:
    description:
      - Every permission the role has, each an action on a resource, for example C(can_read) on C(DAGs).
      - The role ends with exactly these permissions. When omitted, an existing role keeps its permissions and a
        new role is created without any.
      - Action and resource names are Airflow's, as the UI lists them under Security, Permissions. An unknown
        action or resource fails the task and writes nothing.
      - C(can_read) on C(Website) (the homepage), which FAB gives every role itself, is neither compared nor shown
        unless it is declared.
      - Airflow 2's API can add permissions to a role but not take them away. There the module fails before
        writing anything when a permission would have to be removed, and names the C(airflow roles del-perms)
        command that removes it.
    type: list
    elements: dict
    suboptions:
      action:
        description: The action, for example C(can_read), C(can_edit), C(can_create), C(can_delete), C(menu_access).
        type: str
        required: true
      resource:
        description: The resource, for example C(DAGs), C(DAG Runs), C(Variables), C(Connections), C(Pools).
        type: str
        required: true
  state:
    description:
      - V(present) creates or updates the role, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Allow deleting one of Airflow's built-in roles (C(Admin), C(Op), C(User), C(Viewer), C(Public)).
        Without it, deleting them fails, so a typo cannot take away everyone's access.
    type: bool
    default: false
notes:
  - The connecting user needs the permissions to read and edit roles (Airflow's C(Admin) role has them).
seealso:
  - module: dagops.airflow.airflow_user
  - name: Airflow access control
    description: The built-in roles and their permissions.
    link: https://airflow.apache.org/docs/apache-airflow-providers-fab/stable/auth-manager/access-control.html
"""

EXAMPLES = r"""
- name: A role that can read DAGs and their runs and trigger them
  dagops.airflow.airflow_role:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    name: Analyst
    permissions:
      - {action: can_read, resource: DAGs}
      - {action: can_read, resource: DAG Runs}
      - {action: can_create, resource: DAG Runs}

- name: Delete a role
  dagops.airflow.airflow_role:
    name: Analyst
    state: absent

- name: Delete a built-in role on purpose
  dagops.airflow.airflow_role:
    name: Public
    state: absent
    force: true
"""

RETURN = r"""
role:
  description: The role as it is after the task; permissions sorted by resource, then action.
  returned: when the role exists after the task
  type: dict
  sample: {"name": "Analyst", "permissions": [{"action": "can_read", "resource": "DAG Runs"}, {"action": "can_read", "resource": "DAGs"}]}
created:
  description: 1 when the role was (or, in check mode, would be) created, else 0.
  returned: always
  type: int
  sample: 1
updated:
  description: 1 when the role's permissions were (or would be) changed, else 0.
  returned: always
  type: int
  sample: 0
deleted:
  description: 1 when the role was (or would be) deleted, else 0.
  returned: always
  type: int
  sample: 0
unchanged:
  description: 1 when the role already had the declared state, else 0.
  returned: always
  type: int
  sample: 0
changes:
  description: The role's name under what happened to it.
  returned: always
  type: dict
  sample: {"created": ["Analyst"], "updated": [], "deleted": []}
secrets_not_verified:
  description: Always empty; roles hold no secrets.
  returned: always
  type: list
  elements: str
  sample: []
secrets_policy:
  description: Always V(on_create); roles hold no secrets. Returned for the same result shape as the other modules.
  returned: always
  type: str
  sample: on_create
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.fab import (
    BUILT_IN_ROLES, FabResource, permission_list, role_item,
)
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule

# FAB gives every custom role this one itself (see from_api).
HOMEPAGE = ("can_read", "Website")


class RoleResource(FabResource):
    noun = "role"
    collection = "roles"
    id_field = "name"
    fields = ("permissions",)
    protected = BUILT_IN_ROLES
    # Both APIs name the permissions "actions" in the body and in the mask.
    mask_names = {"permissions": "actions"}

    def __init__(self, force=False):
        self.force = force

    def from_api(self, obj, desired=None):
        role = role_item(obj)
        declared = (desired or {}).get("permissions")
        if declared is not None and HOMEPAGE not in set(pair(p) for p in declared):
            # FAB gives every custom role the homepage whenever it syncs its roles (at a server start;
            # with the FAB provider of Airflow 3.1 and 3.2 at every request of its API): not declaring
            # it cannot take it away, so it is not a difference.
            role["permissions"] = [p for p in role["permissions"] if pair(p) != HOMEPAGE]
        return role

    def to_body(self, state, fields):
        # Both APIs need the name in every body, also when only the permissions change.
        return {"name": state["name"], "actions": [
            {"action": {"name": p["action"]}, "resource": {"name": p["resource"]}}
            for p in state.get("permissions") or []]}

    def validate(self, ident, desired, state, current):
        if not ident:
            return "a role name must not be empty"
        if state == "absent" and ident in self.protected and not self.force:
            return ("role %r is built into Airflow and deleting it takes its permissions away from every user "
                    "who has it: set force: true to delete it anyway" % ident)
        if state == "present" and current and not self.client.connect().role_update_removes_permissions:
            problem = self._removal_on_airflow_2(ident, desired, current)
            if problem:
                return problem
        return None

    @staticmethod
    def _removal_on_airflow_2(ident, desired, current):
        if desired.get("permissions") is None:
            return None
        keep = set(pair(p) for p in desired["permissions"])
        removed = [p for p in current.get("permissions") or [] if pair(p) not in keep]
        if not removed:
            return None
        commands = "; ".join("airflow roles del-perms %s -a %s -r %s" % (
            _shell_word(ident), _shell_word(p["action"]), _shell_word(p["resource"])) for p in removed)
        return ("role %r has permissions that are not declared, and Airflow 2's API can add permissions to a role "
                "but not remove them: remove them on the server (%s) or in the UI (Security, List Roles), or "
                "declare them" % (ident, commands))


def pair(permission):
    return (permission["action"], permission["resource"])


def _shell_word(text):
    return text if text.replace("_", "").replace("-", "").isalnum() else "'%s'" % text.replace("'", "'\\''")


def desired_role(params):
    permissions = params["permissions"]
    if permissions is not None:
        permissions = permission_list(pair(p) for p in permissions)
    return {"name": params["name"], "permissions": permissions}


def main():
    module = AirflowModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            permissions=dict(type="list", elements="dict", options=dict(
                action=dict(type="str", required=True),
                resource=dict(type="str", required=True),
            )),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            force=dict(type="bool", default=False),
        ),
    )
    p = module.params

    def apply():
        client = module.client
        client.require_user_api("roles")
        engine = module.reconciler(RoleResource(force=p["force"]))
        return engine.ensure_one(p["name"], desired_role(p), p["state"])

    module.run(apply)


if __name__ == "__main__":
    main()
