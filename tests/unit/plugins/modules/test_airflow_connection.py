from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError
from ansible_collections.dagops.airflow.plugins.modules.airflow_connection import (
    ConnectionResource, input_problem, parse_extra,
)


class DialectOnly:
    def __init__(self, version):
        self.api = dialect_for(version)

    def connect(self):
        return self.api


def resource(version="v2"):
    res = ConnectionResource()
    res.bind(DialectOnly(version))
    return res


def item(**kwargs):
    return dict(dict(conn_id="c1", state="present", port=None), **kwargs)


def test_extra_is_a_dict_or_a_json_object_and_errors_never_quote_it():
    assert parse_extra('{"b": 1, "a": [1]}', "c1") == {"a": [1], "b": 1}
    assert parse_extra({"a": 1}, "c1") == {"a": 1}
    assert parse_extra("  ", "c1") == {}
    with pytest.raises(ValueError) as err:
        parse_extra('{"api_token": "s3cret",}', "c1")
    assert "not valid JSON" in str(err.value) and "s3cret" not in str(err.value)
    with pytest.raises(ValueError, match="must be a JSON object, got a JSON list"):
        parse_extra("[1]", "c1")
    with pytest.raises(ValueError, match="dict or a string"):
        parse_extra(5, "c1")


def test_ids_and_ports_are_checked_as_airflow_would():
    assert input_problem(item()) is None
    assert "not accepted" in input_problem(item(conn_id="a b"))
    assert "not accepted" in input_problem(item(conn_id="ab\n"))
    assert "at most 200" in input_problem(item(conn_id="x" * 201))
    assert input_problem(item(conn_id="x" * 200)) is None
    assert "between 1 and 65535" in input_problem(item(port=0))
    assert "between 1 and 65535" in input_problem(item(port=65536))
    # Any id can be deleted, also one made outside the API.
    assert input_problem(item(conn_id="legacy id", state="absent")) is None
    assert "empty" in input_problem(item(conn_id=""))


def test_airflow_2s_write_only_password_is_unknown_only_where_one_is_declared():
    obj = {"connection_id": "c1", "conn_type": "http", "extra": '{"api_token": "***"}'}
    assert resource("v1").from_api(obj, {"password": "p"})["password"] == "***"
    assert "password" not in resource("v1").from_api(obj, {"password": None})
    assert resource("v1").from_api(obj)["extra"] == {"api_token": "***"}
    # Airflow 2's list leaves extra out: unknown, not empty.
    assert "extra" not in resource("v1").from_api({"connection_id": "c1", "conn_type": "http"})


def test_the_body_carries_conn_type_and_extra_as_json_text():
    state = {"connection_id": "c1", "conn_type": "http", "host": "h", "extra": {"b": 1, "a": 2}, "password": "p"}
    assert resource().to_body(state, ["host"]) == {"connection_id": "c1", "conn_type": "http", "host": "h"}
    assert resource().to_body(state, ["extra"])["extra"] == '{"a": 2, "b": 1}'


def test_redaction_hides_the_password_secret_keys_and_extra_that_is_not_json():
    shown = resource().redact({"connection_id": "c1", "password": "p", "extra": {"api_token": "t", "x": 1}})
    assert shown["password"] == "<hidden>" and shown["extra"] == {"api_token": "<hidden>", "x": 1}
    assert resource().redact({"connection_id": "c1", "extra": "not json s3cret"})["extra"] == "<hidden>"


def test_secret_strings_cover_the_password_secret_keys_and_what_the_server_masks():
    found = resource().secret_strings(
        "c1", {"password": "p1", "extra": {"api_token": "t1", "house_key": "k1", "x": "plain"}},
        {"password": "***", "extra": {"api_token": "***", "house_key": "***", "x": "plain"}}, set())
    assert sorted(set(found)) == ["k1", "p1", "t1"]


def test_an_extra_update_keeps_masked_secrets_where_the_server_merges_them():
    have = {"api_token": "***", "timeout": 5}
    want = {"api_token": "new", "timeout": 6}
    assert resource("v2").update_value("c1", "extra", want, have, False) == {"api_token": "***", "timeout": 6}
    assert resource("v2").update_value("c1", "extra", want, have, True) == want
    assert resource("v1").update_value("c1", "extra", want, have, True) == want
    # Dropping the secret key needs no ***, so Airflow 2 can take it.
    assert resource("v1").update_value("c1", "extra", {"timeout": 6}, have, False) == {"timeout": 6}


def test_airflow_2_refuses_a_partial_extra_update_before_anything_is_written():
    with pytest.raises(ReconcileError, match=r"\(api_token\).*update_password=always"):
        resource("v1").update_value("c1", "extra", {"api_token": "new", "timeout": 6},
                                    {"api_token": "***", "timeout": 5}, False)


def test_creating_needs_a_conn_type():
    assert "set conn_type" in resource().validate("c1", {"conn_type": None}, "present", None)
    assert resource().validate("c1", {"conn_type": None}, "present", {"conn_type": "http"}) is None


def test_compare_probes_the_password_and_each_masked_top_level_key_of_extra():
    probes = resource().secret_probes("c1", "password", "pw", "***")
    assert [(p.item, p.declared) for p in probes] == [({"kind": "connection_password", "conn_id": "c1"}, "pw")]
    want = {"api_token": "t", "auth": {"client_secret": "s", "client": "etl"}, "timeout": 5, "new_token": "n"}
    have = {"api_token": "***", "auth": {"client_secret": "***", "client": "etl"}, "timeout": 5}
    probes = resource().secret_probes("c1", "extra", want, have)
    assert [(p.item["extra_key"], p.declared) for p in probes] == [
        ("api_token", "t"), ("auth", {"client_secret": "s", "client": "etl"})]
    assert all(p.item["kind"] == "connection_extra" and p.item["conn_id"] == "c1" for p in probes)
    # Extra that is not a JSON object cannot be asked key by key.
    assert resource().secret_probes("c1", "extra", "text", "***") == []
