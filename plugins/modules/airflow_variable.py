#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_variable
short_description: Manage Airflow variables
version_added: 0.1.0
description:
  - Creates, updates and deletes Airflow variables through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2).
  - Manages one variable (O(key)) or many at once (O(variables)); the bulk form reads every variable with paged
    list calls and, on Airflow 3, writes them with one bulk request.
  - Only the options you set are compared and written; a variable's other fields are left as they are.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description: Shows the variables before and after; secret values are shown as C(<hidden>).
options:
  key:
    description:
      - The variable's key. Required for the single form; mutually exclusive with O(variables).
    type: str
  value:
    description:
      - The value. A string is stored as it is.
      - A dict or a list is stored as JSON and compared as JSON, so key order and white space never count as a change.
      - A number or boolean is stored as its JSON text (V(true), V(5)).
      - Required to create a variable; when omitted, an existing variable keeps its value.
    type: raw
  description:
    description:
      - The variable's description. When omitted (or set to C(omit)), the current description is kept;
        V(null) (C(~)) clears it (Airflow then stores an empty description).
    type: str
  team_name:
    description:
      - The team the variable belongs to (Airflow 3.2's multi-team mode). When omitted, the current team is kept;
        V(null) (C(~)) takes the variable away from its team.
      - Needs Airflow 3.2 or later with C([core] multi_team = True) and the team created (C(airflow teams create NAME));
        on any other server, or for a team the server does not have, the task fails before anything is written.
    type: str
    version_added: 0.2.0
  state:
    description:
      - V(present) creates or updates the variable, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  variables:
    description:
      - The bulk form, a list of variables to manage in one task. Mutually exclusive with O(key).
    type: list
    elements: dict
    suboptions:
      key:
        description: The variable's key.
        type: str
        required: true
      value:
        description: As O(value).
        type: raw
      description:
        description: As O(description).
        type: str
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
      - With O(variables), delete every variable on the server that is not in the list and does not match O(exclude).
    type: bool
    default: false
  exclude:
    description:
      - Glob patterns (C(fnmatch), case-sensitive) of keys that O(exclusive) never deletes.
    type: list
    elements: str
    default: []
  update_secrets:
    description:
      - What to do with a value the server will not show. Airflow 3 answers C(***) for the value of a variable whose
        key contains a sensitive word (C(password), C(secret), C(token), C(api_key), ...), so it cannot be compared.
      - V(on_create) sends such a value only when the variable is created, and reports it in RV(secrets_not_verified).
      - V(always) sends it on every run and reports C(changed).
      - V(compare) asks the collection's REST plugin (installed by the C(dagops.airflow.rest_api_plugin) role)
        whether the stored value differs from the declared one, with one request for all the variables of the task;
        the plugin answers an HMAC-SHA256 of the stored value under a random salt, which the module compares with
        the same HMAC of the declared value, so no secret leaves the server. A different value is written and
        reports C(changed); an equal one is unchanged and not listed in RV(secrets_not_verified). A string is
        compared as text, a dict or a list as JSON. Without the plugin the task fails before anything is written.
      - V(auto) is V(compare) where the REST plugin answers with its C(fingerprint) capability, else V(on_create).
        The plugin is asked only when the server masks a declared value.
      - On Airflow 2 the API shows every value, so values are always compared; the values of sensitive keys are
        still hidden in all output.
    type: str
    choices: [on_create, always, compare, auto]
    default: auto
notes:
  - The value of a variable whose key contains a sensitive word never appears in the task's output, its diff or
    its logs at any verbosity. This covers Airflow's default sensitive words; the server also masks the words in
    its C([core] sensitive_var_conn_names), which the module then hides as well.
  - Keys that contain C(/) cannot be managed on Airflow 2, whose API does not accept them in a path.
seealso:
  - name: Airflow variables
    description: What variables are and how DAGs read them.
    link: https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/variables.html
"""

EXAMPLES = r"""
- name: Set a variable
  dagops.airflow.airflow_variable:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    key: environment
    value: production
    description: Which environment the DAGs run in

- name: Remove a variable's description, keeping its value
  dagops.airflow.airflow_variable:
    key: environment
    description: null

- name: Store a dict as JSON (compared as JSON, key order does not matter)
  dagops.airflow.airflow_variable:
    key: etl_settings
    value:
      batch_size: 500
      targets: [warehouse, lake]

- name: Set a secret once; later runs do not resend it
  dagops.airflow.airflow_variable:
    key: db_password
    value: "{{ vault_db_password }}"
    update_secrets: on_create

- name: Declare all variables of an environment; delete the rest except those managed elsewhere
  dagops.airflow.airflow_variable:
    variables:
      - key: environment
        value: production
      - key: etl_settings
        value: {batch_size: 500}
      - key: old_setting
        state: absent
    exclusive: true
    exclude:
      - "team_a_*"

- name: Give a variable to a team (Airflow 3.2+ with [core] multi_team = True)
  dagops.airflow.airflow_variable:
    key: team_a_bucket
    value: s3://team-a-data
    team_name: team_a
  when: airflow_multi_team | default(false)

- name: Delete a variable
  dagops.airflow.airflow_variable:
    key: environment
    state: absent

- name: Set the connection once for the whole play
  hosts: localhost
  module_defaults:
    group/dagops.airflow.airflow:
      airflow_url: http://127.0.0.1:8080
      airflow_username: admin
      airflow_password: "{{ vault_airflow_password }}"
  tasks:
    - name: Set a variable
      dagops.airflow.airflow_variable:
        key: environment
        value: staging
"""

RETURN = r"""
variable:
  description:
    - The variable as it is after the task (single form); secret values are shown as C(<hidden>).
    - C(team_name) is there only when the variable belongs to a team.
  returned: single form, when the variable exists after the task
  type: dict
  sample: {"key": "environment", "value": "production", "description": "Which environment the DAGs run in"}
created:
  description: How many variables were (or, in check mode, would be) created.
  returned: always
  type: int
  sample: 3
updated:
  description: How many variables were (or would be) updated.
  returned: always
  type: int
  sample: 1
deleted:
  description: How many variables were (or would be) deleted.
  returned: always
  type: int
  sample: 0
unchanged:
  description: How many declared variables already had the declared state.
  returned: always
  type: int
  sample: 996
changes:
  description: The keys behind the counts.
  returned: always
  type: dict
  sample: {"created": ["a"], "updated": ["b"], "deleted": []}
secrets_not_verified:
  description:
    - Secret fields (C(key.value)) that the server masks and that were therefore not compared, see O(update_secrets).
  returned: always
  type: list
  elements: str
  sample: ["db_password.value"]
secrets_policy:
  description:
    - The secrets policy that applied, V(on_create), V(always) or V(compare). O(update_secrets=auto) shows the one it
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

import json

from ansible_collections.dagops.airflow.plugins.module_utils.clearing import mark_cleared, typed_items, typed_options
from ansible_collections.dagops.airflow.plugins.module_utils.fingerprints import variable_probe
from ansible_collections.dagops.airflow.plugins.module_utils.masking import (
    HIDDEN, contains_masked, is_sensitive_name, redact, secret_strings,
)
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, BulkForm, secrets_policy_option
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Resource
from ansible_collections.dagops.airflow.plugins.module_utils.teams import TEAM_FIELD, TeamOwned, team_body, with_team


# The options a task clears by giving them as null (a null value is the same as leaving it out).
CLEARABLE = ("description", TEAM_FIELD)


class VariableResource(TeamOwned, Resource):
    noun = "variable"
    collection = "variables"
    id_field = "key"
    fields = ("value", "description", TEAM_FIELD)

    def from_api(self, obj, desired=None):
        value = obj.get("value")
        # Compare JSON as JSON only where JSON was declared; a string stays a string.
        if desired and isinstance(desired.get("value"), (dict, list)) and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        return with_team({"key": obj.get("key"), "value": value, "description": obj.get("description")}, obj)

    def to_body(self, state, fields):
        value = state.get("value")
        body = {"key": state["key"], "value": value if isinstance(value, str) else json.dumps(value)}
        if "description" in fields:
            body["description"] = state.get("description")
        return team_body(body, state, fields)

    def cleared_value(self, field):
        # Airflow 2's API refuses a null description (HTTP 400); an empty one both versions accept.
        # A team is a reference: only null takes the variable away from it.
        return "" if field == "description" else None

    def secret_fields(self, ident, desired, current):
        if is_sensitive_name(ident) or (current and contains_masked(current.get("value"))):
            return {"value"}
        return set()

    def secret_probes(self, ident, field, want, have):
        # The whole value: its text for a declared string, its JSON for a declared dict or list.
        return [variable_probe(ident, want)] if field == "value" else []

    def secret_strings(self, ident, desired, current, secret):
        found = super().secret_strings(ident, desired, current, secret)
        for state in (desired or {}, current or {}):
            found.extend(secret_strings(as_json_if_structured(state.get("value")), ident))
        return found

    def redact(self, state):
        """Like Airflow's own masker: a value that is a JSON object or list is redacted inside."""
        redacted = dict(state)
        value = state.get("value")
        parsed = as_json_if_structured(value)
        if parsed is not value:
            hidden = redact(parsed, state.get("key"))
            redacted["value"] = value if hidden == parsed else (hidden if hidden == HIDDEN else json.dumps(hidden))
        else:
            redacted["value"] = redact(value, state.get("key"))
        return redacted

    def validate(self, ident, desired, state, current):
        if not ident:
            return "a variable key must not be empty"
        if state == "present" and current is None and desired.get("value") is None:
            return "variable %r does not exist yet: set its value to create it" % ident
        if state == "present":
            problem = self.team_problem(ident, desired, current)
            if problem:
                return problem
        return super().validate(ident, desired, state, current)


def as_json_if_structured(value):
    """A string holding a JSON object or list, parsed; anything else as it is."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, (dict, list)):
            return parsed
    return value


def desired_value(value):
    """Strings as they are, dicts and lists as objects (compared as JSON), other scalars as JSON text."""
    if value is None or isinstance(value, (str, dict, list)):
        return value
    return json.dumps(value)


def desired_variable(item):
    return {"key": item["key"], "value": desired_value(item.get("value")), "description": item.get("description"),
            TEAM_FIELD: item.get(TEAM_FIELD)}


def item_options():
    return dict(
        key=dict(type="str", required=True, no_log=False),
        value=dict(type="raw", no_log=False),
        description=dict(type="str"),
        team_name=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )


def main():
    form = BulkForm("key", "variables", item_options)
    module = AirflowModule(
        argument_spec=form.argument_spec(
            update_secrets=secrets_policy_option(),
        ),
        **form.module_kwargs()
    )
    items = []
    typed = typed_items(form, module.params, typed_options())
    for item, typed_item in zip(form.declared(module), typed):
        # Hide secrets before anything can fail, so no error path can echo them.
        for value in secret_strings(as_json_if_structured(item.get("value")), item["key"]):
            module.hide(value)
        items.append((item["key"], mark_cleared(desired_variable(item), typed_item, CLEARABLE), item["state"]))

    engine = module.reconciler(VariableResource(), secrets_policy=module.params["update_secrets"])
    module.run(lambda: form.ensure(module, engine, items))


if __name__ == "__main__":
    main()
