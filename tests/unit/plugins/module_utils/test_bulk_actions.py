"""The bulk PATCH body built from plans, and the errors read from its answer: pure, no client."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.bulk_actions import bulk_actions, bulk_errors
from ansible_collections.dagops.airflow.plugins.module_utils.plan import Plan
from ansible_collections.dagops.airflow.plugins.module_utils.resource import Resource


class Thing(Resource):
    noun = "thing"
    collection = "things"
    id_field = "name"
    fields = ("size", "colour")


def create(name, **fields):
    after = dict(fields, name=name)
    return Plan(name, "create", None, after, fields=list(fields))


def update(name, **fields):
    before = {"name": name, "size": 0, "colour": "grey"}
    return Plan(name, "update", before, dict(before, **fields), fields=list(fields))


def test_creates_then_updates_grouped_by_mask_then_deletes():
    plans = [
        update("u1", size=2),
        create("c1", size=1),
        Plan("d1", "delete", {"name": "d1"}, None),
        update("u2", colour="red"),
        update("u3", size=5),
        Plan("same", None, {"name": "same"}, {"name": "same"}),
        create("c2", size=3, colour="blue"),
    ]
    actions = bulk_actions(Thing(), plans)
    assert actions == [
        {"action": "create", "action_on_existence": "overwrite",
         "entities": [{"name": "c1", "size": 1}, {"name": "c2", "size": 3, "colour": "blue"}]},
        {"action": "update", "update_mask": ["colour"], "action_on_non_existence": "fail",
         "entities": [{"name": "u2", "colour": "red"}]},
        {"action": "update", "update_mask": ["size"], "action_on_non_existence": "fail",
         "entities": [{"name": "u1", "size": 2}, {"name": "u3", "size": 5}]},
        {"action": "delete", "action_on_non_existence": "skip", "entities": ["d1"]},
    ]


def test_the_body_of_each_entity_is_the_resources_own():
    class Wrapped(Thing):
        def to_body(self, state, fields):
            return {"id": state["name"], "values": dict((f, state[f]) for f in fields)}

    actions = bulk_actions(Wrapped(), [create("a", size=1), update("b", colour="red")])
    assert [a["entities"] for a in actions] == [[{"id": "a", "values": {"size": 1}}],
                                                [{"id": "b", "values": {"colour": "red"}}]]


def test_each_kind_is_split_into_chunks_in_order():
    plans = [create("c%d" % i, size=i) for i in range(5)] + [Plan("d%d" % i, "delete", {}, None) for i in range(3)]
    actions = bulk_actions(Thing(), plans, chunk=2)
    assert [(a["action"], len(a["entities"])) for a in actions] == [
        ("create", 2), ("create", 2), ("create", 1), ("delete", 2), ("delete", 1)]
    assert [e["name"] for a in actions[:3] for e in a["entities"]] == ["c0", "c1", "c2", "c3", "c4"]


def test_nothing_to_write_is_no_action():
    assert bulk_actions(Thing(), [Plan("a", None, {"name": "a"}, {"name": "a"})]) == []


def test_errors_are_read_from_every_action_of_the_answer():
    answer = {"create": {"success": ["a"], "errors": [{"error": "duplicate", "status_code": 409}]},
              "update": {"success": [], "errors": [{"error": "not found", "status_code": 404}]},
              "delete": {"success": ["d"], "errors": []}}
    assert bulk_errors(answer) == ["create: duplicate", "update: not found"]
    assert bulk_errors({}) == [] and bulk_errors(None) == []
