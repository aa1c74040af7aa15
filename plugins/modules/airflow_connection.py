#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_connection
short_description: Manage Airflow connections
version_added: 0.1.0
description:
  - Creates, updates and deletes Airflow connections through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2).
  - Manages one connection (O(conn_id)) or many at once (O(connections)); the bulk form reads every connection with
    paged list calls and, on Airflow 3, writes them with one bulk request (on Airflow 2, one request per connection).
  - Only the options you set are compared and written; a connection's other fields are left as they are.
  - To clear O(description), O(host), O(login), O(schema) or O(port), give it as V(null) (C(~)); an option left out,
    or set to C(omit), leaves the field as it is. O(extra) is emptied with an empty string.
  - The password and the keys of O(extra) that Airflow treats as secret never appear in the task's output, its diff
    or its logs, at any verbosity.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description:
      - Shows the connections before and after. The password and secret keys of O(extra) are shown as C(<hidden>),
        or C(<hidden, changed>) where a new secret is sent.
options:
  conn_id:
    description:
      - The connection's id. Required for the single form; mutually exclusive with O(connections).
      - To create or update a connection, it must consist of letters, digits, C(_), C(.) and C(-) and be at most
        200 characters long (what Airflow accepts); any id can be deleted.
    type: str
    aliases: [connection_id]
  conn_type:
    description:
      - The connection type, for example V(http), V(postgres), V(aws). Required to create a connection.
    type: str
  description:
    description:
      - The connection's description. V(null) clears it.
    type: str
  host:
    description:
      - The host. V(null) clears it.
    type: str
  login:
    description:
      - The login (user name). V(null) clears it.
    type: str
  password:
    description:
      - The password. Airflow never shows it back, see O(update_password).
      - V(null) is the same as leaving it out; it does not remove a stored password.
    type: str
  schema:
    description:
      - The schema (for databases, often the database name). V(null) clears it.
    type: str
  port:
    description:
      - The port, 1 to 65535. V(null) clears it.
    type: int
  extra:
    description:
      - The extra settings, a dict or a string holding a JSON object. Compared as JSON, so key order and white
        space never count as a change. An empty string stands for an empty object.
      - Keys whose name contains a sensitive word (C(password), C(secret), C(token), C(api_key), C(private_key),
        C(passphrase), ...) are shown by Airflow as C(***); their values are covered by O(update_password).
    type: raw
  team_name:
    description:
      - The team the connection belongs to (Airflow 3.2's multi-team mode). When omitted, the current team is kept;
        V(null) (C(~)) takes the connection away from its team.
      - Needs Airflow 3.2 or later with C([core] multi_team = True) and the team created (C(airflow teams create NAME));
        on any other server, or for a team the server does not have, the task fails before anything is written.
    type: str
    version_added: 0.2.0
  state:
    description:
      - V(present) creates or updates the connection, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - What to do with secrets the server will not show, the O(password) and the secret keys of O(extra).
      - V(on_create) sends them when the connection is created, and when the server shows that the connection has
        none; afterwards they are left as they are on the server and listed in RV(secrets_not_verified). Changing
        another field never overwrites a stored secret.
      - V(always) sends them on every run and reports C(changed).
      - V(compare) asks the collection's REST plugin (installed by the C(dagops.airflow.rest_api_plugin) role)
        whether the stored password and each masked key of O(extra) differ from the declared ones, with one request
        for all the connections of the task; the plugin answers an HMAC-SHA256 of the stored secret under a random
        salt, which the module compares with the same HMAC of the declared value, so no secret leaves the server.
        What differs is written and reports C(changed); what is equal is unchanged and not listed in
        RV(secrets_not_verified). Without the plugin the task fails before anything is written.
      - V(auto) is V(compare) where the REST plugin answers with its C(fingerprint) capability, else V(on_create).
        The plugin is asked only when the server masks a declared secret.
      - On Airflow 2 with V(on_create), a change to the non-secret keys of O(extra) of a connection whose extra holds
        secret keys fails with a clear error, because Airflow 2 cannot keep part of O(extra); use V(compare) or
        V(always) for it.
    type: str
    choices: [on_create, always, compare, auto]
    default: auto
  connections:
    description:
      - The bulk form, a list of connections to manage in one task. Mutually exclusive with O(conn_id).
    type: list
    elements: dict
    suboptions:
      conn_id:
        description: As O(conn_id).
        type: str
        required: true
        aliases: [connection_id]
      conn_type:
        description: As O(conn_type).
        type: str
      description:
        description: As O(description).
        type: str
      host:
        description: As O(host).
        type: str
      login:
        description: As O(login).
        type: str
      password:
        description: As O(password).
        type: str
      schema:
        description: As O(schema).
        type: str
      port:
        description: As O(port).
        type: int
      extra:
        description: As O(extra).
        type: raw
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
      - With O(connections), delete every connection on the server that is not in the list and does not match O(exclude).
    type: bool
    default: false
  exclude:
    description:
      - Glob patterns (C(fnmatch), case-sensitive) of connection ids that O(exclusive) never deletes.
    type: list
    elements: str
    default: []
notes:
  - Airflow 2 never shows a connection's password, and Airflow 3 shows it as C(***); neither can be compared.
  - Secret keys are Airflow's default sensitive words. The server also masks the words in its
    C([core] sensitive_var_conn_names); the values declared for such keys are hidden in the output as well.
seealso:
  - name: Airflow connections
    description: What connections are and how hooks use them.
    link: https://airflow.apache.org/docs/apache-airflow/stable/howto/connection.html
  - module: dagops.airflow.airflow_variable
"""

EXAMPLES = r"""
- name: A database connection, its password sent only when it is created
  dagops.airflow.airflow_connection:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    conn_id: warehouse
    conn_type: postgres
    host: db.example.com
    port: 5432
    schema: analytics
    login: etl
    password: "{{ vault_warehouse_password }}"
    description: The analytics warehouse

- name: An HTTP API with a token in extra (hidden, sent on create)
  dagops.airflow.airflow_connection:
    conn_id: partner_api
    conn_type: http
    host: https://api.partner.example.com
    extra:
      api_token: "{{ vault_partner_token }}"
      timeout: 30

- name: Remove the port and the description; the other fields stay as they are
  dagops.airflow.airflow_connection:
    conn_id: warehouse
    port: null
    description: null

- name: Rotate the password
  dagops.airflow.airflow_connection:
    conn_id: warehouse
    password: "{{ vault_new_warehouse_password }}"
    update_password: always

- name: Declare all connections of an environment; delete the rest except those managed elsewhere
  dagops.airflow.airflow_connection:
    connections:
      - conn_id: warehouse
        conn_type: postgres
        host: db.example.com
        password: "{{ vault_warehouse_password }}"
      - conn_id: slack
        conn_type: http
        host: https://hooks.slack.com
        extra: '{"webhook_token": "{{ vault_slack_token }}"}'
      - conn_id: old_ftp
        state: absent
    exclusive: true
    exclude:
      - "team_a_*"

- name: Delete a connection
  dagops.airflow.airflow_connection:
    conn_id: partner_api
    state: absent
"""

RETURN = r"""
connection:
  description:
    - The connection as it is after the task (single form). The password and secret keys of extra are shown as C(<hidden>).
    - On Airflow 2 the password is shown only when it was declared, because the server never tells whether there is one.
    - C(team_name) is there only when the connection belongs to a team.
  returned: single form, when the connection exists after the task
  type: dict
  sample: {"connection_id": "warehouse", "conn_type": "postgres", "host": "db.example.com", "port": 5432,
           "login": "etl", "password": "<hidden>", "schema": "analytics", "description": null,
           "extra": {"sslmode": "require"}}
created:
  description: How many connections were (or, in check mode, would be) created.
  returned: always
  type: int
  sample: 1
updated:
  description: How many connections were (or would be) updated.
  returned: always
  type: int
  sample: 0
deleted:
  description: How many connections were (or would be) deleted.
  returned: always
  type: int
  sample: 0
unchanged:
  description: How many declared connections already had the declared state.
  returned: always
  type: int
  sample: 4
changes:
  description: The connection ids behind the counts.
  returned: always
  type: dict
  sample: {"created": ["warehouse"], "updated": [], "deleted": []}
secrets_not_verified:
  description:
    - Secret fields (C(conn_id.password), C(conn_id.extra)) that the server does not show and that were therefore
      not compared, see O(update_password).
  returned: always
  type: list
  elements: str
  sample: ["warehouse.password"]
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

import json
import re

from ansible_collections.dagops.airflow.plugins.module_utils.api import MASKED
from ansible_collections.dagops.airflow.plugins.module_utils.clearing import mark_cleared, typed_items, typed_options
from ansible_collections.dagops.airflow.plugins.module_utils.fingerprints import (
    connection_extra_probe, connection_password_probe,
)
from ansible_collections.dagops.airflow.plugins.module_utils.masking import (
    HIDDEN, contains_masked, has_secret_keys, keep_masked, masked_counterparts, masked_keys, redact, secret_strings,
)
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, BulkForm, secrets_policy_option
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError, Resource
from ansible_collections.dagops.airflow.plugins.module_utils.teams import TEAM_FIELD, TeamOwned, with_team

# What both APIs accept as a connection id on create (v1 helpers.validate_key, v2 ConnectionBody).
CONN_ID_PATTERN = re.compile(r"[\w.-]+")
CONN_ID_MAX_LENGTH = 200
PLAIN_FIELDS = ("conn_type", "description", "host", "login", "schema", "port")
# The options a task clears by giving them as null. Not conn_type (required by Airflow), nor the
# password (null leaves a secret alone) or extra (an empty string empties it).
CLEARABLE = ("description", "host", "login", "schema", "port", TEAM_FIELD)


class ConnectionResource(TeamOwned, Resource):
    noun = "connection"
    collection = "connections"
    id_field = "connection_id"
    fields = PLAIN_FIELDS + ("password", "extra", TEAM_FIELD)

    def from_api(self, obj, desired=None):
        state = {"connection_id": obj.get("connection_id")}
        state.update((f, obj.get(f)) for f in PLAIN_FIELDS)
        if "password" in obj:
            state["password"] = obj["password"]
        elif desired and desired.get("password") is not None:
            # Airflow 2 never returns the password: the stored one is unknown, like a masked one.
            state["password"] = MASKED
        if "extra" in obj:  # Airflow 2's list leaves it out
            state["extra"] = extra_from_server(obj["extra"])
        return with_team(state, obj)

    def to_body(self, state, fields):
        # Airflow 3 requires conn_type in every body; the update mask limits what is written.
        body = {"connection_id": state["connection_id"], "conn_type": state.get("conn_type")}
        for field in fields:
            value = state.get(field)
            body[field] = json.dumps(value, sort_keys=True) if field == "extra" and isinstance(value, dict) else value
        return body

    def secret_fields(self, ident, desired, current):
        secret = {"password"}
        for state in (desired or {}, current or {}):
            if has_secret_keys(state.get("extra")):
                secret.add("extra")
        return secret

    def secret_strings(self, ident, desired, current, secret):
        found = []
        for state in (desired or {}, current or {}):
            found.extend(connection_secret_strings(state))
        found.extend(masked_counterparts((desired or {}).get("extra"), (current or {}).get("extra")))
        return found

    def secret_probes(self, ident, field, want, have):
        if field == "password":
            return [connection_password_probe(ident, want)]
        if field == "extra" and isinstance(want, dict) and isinstance(have, dict):
            # The plugin fingerprints one top-level key of extra at a time: ask for every key
            # whose stored value shows ***, anywhere inside it.
            return [connection_extra_probe(ident, key, want[key]) for key in sorted(set(want) & set(have))
                    if contains_masked(have[key])]
        return []

    def redact(self, state):
        shown = dict(state)
        if shown.get("password") is not None:
            shown["password"] = HIDDEN
        extra = shown.get("extra")
        if isinstance(extra, (dict, list)):
            shown["extra"] = redact(extra)
        elif extra is not None:
            shown["extra"] = HIDDEN  # not JSON: nothing tells which part of it is secret
        return shown

    def update_value(self, ident, field, want, have, resend_secrets):
        """Extra keeps the secrets the server masks unless they are to be resent."""
        if field != "extra" or resend_secrets or not contains_masked(have):
            return want
        kept = keep_masked(want, have)
        if not contains_masked(kept) or self.client.connect().keeps_masked(self.collection):
            return kept
        raise ReconcileError(
            "connection %r: extra must change, but this Airflow stores extra as it is sent and shows its secret "
            "keys (%s) only as ***, so they cannot keep their stored values; set update_password=always (or compare, with the collection's "
            "REST plugin) to send the declared secrets as well, or leave extra as it is" % (ident, ", ".join(masked_keys(kept))))

    def validate(self, ident, desired, state, current):
        if state == "present" and current is None and desired.get("conn_type") is None:
            return "connection %r does not exist yet: set conn_type to create it" % ident
        if state == "present":
            problem = self.team_problem(ident, desired, current)
            if problem:
                return problem
        return super().validate(ident, desired, state, current)


def extra_from_server(extra):
    """The server's extra (a JSON string) as a dict; a string that is not a JSON object stays a string."""
    if extra in (None, ""):
        return None
    try:
        parsed = json.loads(extra)
    except ValueError:
        return extra
    return parsed if isinstance(parsed, dict) else extra


def connection_secret_strings(state):
    """The password and the values of secret keys in extra (the whole extra when it is not JSON)."""
    found = []
    password = state.get("password")
    if password not in (None, "", MASKED):
        found.append(str(password))
    extra = state.get("extra")
    if isinstance(extra, (dict, list)):
        found.extend(secret_strings(extra))
    elif extra not in (None, "", MASKED):
        found.append(str(extra))
    return found


def parse_extra(extra, conn_id):
    """The declared extra as a dict; raises ValueError with a message that never quotes the value."""
    if extra is None or isinstance(extra, dict):
        return extra
    if not isinstance(extra, str):
        raise ValueError("extra of connection %r must be a dict or a string holding a JSON object, got a %s"
                         % (conn_id, type(extra).__name__))
    if not extra.strip():
        return {}
    try:
        parsed = json.loads(extra)
    except ValueError as err:
        raise ValueError("extra of connection %r is not valid JSON (%s at line %s, column %s)"
                         % (conn_id, getattr(err, "msg", "parse error"), getattr(err, "lineno", "?"),
                            getattr(err, "colno", "?")))
    if not isinstance(parsed, dict):
        raise ValueError("extra of connection %r must be a JSON object, got a JSON %s"
                         % (conn_id, type(parsed).__name__))
    return parsed


def input_problem(item):
    """What is wrong with one declared connection before the server is asked, or None."""
    conn_id = item["conn_id"]
    if not conn_id:
        return "a connection id must not be empty"
    if item.get("state", "present") == "present":
        if len(conn_id) > CONN_ID_MAX_LENGTH:
            return "connection id %r is %d characters long; Airflow accepts at most %d" % (
                conn_id[:40] + "...", len(conn_id), CONN_ID_MAX_LENGTH)
        if not CONN_ID_PATTERN.fullmatch(conn_id):
            return ("connection id %r is not accepted by Airflow: use only letters, digits, '_', '.' and '-'" % conn_id)
    port = item.get("port")
    if port is not None and not 1 <= port <= 65535:
        return "port of connection %r must be between 1 and 65535, got %d" % (conn_id, port)
    return None


def desired_connection(item, extra):
    state = dict((f, item.get(f)) for f in PLAIN_FIELDS + ("password", TEAM_FIELD))
    state["connection_id"] = item["conn_id"]
    state["extra"] = extra
    return state


def item_options():
    return dict(
        conn_id=dict(type="str", required=True, aliases=["connection_id"]),
        conn_type=dict(type="str"),
        description=dict(type="str"),
        host=dict(type="str"),
        login=dict(type="str"),
        password=dict(type="str", no_log=True),
        schema=dict(type="str"),
        port=dict(type="int"),
        extra=dict(type="raw", no_log=False),
        team_name=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )


def main():
    form = BulkForm("conn_id", "connections", item_options)
    module = AirflowModule(
        argument_spec=form.argument_spec(
            update_password=secrets_policy_option(),
        ),
        **form.module_kwargs()
    )
    items = []
    typed = typed_items(form, module.params, typed_options())
    for item, typed_item in zip(form.declared(module), typed):
        # Hide secrets before anything can fail, so no error path can echo them. An extra that is
        # not JSON cannot be searched for secret keys: all of it is hidden.
        raw_extra = item.get("extra")
        try:
            extra = parse_extra(raw_extra, item["conn_id"])
        except ValueError as err:
            if isinstance(raw_extra, str):
                module.hide(raw_extra)
            module.fail_json(msg=str(err))
        desired = mark_cleared(desired_connection(item, extra), typed_item, CLEARABLE)
        for value in connection_secret_strings(desired):
            module.hide(value)
        problem = input_problem(item)
        if problem:
            module.fail_json(msg=problem)
        items.append((item["conn_id"], desired, item["state"]))

    engine = module.reconciler(ConnectionResource(), secrets_policy=module.params["update_password"])
    module.run(lambda: form.ensure(module, engine, items))


if __name__ == "__main__":
    main()
