# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Variables, connections and pools read back in exactly the shape of their modules' bulk form
(``variables:``, ``connections:``, ``pools:`` items), roles and users in the shape of
airflow_role's and airflow_user's options, so an info module's output can be fed back.

Whatever the server will not show, and whatever we would have to show in clear although it is a
secret (Airflow 2 shows sensitive variables), comes back as ``None`` and is named in ``masked``
(``key.value``, ``conn_id.password``, ``conn_id.extra.some_key``). A ``None`` in a bulk item means
"not managed", so feeding such an item back keeps the stored secret.
"""

from __future__ import annotations

import fnmatch
import json

from ansible_collections.dagops.airflow.plugins.module_utils.api import MASKED
from ansible_collections.dagops.airflow.plugins.module_utils.fab import role_item, user_item
from ansible_collections.dagops.airflow.plugins.module_utils.masking import (
    contains_masked, is_sensitive_name, secret_strings,
)
from ansible_collections.dagops.airflow.plugins.module_utils.teams import with_team

CONNECTION_FIELDS = ("conn_type", "description", "host", "login", "schema", "port")


def selection_options(name, **spec):
    """An info module's options: ``name`` (a list of exact ids, with ``spec``) and ``pattern``."""
    return {name: dict(type="list", elements="str", **spec), "pattern": dict(type="str")}


def read_selected(module, name, read):
    """The result of an info module: ``read`` (read_variables, ...) of what its options select."""
    selection = Selection(module.params[name], module.params["pattern"])
    return dict(read(module.client, selection), changed=False)


class Selection:
    """Which objects to return: exact ids, a glob pattern (fnmatch, case-sensitive), or all."""

    def __init__(self, idents=None, pattern=None):
        self.idents = list(idents or [])
        self.pattern = pattern

    def __call__(self, ident):
        if self.idents and ident not in self.idents:
            return False
        return self.pattern is None or fnmatch.fnmatchcase(ident, self.pattern)

    def missing(self, found):
        """The exact ids asked for that the server does not have."""
        found = set(found)
        return [ident for ident in self.idents if ident not in found]


def _listed(client, collection, id_field, selection):
    api = client.connect()
    objects = client.list_all(api.path(collection), collection)
    return sorted((obj for obj in objects if selection(obj[id_field])), key=lambda obj: obj[id_field])


# ----- variables --------------------------------------------------------------------------------
def variable_item(obj):
    """(bulk item, masked names) for one variable of the API; ``team_name`` only where it has a team."""
    key = obj["key"]
    value = obj.get("value")
    if value is not None and _variable_is_secret(key, value):
        return with_team({"key": key, "value": None, "description": obj.get("description")}, obj), ["%s.value" % key]
    return with_team({"key": key, "value": value, "description": obj.get("description")}, obj), []


def _variable_is_secret(key, value):
    if value == MASKED or is_sensitive_name(key):
        return True
    parsed = value
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
    # A JSON value with masked or sensitive parts inside: the whole value is a secret here.
    return isinstance(parsed, (dict, list)) and (contains_masked(parsed) or bool(secret_strings(parsed)))


def read_variables(client, selection):
    """{"variables": [...], "masked": [...], "missing": [...]}; the list answer carries every
    value on both API versions (Airflow 2 in clear, Airflow 3 masked)."""
    items, masked = [], []
    for obj in _listed(client, "variables", "key", selection):
        item, hidden = variable_item(obj)
        items.append(item)
        masked.extend(hidden)
    return {"variables": items, "masked": masked, "missing": selection.missing(i["key"] for i in items)}


# ----- connections ------------------------------------------------------------------------------
def connection_item(obj, shows_password):
    """(bulk item, masked names, names not shown) for one connection of the API (its single GET,
    which carries ``extra`` on both versions)."""
    conn_id = obj["connection_id"]
    item = {"conn_id": conn_id}
    item.update((f, obj.get(f)) for f in CONNECTION_FIELDS)
    masked, not_shown = [], []
    item["password"] = None
    if not shows_password:
        not_shown.append("%s.password" % conn_id)
    elif obj.get("password") not in (None, ""):
        masked.append("%s.password" % conn_id)
    item["extra"], hidden = _extra_item(conn_id, obj.get("extra"))
    masked.extend(hidden)
    return with_team(item, obj), masked, not_shown


def _extra_item(conn_id, extra):
    if extra in (None, ""):
        return None, []
    try:
        parsed = json.loads(extra)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        # Not a JSON object: nothing tells which part of it is secret.
        return None, ["%s.extra" % conn_id]
    shown, masked = {}, []
    for key, value in parsed.items():
        if is_sensitive_name(key) or contains_masked(value) or secret_strings(value):
            shown[key] = None
            masked.append("%s.extra.%s" % (conn_id, key))
        else:
            shown[key] = value
    return shown, masked


def read_connections(client, selection):
    """{"connections": [...], "masked": [...], "not_shown": [...], "missing": [...]}."""
    api = client.connect()
    items, masked, not_shown = [], [], []
    for listed in _listed(client, "connections", "connection_id", selection):
        obj = listed
        if not api.lists_full_objects("connections"):
            obj = client.get_or_none(api.path("connections", listed["connection_id"])) or listed
        item, hidden, unknown = connection_item(obj, api.shows_connection_password)
        items.append(item)
        masked.extend(hidden)
        not_shown.extend(unknown)
    return {"connections": items, "masked": masked, "not_shown": not_shown,
            "missing": selection.missing(i["conn_id"] for i in items)}


# ----- pools ------------------------------------------------------------------------------------
def pool_item(obj):
    return with_team({"name": obj["name"], "slots": obj.get("slots"), "description": obj.get("description"),
                      "include_deferred": obj.get("include_deferred")}, obj)


def read_pools(client, selection):
    """{"pools": [...], "missing": [...]}; pools hold no secrets."""
    items = [pool_item(obj) for obj in _listed(client, "pools", "name", selection)]
    return {"pools": items, "missing": selection.missing(i["name"] for i in items)}


# ----- roles and users (FAB's security model, where the server serves it) -----------------------
def _listed_fab(client, collection, id_field, selection):
    """Every ``collection`` (roles, users) the selection takes; a server without a user API fails
    here with what to do instead (the dialect's ``no_user_api``)."""
    client.require_user_api(collection)
    api = client.connect()
    objects = client.list_all(api.fab_path(collection), collection)
    return sorted((obj for obj in objects if selection(obj[id_field])), key=lambda obj: obj[id_field])


def read_roles(client, selection):
    """{"roles": [...], "missing": [...]}; roles hold no secrets."""
    items = [role_item(obj) for obj in _listed_fab(client, "roles", "name", selection)]
    return {"roles": items, "missing": selection.missing(i["name"] for i in items)}


def read_users(client, selection):
    """{"users": [...], "missing": [...]}; no API shows a password, and none is returned."""
    items = [user_item(obj) for obj in _listed_fab(client, "users", "username", selection)]
    return {"users": items, "missing": selection.missing(i["username"] for i in items)}
