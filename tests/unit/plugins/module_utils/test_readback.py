from __future__ import annotations

import json

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.readback import (
    Selection, read_connections, read_pools, read_variables,
)
from ansible_collections.dagops.airflow.plugins.modules.airflow_connection import ConnectionResource
from ansible_collections.dagops.airflow.plugins.modules.airflow_variable import VariableResource, desired_variable


class Server:
    """The list answers and single GETs of one collection; records the single GETs."""

    def __init__(self, api, listed, single=None):
        self.api = dialect_for(api)
        self.listed = listed
        self.single = single or {}
        self.gets = []

    def connect(self):
        return self.api

    def list_all(self, path, items_key, params=None):
        assert path == self.api.path(items_key)
        return self.listed

    def get_or_none(self, path, params=None):
        self.gets.append(path)
        return self.single.get(path)


def test_selection_by_ids_and_pattern():
    assert Selection()("anything")
    assert Selection(["a", "b"])("a") and not Selection(["a"])("b")
    assert Selection(pattern="etl_*")("etl_x") and not Selection(pattern="etl_*")("ETL_x")
    assert not Selection(["etl_a"], "x*")("etl_a")
    assert Selection(["a", "zz"]).missing(["a"]) == ["zz"]


def test_variables_come_back_sorted_in_the_bulk_shape_with_secrets_null():
    server = Server("v2", [
        {"key": "plain", "value": "hello", "description": "d"},
        {"key": "db_password", "value": "***", "description": None},
        {"key": "settings", "value": json.dumps({"user": "u", "api_key": "***"}), "description": None},
        {"key": "json_ok", "value": json.dumps({"a": 1}), "description": None},
    ])
    result = read_variables(server, Selection())
    assert [v["key"] for v in result["variables"]] == ["db_password", "json_ok", "plain", "settings"]
    by_key = dict((v["key"], v) for v in result["variables"])
    assert by_key["plain"] == {"key": "plain", "value": "hello", "description": "d"}
    assert by_key["db_password"]["value"] is None and by_key["settings"]["value"] is None
    assert by_key["json_ok"]["value"] == '{"a": 1}'
    assert result["masked"] == ["db_password.value", "settings.value"]
    assert result["missing"] == []


def test_airflow_2_shows_sensitive_variables_in_clear_and_they_are_nulled_all_the_same():
    clear = "s3cr3t-value"
    server = Server("v1", [
        {"key": "my_token", "value": clear, "description": None},
        {"key": "nested", "value": json.dumps({"password": clear}), "description": None},
    ])
    result = read_variables(server, Selection(["my_token", "nested", "absent"]))
    assert clear not in json.dumps(result)
    assert result["masked"] == ["my_token.value", "nested.value"]
    assert result["missing"] == ["absent"]


def test_a_variable_item_fed_back_is_unchanged():
    obj = {"key": "k", "value": '{"a": 1}', "description": "x"}
    item = read_variables(Server("v2", [obj]), Selection())["variables"][0]
    desired = desired_variable(item)
    current = VariableResource().from_api(obj, desired)
    assert all(desired[f] == current[f] for f in ("value", "description"))


V2_CONNECTION = {
    "connection_id": "warehouse", "conn_type": "postgres", "description": None, "host": "db", "login": "etl",
    "password": "***", "schema": "analytics", "port": 5432,
    "extra": json.dumps({"sslmode": "require", "api_token": "***", "nested": {"secret": "***"}}),
}


def test_connections_on_airflow_3_name_the_password_and_secret_extra_keys():
    result = read_connections(Server("v2", [V2_CONNECTION, dict(V2_CONNECTION, connection_id="nopw", password=None,
                                                                extra=None)]), Selection())
    warehouse, nopw = result["connections"][1], result["connections"][0]
    assert warehouse == {"conn_id": "warehouse", "conn_type": "postgres", "description": None, "host": "db",
                         "login": "etl", "password": None, "schema": "analytics", "port": 5432,
                         "extra": {"sslmode": "require", "api_token": None, "nested": None}}
    assert nopw["extra"] is None and nopw["password"] is None
    assert result["masked"] == ["warehouse.password", "warehouse.extra.api_token", "warehouse.extra.nested"]
    assert result["not_shown"] == []


def test_connections_on_airflow_2_are_read_one_by_one_for_extra_and_passwords_are_not_shown():
    listed = [{"connection_id": "c1", "conn_type": "http", "host": "h"}]
    single = {"api/v1/connections/c1": {"connection_id": "c1", "conn_type": "http", "host": "h",
                                        "extra": '{"token": "clear-secret", "timeout": 5}'}}
    server = Server("v1", listed, single)
    result = read_connections(server, Selection())
    assert server.gets == ["api/v1/connections/c1"]
    assert result["connections"][0]["extra"] == {"token": None, "timeout": 5}
    assert "clear-secret" not in json.dumps(result)
    assert result["masked"] == ["c1.extra.token"]
    assert result["not_shown"] == ["c1.password"]


def test_an_extra_that_is_not_a_json_object_is_hidden_whole():
    result = read_connections(Server("v2", [dict(V2_CONNECTION, password=None, extra="user:pw@host")]), Selection())
    assert result["connections"][0]["extra"] is None
    assert result["masked"] == ["warehouse.extra"]


def test_a_connection_item_fed_back_compares_equal_but_for_masked_secrets():
    item = read_connections(Server("v2", [dict(V2_CONNECTION, extra='{"sslmode": "require"}')]),
                            Selection())["connections"][0]
    current = ConnectionResource().from_api(dict(V2_CONNECTION, extra='{"sslmode": "require"}'))
    for field in ("conn_type", "host", "login", "schema", "port", "extra"):
        assert item[field] == current[field]


def test_pools_in_the_bulk_shape():
    server = Server("v2", [{"name": "p", "slots": 3, "description": None, "include_deferred": False,
                            "occupied_slots": 0, "open_slots": 3}])
    assert read_pools(server, Selection(["p", "q"])) == {
        "pools": [{"name": "p", "slots": 3, "description": None, "include_deferred": False}], "missing": ["q"]}
