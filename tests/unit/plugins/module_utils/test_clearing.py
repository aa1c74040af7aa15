"""Clearing a field: an option given as null, told apart from one left out, and what the engine does with it."""

from __future__ import annotations

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.dagops.airflow.plugins.module_utils.clearing import (
    CLEAR, differs, given_null, is_value, mark_cleared, typed_items, typed_options, written,
)
from ansible_collections.dagops.airflow.plugins.module_utils.module import BulkForm
from ansible_collections.dagops.airflow.plugins.modules import airflow_connection, airflow_pool, airflow_variable
from ansible_collections.dagops.airflow.tests.unit.plugins.module_utils.offline_client import bound
from ansible_collections.dagops.airflow.tests.unit.plugins.module_utils.test_reconcile import RecordingClient
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Reconciler, Resource


def parsed(args, form, item_options):
    """What a module sees: its validated params and the options as typed, from real module args."""
    spec = form.argument_spec()
    with patch_module_args(args):
        module = AnsibleModule(argument_spec=spec, **form.module_kwargs())
        typed = typed_options()
    return module, typed_items(form, module.params, typed)


def test_an_option_given_as_null_is_told_from_one_left_out_in_both_forms():
    form = BulkForm("conn_id", "connections", airflow_connection.item_options)
    module, typed = parsed({"conn_id": "c", "host": None, "login": "etl"}, form, airflow_connection.item_options)
    assert module.params["host"] is None and module.params["port"] is None  # alike once validated
    assert given_null(typed[0], airflow_connection.CLEARABLE) == ["host"]

    module, typed = parsed({"connections": [{"conn_id": "a", "port": None, "description": None},
                                            {"conn_id": "b", "host": "h"}]}, form, airflow_connection.item_options)
    declared = form.declared(module)
    assert [d["conn_id"] for d in declared] == ["a", "b"] and len(typed) == 2
    assert [given_null(t, airflow_connection.CLEARABLE) for t in typed] == [["description", "port"], []]


def test_only_clearable_options_become_clear():
    desired = {"connection_id": "c", "host": None, "password": None, "conn_type": None, "port": None}
    typed = {"conn_id": "c", "host": None, "password": None, "conn_type": None}
    marked = mark_cleared(desired, typed, airflow_connection.CLEARABLE)
    assert marked == {"connection_id": "c", "host": CLEAR, "password": None, "conn_type": None, "port": None}
    assert desired["host"] is None  # not changed in place
    assert mark_cleared({"key": "k", "description": None}, {"key": "k"}, airflow_variable.CLEARABLE)["description"] is None


def test_clear_differs_from_any_value_but_an_empty_one():
    assert differs(CLEAR, "x") and differs(CLEAR, 0) and not differs(CLEAR, None) and not differs(CLEAR, "")
    assert differs("a", "b") and not differs({"a": 1}, {"a": 1})
    assert written(CLEAR) is None and written("x") == "x"
    assert not is_value(CLEAR) and not is_value(None) and is_value(0) and is_value("")


class Described(Resource):
    noun = "thing"
    collection = "things"
    id_field = "name"
    fields = ("size", "description")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_cleared_field_is_written_as_null_once_then_unchanged(version):
    client = RecordingClient(version, [{"name": "a", "size": 1, "description": "old"}])
    check = Reconciler(client, Described(), check_mode=True).ensure_one("a", {"description": CLEAR})
    assert check["changed"] and client.writes == []
    assert check["diff"] == {"before": {"name": "a", "size": 1, "description": "old"},
                             "after": {"name": "a", "size": 1, "description": None}}

    done = Reconciler(client, Described()).ensure_one("a", {"description": CLEAR})
    assert done["changed"] and done["updated"] == 1 and done["diff"] == check["diff"]
    method, path, body, params = client.writes[0]
    assert method == "PATCH" and body == {"name": "a", "description": None}
    assert params == ({"update_mask": "description"} if version == "v1" else {"update_mask": ["description"]})
    assert client.objects["a"] == {"name": "a", "size": 1, "description": None}

    again = Reconciler(client, Described()).ensure_one("a", {"description": CLEAR})
    assert not again["changed"] and len(client.writes) == 1


def test_an_empty_string_counts_as_cleared_and_a_new_object_is_created_without_the_field():
    client = RecordingClient("v1", [{"name": "a", "size": 1, "description": ""}])
    assert not Reconciler(client, Described()).ensure_one("a", {"description": CLEAR})["changed"]
    created = Reconciler(client, Described()).ensure_one("b", {"size": 2, "description": CLEAR})
    assert created["created"] == 1 and client.writes[-1][2] == {"name": "b", "size": 2}
    assert created["diff"]["after"] == {"name": "b", "size": 2, "description": None}


def test_bulk_clears_are_grouped_under_their_own_update_mask():
    client = RecordingClient("v2", [{"name": n, "size": 1, "description": "d"} for n in "abc"])
    result = Reconciler(client, Described()).ensure_many(
        [("a", {"description": CLEAR}, "present"), ("b", {"description": CLEAR, "size": 2}, "present"),
         ("c", {"description": None, "size": 1}, "present")])
    assert result["changes"]["updated"] == ["a", "b"] and result["unchanged"] == 1
    actions = client.writes[0][2]["actions"]
    assert [(a["update_mask"], a["entities"]) for a in actions] == [
        (["description"], [{"name": "a", "description": None}]),
        (["description", "size"], [{"name": "b", "size": 2, "description": None}])]


def test_a_connection_clears_host_and_port_in_its_body():
    current = {"connection_id": "c", "conn_type": "http", "host": "h", "port": 80, "description": None}
    plan = Reconciler(RecordingClient("v2", []), airflow_connection.ConnectionResource()).plan(
        "c", {"connection_id": "c", "host": CLEAR, "port": CLEAR, "description": CLEAR}, "present", current)
    assert plan.fields == ["host", "port"]
    body = airflow_connection.ConnectionResource().to_body(plan.after, plan.fields)
    assert body == {"connection_id": "c", "conn_type": "http", "host": None, "port": None}


def test_clearing_the_empty_description_of_default_pool_is_no_change_where_airflow_refuses_one():
    pool = bound(airflow_pool.PoolResource(), "v2")
    current = {"name": "default_pool", "slots": 128, "description": "Default pool", "include_deferred": False}
    assert "not description" in pool.validate("default_pool", {"description": CLEAR}, "present", current)
    assert pool.validate("default_pool", {"description": CLEAR}, "present", dict(current, description=None)) is None


def test_a_resource_may_clear_with_another_empty_value():
    class EmptyString(Described):
        def cleared_value(self, field):
            return ""

    client = RecordingClient("v1", [{"name": "a", "size": 1, "description": "old"}])
    done = Reconciler(client, EmptyString()).ensure_one("a", {"description": CLEAR})
    assert client.writes[0][2] == {"name": "a", "description": ""} and done["diff"]["after"]["description"] == ""
    assert not Reconciler(client, EmptyString()).ensure_one("a", {"description": CLEAR})["changed"]
    assert airflow_variable.VariableResource().cleared_value("description") == ""
