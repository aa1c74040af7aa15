#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_user
short_description: Manage Airflow users
version_added: 0.1.0
description:
  - Creates, updates and deletes the users of Airflow's FAB security model, with their roles and password.
  - Airflow 2 serves users at C(/api/v1/users). Airflow 3 serves them only with the FAB auth manager, at
    C(/auth/fab/v1/users); with the simple auth manager the module fails and says where users are configured
    instead (C([core] simple_auth_manager_users) and the file named by C([core] simple_auth_manager_passwords_file)).
  - Only the options you set are compared and written; a user's other fields are left as they are.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description: Shows the user before and after; the password is shown only as C(<hidden>) or C(<hidden, changed>).
options:
  username:
    description:
      - The user's login name.
    type: str
    required: true
  email:
    description:
      - The user's email address. Airflow allows one user per address; an address another user has fails the task.
      - Required to create a user.
    type: str
  first_name:
    description:
      - The user's first name. Required to create a user.
    type: str
  last_name:
    description:
      - The user's last name. Required to create a user.
    type: str
  roles:
    description:
      - The names of every role the user has, compared as a set (order and repetitions do not count).
      - Required to create a user. When omitted, an existing user keeps its roles.
      - A role that does not exist fails the task before anything is written.
    type: list
    elements: str
  password:
    description:
      - The user's password. Required to create a user.
      - The server never shows a password; O(update_password) decides when it is sent, and V(compare) checks it
        against the stored one through the REST plugin.
    type: str
  update_password:
    description:
      - V(on_create) sends the password only when the user is created; for an existing user it is not sent and is
        reported in RV(secrets_not_verified).
      - V(always) sends it on every run and reports C(changed).
      - V(compare) asks the collection's REST plugin (installed by the C(dagops.airflow.rest_api_plugin) role)
        whether the declared password matches the user's stored password hash; a different password is written and
        reports C(changed), a matching one is unchanged and not listed in RV(secrets_not_verified). Without the
        plugin the task fails before anything is written.
      - V(auto) is V(compare) where the REST plugin answers with its C(fingerprint) capability, else V(on_create).
        The plugin is asked only when a password is declared for an existing user.
    type: str
    choices: [on_create, always, compare, auto]
    default: auto
  state:
    description:
      - V(present) creates or updates the user, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The password never appears in the task's output, its diff or its logs at any verbosity.
  - The connecting user needs the permissions to read and edit users and to read roles (Airflow's C(Admin) role has them).
seealso:
  - module: dagops.airflow.airflow_role
  - name: Simple auth manager
    description: How Airflow 3 configures users without the FAB auth manager.
    link: https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/auth-manager/simple/index.html
"""

EXAMPLES = r"""
- name: A user who can read DAGs
  dagops.airflow.airflow_user:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    username: alice
    email: alice@example.com
    first_name: Alice
    last_name: Smith
    roles: [Viewer]
    password: "{{ vault_alice_password }}"

- name: Reset a password (reports changed on every run)
  dagops.airflow.airflow_user:
    username: alice
    password: "{{ vault_alice_new_password }}"
    update_password: always

- name: Give a user more roles; the others it has are replaced
  dagops.airflow.airflow_user:
    username: alice
    roles: [Viewer, Op]

- name: Delete a user
  dagops.airflow.airflow_user:
    username: alice
    state: absent
"""

RETURN = r"""
user:
  description: The user as it is after the task; roles sorted; the password, when set, as C(<hidden>).
  returned: when the user exists after the task
  type: dict
  sample: {"username": "alice", "email": "alice@example.com", "first_name": "Alice", "last_name": "Smith",
           "roles": ["Viewer"], "password": "<hidden>"}
created:
  description: 1 when the user was (or, in check mode, would be) created, else 0.
  returned: always
  type: int
  sample: 1
updated:
  description: 1 when the user was (or would be) changed, else 0.
  returned: always
  type: int
  sample: 0
deleted:
  description: 1 when the user was (or would be) deleted, else 0.
  returned: always
  type: int
  sample: 0
unchanged:
  description: 1 when the user already had the declared state, else 0.
  returned: always
  type: int
  sample: 0
changes:
  description: The username under what happened to the user.
  returned: always
  type: dict
  sample: {"created": [], "updated": ["alice"], "deleted": []}
secrets_not_verified:
  description:
    - C(username.password) when a password was declared for an existing user and not sent, see O(update_password).
  returned: always
  type: list
  elements: str
  sample: ["alice.password"]
secrets_policy:
  description:
    - The secrets policy that applied, V(on_create), V(always) or V(compare). O(update_password=auto) shows the one it
      resolved to, and V(on_create) when no masked secret made it ask the REST plugin.
  returned: always
  type: str
  sample: compare
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.api import MASKED
from ansible_collections.dagops.airflow.plugins.module_utils.fingerprints import user_password_probe
from ansible_collections.dagops.airflow.plugins.module_utils.masking import HIDDEN
from ansible_collections.dagops.airflow.plugins.module_utils.fab import (
    USER_NAME_FIELDS, FabResource, role_names, user_item,
)
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, secrets_policy_option

# What a create needs: Airflow 3 refuses a user without these, and neither version gives a user
# a role of its own accord unless AUTH_USER_REGISTRATION_ROLE is configured.
NEEDED_TO_CREATE = ("email", "first_name", "last_name", "password", "roles")
# Airflow 2's PATCH validates the whole user, so these go into every body; the mask picks what changes.
NAME_FIELDS = USER_NAME_FIELDS


class UserResource(FabResource):
    noun = "user"
    collection = "users"
    id_field = "username"
    fields = ("email", "first_name", "last_name", "roles", "password")

    def from_api(self, obj, desired=None):
        user = user_item(obj)
        if desired and desired.get("password") is not None:
            # The server never returns a password: it is there, but its value is unknown.
            user["password"] = MASKED
        return user

    def to_body(self, state, fields):
        body = {"username": state["username"]}
        body.update((f, state.get(f)) for f in NAME_FIELDS)
        if "roles" in fields:
            body["roles"] = [{"name": name} for name in state.get("roles") or []]
        if "password" in fields:
            body["password"] = state.get("password")
        return body

    def secret_fields(self, ident, desired, current):
        return {"password"}

    def secret_probes(self, ident, field, want, have):
        # No hash to fingerprint: the plugin checks the declared password against the stored one.
        return [user_password_probe(ident, want)] if field == "password" else []

    def redact(self, state):
        shown = dict(state)
        if shown.get("password") is not None:
            shown["password"] = HIDDEN
        return shown

    def validate(self, ident, desired, state, current):
        if not ident:
            return "a username must not be empty"
        if state == "absent":
            return None
        if current is None:
            missing = [f for f in NEEDED_TO_CREATE if not desired.get(f)]
            if missing:
                return "user %r does not exist yet: set %s to create it" % (ident, ", ".join(missing))
        if desired.get("roles") is not None:
            added = sorted(set(desired["roles"]) - set((current or {}).get("roles") or []))
            unknown = self.missing_roles(added) if added else []
            if unknown:
                return ("role%s %s do%s not exist on the server: create %s first (dagops.airflow.airflow_role) "
                        "or fix the name" % ("s" if len(unknown) > 1 else "", ", ".join(repr(r) for r in unknown),
                                             "" if len(unknown) > 1 else "es", "them" if len(unknown) > 1 else "it"))
        return None

    def missing_roles(self, names):
        """The names that are not roles on the server, one GET each (only roles a user gains are asked)."""
        api = self.client.connect()
        return [name for name in names if self.client.get_or_none(api.fab_path("roles", name)) is None]


def desired_user(params):
    user = dict((f, params[f]) for f in ("username",) + NAME_FIELDS + ("password",))
    user["roles"] = None if params["roles"] is None else role_names(params["roles"])
    return user


def main():
    module = AirflowModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            email=dict(type="str"),
            first_name=dict(type="str"),
            last_name=dict(type="str"),
            roles=dict(type="list", elements="str"),
            password=dict(type="str", no_log=True),
            update_password=secrets_policy_option(),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
    )
    p = module.params
    module.hide(p["password"])

    def apply():
        client = module.client
        client.require_user_api("users")
        engine = module.reconciler(UserResource(), secrets_policy=p["update_password"])
        return engine.ensure_one(p["username"], desired_user(p), p["state"])

    module.run(apply)


if __name__ == "__main__":
    main()
