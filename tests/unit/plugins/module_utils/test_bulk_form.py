"""The single and bulk forms that the variable, connection and pool modules share."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.module import BulkForm


def item_options():
    return dict(name=dict(type="str", required=True), size=dict(type="int"),
                state=dict(type="str", default="present", choices=["present", "absent"]))


class Exit(Exception):
    pass


class FakeModule:
    def __init__(self, **params):
        self.params = dict(name=None, things=None, exclusive=False, exclude=[])
        self.params.update(params)

    def fail_json(self, msg):
        raise Exit(msg)


class FakeEngine:
    def ensure_one(self, ident, desired, state):
        return ("one", ident, desired, state)

    def ensure_many(self, items, exclusive, exclude):
        return ("many", items, exclusive, exclude)


FORM = BulkForm("name", "things", item_options)


def test_the_argument_spec_holds_both_forms_and_the_id_is_required_only_in_the_list():
    spec = FORM.argument_spec(extra=dict(type="bool"))
    assert spec["name"].get("required") is False
    assert spec["things"]["options"]["name"]["required"] is True
    assert set(spec) == {"name", "size", "state", "things", "exclusive", "exclude", "extra"}
    assert FORM.module_kwargs() == dict(mutually_exclusive=[("name", "things")], required_one_of=[("name", "things")])


def test_the_single_form_is_a_list_of_one_and_refuses_exclusive():
    module = FakeModule(size=1, state="present")
    module.params["name"] = "a"
    assert FORM.declared(module) == [module.params]
    assert FORM.ensure(module, FakeEngine(), [("a", {"size": 1}, "present")]) == ("one", "a", {"size": 1}, "present")
    module.params["exclusive"] = True
    try:
        FORM.declared(module)
    except Exit as err:
        assert "declare the things in 'things'" in str(err)
    else:
        raise AssertionError("exclusive in the single form must fail")


def test_the_bulk_form_hands_exclusive_and_exclude_to_the_engine():
    module = FakeModule(things=[{"name": "a"}], exclusive=True, exclude=["keep_*"])
    assert FORM.declared(module) == [{"name": "a"}]
    items = [("a", {}, "present")]
    assert FORM.ensure(module, FakeEngine(), items) == ("many", items, True, ["keep_*"])
