# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""playbooks/filter_plugins/airflow_export.py: the export's state.yml and vault template."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

PATH = Path(__file__).resolve().parents[3] / "playbooks" / "filter_plugins" / "airflow_export.py"
_spec = importlib.util.spec_from_file_location("airflow_export", PATH)
export = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(export)


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!unsafe", lambda loader, node: ("unsafe", loader.construct_scalar(node)))

VARIABLES = {
    "variables": [
        {"key": "Api.Token", "value": None, "description": "the partner's"},
        {"key": "api-token", "value": None, "description": None},
        {"key": "plain", "value": "hello", "description": None},
        {"key": "templated", "value": "{{ ds }}/x", "description": None},
        {"key": "lines", "value": "one\ntwo\n", "description": None},
    ],
    "masked": ["Api.Token.value", "api-token.value"],
}
CONNECTIONS = {
    "connections": [
        {"conn_id": "warehouse", "conn_type": "postgres", "description": None, "host": "db", "login": "etl",
         "schema": "dw", "port": 5432, "password": None, "extra": {"sslmode": "require", "token": None}},
        {"conn_id": "odd", "conn_type": "http", "description": None, "host": None, "login": None, "schema": None,
         "port": None, "password": None, "extra": None},
        {"conn_id": "bare", "conn_type": "http", "description": None, "host": "h", "login": None, "schema": None,
         "port": None, "password": None, "extra": None},
    ],
    "masked": ["warehouse.password", "warehouse.extra.token", "odd.extra"],
    "not_shown": [],
}
POOLS = {"pools": [{"name": "default_pool", "slots": 128, "description": "Default pool", "include_deferred": False}]}


def run(variables=None, connections=None, pools=None):
    out = export.airflow_export_state(variables or VARIABLES, connections or CONNECTIONS, pools or POOLS,
                                      "Exported from http://x.")
    return out, yaml.load(out["state_yaml"], Loader=_Loader), yaml.safe_load(out["vault_yaml"])


def test_masked_values_become_vault_references_in_place():
    _out, state, _vault = run()
    warehouse = state["airflow_connections"][0]
    assert list(warehouse) == ["conn_id", "conn_type", "host", "port", "schema", "login", "password", "extra"]
    assert warehouse["password"] == "{{ vault_connection_warehouse_password }}"
    assert warehouse["extra"] == {"sslmode": "require", "token": "{{ vault_connection_warehouse_extra_token }}"}
    assert state["airflow_connections"][1]["extra"] == "{{ vault_connection_odd_extra }}"
    assert state["airflow_connections"][2] == {"conn_id": "bare", "conn_type": "http", "host": "h"}


def test_names_that_collide_get_a_stable_hash_each():
    out, state, vault = run()
    first, second = (v["value"] for v in state["airflow_variables"][:2])
    assert first != second
    assert first.startswith("{{ vault_variable_api_token_") and second.startswith("{{ vault_variable_api_token_")
    again = run()[0]
    assert again["state_yaml"] == out["state_yaml"] and again["vault_yaml"] == out["vault_yaml"]
    assert set(vault) == {r["name"] for r in out["vault_refs"]}
    assert set(vault.values()) == {"CHANGE-ME"}
    assert all(name.isidentifier() and name.startswith("vault_") for name in vault)


def test_templates_are_unsafe_and_text_survives():
    _out, state, _vault = run()
    by_key = {v["key"]: v.get("value") for v in state["airflow_variables"]}
    assert by_key["templated"] == ("unsafe", "{{ ds }}/x")
    assert by_key["lines"] == "one\ntwo\n"
    assert by_key["plain"] == "hello"
    assert state["airflow_variables"][0]["description"] == "the partner's"


def test_vault_template_says_what_each_name_is_and_holds_no_value():
    out, _state, _vault = run()
    assert "# connection warehouse: password\nvault_connection_warehouse_password: CHANGE-ME\n" in out["vault_yaml"]
    assert "ansible-vault encrypt vault.yml" in out["vault_yaml"]
    assert out["counts"] == {"variables": 5, "connections": 3, "pools": 1, "secrets": 5}


def test_passwords_never_shown_are_named_not_exported():
    connections = dict(CONNECTIONS, masked=[], not_shown=["bare.password"])
    out, state, vault = run(connections=connections)
    assert out["not_exported"] == ["bare.password"]
    assert "Not exported" in out["state_yaml"] and "bare.password" in out["state_yaml"]
    assert "password" not in state["airflow_connections"][2]


def test_nothing_masked_gives_an_empty_vault_template():
    out, state, vault = run(variables={"variables": [], "masked": []},
                            connections={"connections": [], "masked": [], "not_shown": []}, pools={"pools": []})
    assert vault is None and out["vault_refs"] == []
    assert state == {"airflow_variables": [], "airflow_connections": [], "airflow_pools": []}


ROLES = {"roles": [
    {"name": "Admin", "permissions": [{"action": "can_read", "resource": "DAGs"}]},
    {"name": "Data Team", "permissions": [{"action": "can_read", "resource": "DAGs"},
                                          {"action": "can_edit", "resource": "Pools"}]},
]}
USERS = {"users": [
    {"username": "admin", "email": "admin@example.com", "first_name": "Ad", "last_name": "Min", "roles": ["Admin"]},
    {"username": "ann.lee", "email": "ann@example.com", "first_name": "Ann", "last_name": None,
     "roles": ["Data Team", "Viewer"]},
]}


def test_roles_and_users_in_the_inventorys_format_passwords_as_vault_references():
    out = export.airflow_export_state(VARIABLES, CONNECTIONS, POOLS, "src", roles=ROLES, users=USERS)
    state = yaml.load(out["state_yaml"], Loader=_Loader)
    assert state["airflow_roles"] == [ROLES["roles"][1]]
    assert state["airflow_users"] == [
        {"username": "admin", "email": "admin@example.com", "first_name": "Ad", "last_name": "Min", "roles": ["Admin"]},
        {"username": "ann.lee", "email": "ann@example.com", "first_name": "Ann", "roles": ["Data Team", "Viewer"]},
    ]
    assert state["airflow_user_passwords"] == {"admin": "{{ vault_user_admin_password }}",
                                               "ann.lee": "{{ vault_user_ann_lee_password }}"}
    vault = yaml.safe_load(out["vault_yaml"])
    assert vault["vault_user_ann_lee_password"] == "CHANGE-ME" and vault["vault_user_admin_password"] == "CHANGE-ME"
    assert out["counts"]["roles"] == 1 and out["counts"]["users"] == 2


def test_without_a_user_api_no_roles_or_users_are_written():
    out = export.airflow_export_state(VARIABLES, CONNECTIONS, POOLS, "src")
    state = yaml.load(out["state_yaml"], Loader=_Loader)
    assert not {"airflow_roles", "airflow_users", "airflow_user_passwords"} & set(state)
    assert "roles" not in out["counts"]
