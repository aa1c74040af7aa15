"""Planning one object and summarizing many: pure functions over a Resource, no client."""

from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.plan import Plan, compare_fields, summarize
from ansible_collections.dagops.airflow.plugins.module_utils.resource import Resource


class Thing(Resource):
    noun = "thing"
    collection = "things"
    id_field = "name"
    fields = ("size", "token")


def test_fields_left_unset_are_neither_compared_nor_sent():
    current = {"name": "a", "size": 1, "token": "t"}
    plan = compare_fields(Thing(), "a", {"name": "a", "size": 2, "token": None}, "present", current, {"token"})
    assert (plan.action, plan.fields) == ("update", ["size"])
    created = compare_fields(Thing(), "b", {"name": "b", "size": 2, "token": None}, "present", None, {"token"})
    assert (created.action, created.fields, created.after) == ("create", ["size"], {"name": "b", "size": 2})


def test_masked_secrets_are_unverified_unless_resent():
    current = {"name": "a", "size": 1, "token": "***"}
    plan = compare_fields(Thing(), "a", {"token": "new"}, "present", current, {"token"})
    assert plan.action is None and plan.unverified == ["token"]
    always = compare_fields(Thing(), "a", {"token": "new"}, "present", current, {"token"}, resend_secrets=True)
    assert always.action == "update" and always.fields == ["token"] and always.unverified == []


def test_absent_deletes_only_what_exists():
    assert compare_fields(Thing(), "a", {}, "absent", {"name": "a"}, set()).action == "delete"
    assert compare_fields(Thing(), "a", {}, "absent", None, set()).action is None


def test_adopt_takes_every_attribute_of_the_fresher_plan():
    stale = Plan("a", "create", None, {"name": "a", "size": 2}, fields=["size"], secret=(), desired={"size": 2})
    fresh = Plan("a", "update", {"name": "a", "size": 1, "token": "***"}, {"name": "a", "size": 2, "token": "***"},
                 fields=["size"], unverified=["token"], secret={"token"}, desired={"size": 2, "token": "x"})
    fresh.resend.add("token")
    fresh.same_secrets.add("token")
    stale.adopt(fresh)
    assert vars(stale) == vars(fresh)
    with pytest.raises(ValueError):
        stale.adopt(Plan("b", None, None, None))


def test_summary_counts_and_names_what_changes():
    plans = [Plan("a", "create", None, {}), Plan("b", "update", {}, {}), Plan("c", None, {}, {}, unverified=["token"]),
             Plan("d", "delete", {}, None)]
    assert summarize(plans) == dict(created=1, updated=1, deleted=1, changed=True, unchanged=1,
                                    changes={"created": ["a"], "updated": ["b"], "deleted": ["d"]},
                                    secrets_not_verified=["c.token"])
    assert summarize([Plan("c", None, {}, {})])["changed"] is False
