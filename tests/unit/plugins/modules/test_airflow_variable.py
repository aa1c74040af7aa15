from __future__ import annotations

import json

from ansible_collections.dagops.airflow.plugins.modules.airflow_variable import VariableResource, desired_value


def test_a_json_string_from_the_server_is_redacted_inside():
    # Airflow 2 answers values in clear text; an undeclared variable's JSON is a plain string.
    stored = json.dumps({"user": "etl", "api_key": "k-123"})
    shown = VariableResource().redact({"key": "settings", "value": stored, "description": None})
    assert "k-123" not in shown["value"] and json.loads(shown["value"]) == {"user": "etl", "api_key": "<hidden>"}
    assert "k-123" in VariableResource().secret_strings("settings", {}, {"value": stored}, set())


def test_a_sensitive_key_hides_the_whole_value():
    assert VariableResource().redact({"key": "db_password", "value": "{\"a\": 1}"})["value"] == "<hidden>"
    assert VariableResource().redact({"key": "db_password", "value": "plain"})["value"] == "<hidden>"


def test_plain_values_are_shown_as_they_are():
    assert VariableResource().redact({"key": "env", "value": "[not json"})["value"] == "[not json"
    assert VariableResource().redact({"key": "env", "value": "{\"a\": 1}"})["value"] == "{\"a\": 1}"


def test_scalars_are_stored_as_json_text():
    assert desired_value(5) == "5" and desired_value(True) == "true" and desired_value("5") == "5"
    assert desired_value({"a": 1}) == {"a": 1}


def test_creating_without_a_value_is_refused_before_any_write():
    assert "set its value" in VariableResource().validate("new", {"key": "new", "value": None}, "present", None)
    assert VariableResource().validate("old", {"key": "old", "value": None}, "present", {"key": "old"}) is None
    assert VariableResource().validate("gone", {"key": "gone", "value": None}, "absent", None) is None


def test_compare_probes_the_whole_value_as_declared():
    from ansible_collections.dagops.airflow.plugins.modules.airflow_variable import VariableResource
    probes = VariableResource().secret_probes("db_password", "value", {"a": 1}, "***")
    assert [(p.item, p.declared) for p in probes] == [({"kind": "variable", "key": "db_password"}, {"a": 1})]
    assert VariableResource().secret_probes("db_password", "description", "d", "***") == []
