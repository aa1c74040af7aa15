# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""The filter behind playbooks/export.yml: the info modules' results written as the example
inventory's state.yml, every secret the server would not show as a ``"{{ vault_... }}"`` reference,
plus the vault template that lists those names.

It is a playbook-adjacent filter (Ansible loads ``filter_plugins/`` next to the playbook), not a
plugin of the collection's API: it serves export.yml only.

A string that holds template markers (an Airflow variable such as ``{{ ds }}``) is written with the
``!unsafe`` tag, so Ansible hands it back as it is instead of templating it when it reads state.yml.
"""

from __future__ import annotations

import hashlib
import re

import yaml

PLACEHOLDER = "CHANGE-ME"
CONNECTION_FIELDS = ("conn_type", "description", "host", "port", "schema", "login")
USER_FIELDS = ("email", "first_name", "last_name")
# The roles Airflow creates itself (the collection's module_utils/fab.py BUILT_IN_ROLES; this
# filter is loaded next to the playbook, without the collection's imports).
BUILT_IN_ROLES = ("Admin", "Op", "User", "Viewer", "Public")
TEMPLATE_MARKERS = ("{{", "{%", "{#")


class VaultRef(str):
    """``{{ vault_name }}``, written double-quoted."""


class Unsafe(str):
    """A string Ansible must not template: written as ``!unsafe '...'``."""


class _StateDumper(yaml.SafeDumper):
    # Indented lists under their key, as the example inventory writes them.
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_StateDumper.add_representer(VaultRef, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
_StateDumper.add_representer(Unsafe, lambda d, v: d.represent_scalar("!unsafe", str(v), style="'"))
_StateDumper.add_representer(str, _represent_str)


def _safe(value):
    """``value`` with every string that Ansible would template marked ``Unsafe``."""
    if isinstance(value, str):
        return Unsafe(value) if any(m in value for m in TEMPLATE_MARKERS) else str(value)
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe(v) for v in value]
    return value


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "x"


class _Secrets:
    """The vault references handed out, named ``vault_<kind>_<id>[_<field>]``; names that two
    secrets would share get a short hash of what they stand for, so every name stays the same
    from one export to the next."""

    def __init__(self):
        self.wanted = []  # (base name, what it stands for, where it goes)

    def want(self, base, what, target, key):
        ref = {"base": base, "what": what}
        target[key] = None  # its place in the item's order; resolve() fills it in
        self.wanted.append((ref, target, key))

    def resolve(self):
        counts = {}
        for ref, _target, _key in self.wanted:
            counts[ref["base"]] = counts.get(ref["base"], 0) + 1
        refs = []
        for ref, target, key in self.wanted:
            name = ref["base"]
            if counts[name] > 1:
                name += "_" + hashlib.sha256(ref["what"].encode("utf-8")).hexdigest()[:8]
            target[key] = VaultRef("{{ %s }}" % name)
            refs.append({"name": name, "secret": ref["what"]})
        return refs


def _variables(info, secrets):
    masked = set(info.get("masked") or [])
    items = []
    for var in info.get("variables") or []:
        key = var["key"]
        item = {"key": _safe(key)}
        if var.get("value") is None and "%s.value" % key in masked:
            secrets.want("vault_variable_" + _slug(key), "variable %s: value" % key, item, "value")
        else:
            item["value"] = _safe(var.get("value"))
        if var.get("description") is not None:
            item["description"] = _safe(var["description"])
        items.append(item)
    return items


def _connections(info, secrets):
    masked = set(info.get("masked") or [])
    items = []
    for conn in info.get("connections") or []:
        conn_id = conn["conn_id"]
        base = "vault_connection_" + _slug(conn_id)
        item = {"conn_id": _safe(conn_id)}
        item.update((f, _safe(conn[f])) for f in CONNECTION_FIELDS if conn.get(f) is not None)
        if "%s.password" % conn_id in masked:
            secrets.want(base + "_password", "connection %s: password" % conn_id, item, "password")
        extra = conn.get("extra")
        if extra is None and "%s.extra" % conn_id in masked:
            secrets.want(base + "_extra", "connection %s: extra" % conn_id, item, "extra")
        elif extra is not None:
            shown = {}
            for key, value in extra.items():
                if value is None and "%s.extra.%s" % (conn_id, key) in masked:
                    secrets.want("%s_extra_%s" % (base, _slug(key)), "connection %s: extra %s" % (conn_id, key),
                                 shown, str(key))
                else:
                    shown[str(key)] = _safe(value)
            item["extra"] = shown
        items.append(item)
    return items


def _pools(info):
    items = []
    for pool in info.get("pools") or []:
        item = {"name": _safe(pool["name"]), "slots": pool.get("slots")}
        if pool.get("description") is not None:
            item["description"] = _safe(pool["description"])
        if pool.get("include_deferred") is not None:
            item["include_deferred"] = pool["include_deferred"]
        items.append(item)
    return items


def _roles(info):
    """The roles to declare: Airflow's built-in ones are left out (Airflow creates them and sets
    their permissions itself at every start, and each version's set differs)."""
    return [{"name": _safe(role["name"]), "permissions": [
        {"action": _safe(p["action"]), "resource": _safe(p["resource"])} for p in role.get("permissions") or []]}
        for role in info.get("roles") or [] if role["name"] not in BUILT_IN_ROLES]


def _users(info, secrets):
    """(airflow_users, airflow_user_passwords): no API shows a password, so each user's is a vault
    reference, kept out of the items (site.yml's loop shows its items) as the inventory does."""
    users, passwords = [], {}
    for user in info.get("users") or []:
        name = user["username"]
        item = {"username": _safe(name)}
        item.update((f, _safe(user[f])) for f in USER_FIELDS if user.get(f) is not None)
        item["roles"] = [_safe(r) for r in user.get("roles") or []]
        users.append(item)
        secrets.want("vault_user_%s_password" % _slug(name), "user %s: password" % name, passwords, str(name))
    return users, passwords


def _dump(data):
    return yaml.dump(data, Dumper=_StateDumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=120)


def _header(source, lines):
    return "---\n" + "".join("# %s\n" % line if line else "#\n" for line in [source] + lines)


def airflow_export_state(variables, connections, pools, source="", roles=None, users=None):
    """The export of the ``*_info`` results ``variables``, ``connections`` and ``pools``, and
    ``roles`` and ``users`` where the server has a user API (None: not exported):

    ``state_yaml`` (state.yml), ``vault_yaml`` (the vault template), ``vault_refs`` (name and what
    it stands for, never a value), ``not_exported`` (the passwords the server never shows, so the
    export leaves them unmanaged) and ``counts``."""
    secrets = _Secrets()
    state = {
        "airflow_variables": _variables(variables, secrets),
        "airflow_connections": _connections(connections, secrets),
        "airflow_pools": _pools(pools),
    }
    if roles is not None:
        state["airflow_roles"] = _roles(roles)
    if users is not None:
        state["airflow_users"], state["airflow_user_passwords"] = _users(users, secrets)
    refs = secrets.resolve()
    not_exported = list(connections.get("not_shown") or [])
    state_lines = [
        "The declared state for playbooks/site.yml (the example inventory's group_vars/airflow/state.yml format),",
        "written by playbooks/export.yml. Secrets the server does not show are \"{{ vault_... }}\" references:",
        "their names are in vault.yml.example next to this file.",
    ]
    if roles is not None:
        state_lines.append("Roles: Airflow's built-in roles (%s) are left out; Airflow sets them itself."
                           % ", ".join(BUILT_IN_ROLES))
    if users is not None:
        state_lines.append("Users: no API shows a password; each is a vault reference in airflow_user_passwords.")
    if not_exported:
        state_lines.append("Not exported (the server never shows whether one is set; site.yml keeps what is stored): %s."
                           % ", ".join(not_exported))
    state_text = _header(source, state_lines) + "\n" + _dump(state)
    vault_lines = [
        "The secrets playbooks/export.yml could not read (the server masks them). Put each real value in place",
        "of %s, save this file as vault.yml next to state.yml and encrypt it:" % PLACEHOLDER,
        "  ansible-vault encrypt vault.yml",
        "site.yml names every vault_ variable still holding %s, and refuses to write while one does." % PLACEHOLDER,
    ]
    body = "".join("# %s\n%s: %s\n" % (ref["secret"], ref["name"], PLACEHOLDER) for ref in refs)
    vault_text = _header(source, vault_lines) + ("\n" + body if refs else "# (none)\n")
    counts = {name[len("airflow_"):]: len(items) for name, items in state.items() if isinstance(items, list)}
    counts["secrets"] = len(refs)
    # Ansible 2.19+ never templates a filter's result again, so the references stay as they are.
    return {"state_yaml": state_text, "vault_yaml": vault_text, "vault_refs": refs,
            "not_exported": not_exported, "counts": counts}


class FilterModule:
    def filters(self):
        return {"airflow_export_state": airflow_export_state}
