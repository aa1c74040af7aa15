#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_pool
short_description: Manage Airflow pools
version_added: 0.1.0
description:
  - Creates, updates and deletes Airflow pools through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2).
  - Manages one pool (O(name)) or many at once (O(pools)); the bulk form reads every pool with paged list calls and,
    on Airflow 3, writes them with one bulk request (on Airflow 2, one request per pool).
  - Only the options you set are compared and written; a pool's other fields are left as they are.
  - C(default_pool) is built into Airflow. It can be tuned but never deleted; O(exclusive) leaves it alone.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description: Shows the pools before and after.
options:
  name:
    description:
      - The pool's name. Required for the single form; mutually exclusive with O(pools).
      - At most 256 characters.
    type: str
  slots:
    description:
      - How many task slots the pool has, 0 or more. Required to create a pool.
      - V(-1) means unlimited. Airflow supports it from 3.2 on; on older servers the module fails before writing.
    type: int
  description:
    description:
      - The pool's description. V(null) (C(~)) clears it; left out (or set to C(omit)), it is kept.
      - Airflow 3 refuses to change the description of C(default_pool); the module then fails before writing.
    type: str
  include_deferred:
    description:
      - Whether deferred tasks count against the pool's slots. Airflow's default for a new pool is V(false).
    type: bool
  team_name:
    description:
      - The team the pool belongs to (Airflow 3.2's multi-team mode). When omitted, the current team is kept;
        V(null) (C(~)) takes the pool away from its team.
      - Needs Airflow 3.2 or later with C([core] multi_team = True) and the team created (C(airflow teams create NAME));
        on any other server, or for a team the server does not have, the task fails before anything is written.
    type: str
    version_added: 0.2.0
  state:
    description:
      - V(present) creates or updates the pool, V(absent) deletes it. C(default_pool) cannot be deleted.
    type: str
    choices: [present, absent]
    default: present
  pools:
    description:
      - The bulk form, a list of pools to manage in one task. Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: As O(name).
        type: str
        required: true
      slots:
        description: As O(slots).
        type: int
      description:
        description: As O(description).
        type: str
      include_deferred:
        description: As O(include_deferred).
        type: bool
      team_name:
        description: As O(team_name).
        type: str
        version_added: 0.2.0
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description:
      - With O(pools), delete every pool on the server that is not in the list and does not match O(exclude).
        C(default_pool) is never deleted.
    type: bool
    default: false
  exclude:
    description:
      - Glob patterns (C(fnmatch), case-sensitive) of pool names that O(exclusive) never deletes.
    type: list
    elements: str
    default: []
seealso:
  - name: Airflow pools
    description: How pools limit the parallelism of tasks.
    link: https://airflow.apache.org/docs/apache-airflow/stable/administration-and-deployment/pools.html
"""

EXAMPLES = r"""
- name: A pool for the warehouse loads
  dagops.airflow.airflow_pool:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    name: warehouse
    slots: 4
    description: Parallel loads into the warehouse
    include_deferred: true

- name: Remove a pool's description
  dagops.airflow.airflow_pool:
    name: warehouse
    description: null

- name: Give the default pool more slots
  dagops.airflow.airflow_pool:
    name: default_pool
    slots: 256

- name: Declare all pools; delete the others (default_pool always stays)
  dagops.airflow.airflow_pool:
    pools:
      - name: warehouse
        slots: 4
      - name: api_calls
        slots: 2
        description: The partner API allows two parallel calls
    exclusive: true
    exclude:
      - "team_a_*"

- name: Delete a pool
  dagops.airflow.airflow_pool:
    name: api_calls
    state: absent
"""

RETURN = r"""
pool:
  description:
    - The pool as it is after the task (single form).
    - C(team_name) is there only when the pool belongs to a team.
  returned: single form, when the pool exists after the task
  type: dict
  sample: {"name": "warehouse", "slots": 4, "description": "Parallel loads into the warehouse", "include_deferred": true}
created:
  description: How many pools were (or, in check mode, would be) created.
  returned: always
  type: int
  sample: 1
updated:
  description: How many pools were (or would be) updated.
  returned: always
  type: int
  sample: 0
deleted:
  description: How many pools were (or would be) deleted.
  returned: always
  type: int
  sample: 0
unchanged:
  description: How many declared pools already had the declared state.
  returned: always
  type: int
  sample: 2
changes:
  description: The pool names behind the counts.
  returned: always
  type: dict
  sample: {"created": ["warehouse"], "updated": [], "deleted": ["old_pool"]}
secrets_not_verified:
  description: Always empty; pools hold no secrets. Returned for the same result shape as the other modules.
  returned: always
  type: list
  elements: str
  sample: []
secrets_policy:
  description: Always V(on_create); pools hold no secrets. Returned for the same result shape as the other modules.
  returned: always
  type: str
  sample: on_create
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.clearing import differs, mark_cleared, typed_items, typed_options
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, BulkForm
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Resource
from ansible_collections.dagops.airflow.plugins.module_utils.teams import TEAM_FIELD, TeamOwned, team_body, with_team

DEFAULT_POOL = "default_pool"
UNLIMITED = -1
NAME_MAX_LENGTH = 256  # the pool table's column; Airflow 3 validates it too
# The options a task clears by giving them as null.
CLEARABLE = ("description", TEAM_FIELD)
POOL_FIELDS = ("slots", "description", "include_deferred")


class PoolResource(TeamOwned, Resource):
    noun = "pool"
    collection = "pools"
    id_field = "name"
    fields = POOL_FIELDS + (TEAM_FIELD,)
    protected = (DEFAULT_POOL,)

    def from_api(self, obj, desired=None):
        state = dict([("name", obj.get("name"))] + [(f, obj.get(f)) for f in POOL_FIELDS])
        return with_team(state, obj)

    def to_body(self, state, fields):
        # Airflow 3 validates name, slots and include_deferred in every body, also for an update
        # of the description; the update mask limits what is written.
        body = {"name": state["name"], "slots": state.get("slots")}
        if state.get("include_deferred") is not None:
            body["include_deferred"] = state["include_deferred"]
        if "description" in fields:
            body["description"] = state.get("description")
        return team_body(body, state, fields)

    def validate(self, ident, desired, state, current):
        if state == "present":
            if current is None and desired.get("slots") is None:
                return "pool %r does not exist yet: set slots to create it" % ident
            changing = [f for f in self.fields if desired.get(f) is not None
                        and (current is None or differs(desired[f], current.get(f)))]
            if "slots" in changing and desired["slots"] == UNLIMITED:
                problem = self._unlimited_problem(ident)
                if problem:
                    return problem
            if ident == DEFAULT_POOL and current is not None:
                allowed = self.client.connect().default_pool_fields
                refused = sorted(set(changing) - allowed)
                if refused:
                    return "this Airflow lets default_pool change only %s, not %s" % (
                        " and ".join(sorted(allowed)), ", ".join(refused))
            problem = self.team_problem(ident, desired, current)
            if problem:
                return problem
        return super().validate(ident, desired, state, current)

    def _unlimited_problem(self, ident):
        version = self.client.server_version()
        if self.client.connect().unlimited_pool_slots(version):
            return None
        return ("pool %r: slots=-1 (unlimited) needs Airflow 3.2 or later; this server runs Airflow %s"
                % (ident, version))


def input_problem(item):
    """What is wrong with one declared pool before the server is asked, or None."""
    name = item["name"]
    if not name:
        return "a pool name must not be empty"
    if len(name) > NAME_MAX_LENGTH:
        return "pool name %r is %d characters long; Airflow accepts at most %d" % (
            name[:40] + "...", len(name), NAME_MAX_LENGTH)
    slots = item.get("slots")
    if slots is not None and slots < UNLIMITED:
        return "slots of pool %r must be 0 or more, or -1 for unlimited; got %d" % (name, slots)
    return None


def desired_pool(item):
    return {"name": item["name"], "slots": item.get("slots"), "description": item.get("description"),
            "include_deferred": item.get("include_deferred"), TEAM_FIELD: item.get(TEAM_FIELD)}


def item_options():
    return dict(
        name=dict(type="str", required=True),
        slots=dict(type="int"),
        description=dict(type="str"),
        include_deferred=dict(type="bool"),
        team_name=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )


def main():
    form = BulkForm("name", "pools", item_options)
    module = AirflowModule(argument_spec=form.argument_spec(), **form.module_kwargs())
    items = []
    typed = typed_items(form, module.params, typed_options())
    for item, typed_item in zip(form.declared(module), typed):
        problem = input_problem(item)
        if problem:
            module.fail_json(msg=problem)
        items.append((item["name"], mark_cleared(desired_pool(item), typed_item, CLEARABLE), item["state"]))

    engine = module.reconciler(PoolResource())
    module.run(lambda: form.ensure(module, engine, items))


if __name__ == "__main__":
    main()
