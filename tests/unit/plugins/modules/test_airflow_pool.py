from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for, version_tuple
from ansible_collections.dagops.airflow.plugins.modules.airflow_pool import PoolResource, input_problem


class Server:
    def __init__(self, api, version):
        self.api = dialect_for(api)
        self.version = version

    def connect(self):
        return self.api

    def server_version(self):
        return self.version


def resource(api="v2", version="3.3.2"):
    res = PoolResource()
    res.bind(Server(api, version))
    return res


DEFAULT = {"name": "default_pool", "slots": 128, "description": "Default pool", "include_deferred": False}


def test_slots_below_minus_one_and_bad_names_are_refused_before_the_server_is_asked():
    assert input_problem({"name": "p", "slots": -2}).endswith("got -2")
    assert input_problem({"name": "p", "slots": -1}) is None
    assert input_problem({"name": "p", "slots": 0}) is None
    assert "empty" in input_problem({"name": "", "slots": 1})
    assert "at most 256" in input_problem({"name": "p" * 257, "slots": 1})


def test_unlimited_slots_depend_on_the_server_version():
    want = {"name": "p", "slots": -1}
    assert resource("v2", "3.3.2").validate("p", want, "present", None) is None
    assert resource("v2", "3.2.0").validate("p", want, "present", None) is None
    assert "needs Airflow 3.2" in resource("v2", "3.1.7").validate("p", want, "present", None)
    assert "runs Airflow 2.11.0" in resource("v1", "2.11.0").validate("p", want, "present", None)
    # Already unlimited: nothing to write, nothing to refuse.
    assert resource("v1", "2.11.0").validate("p", want, "present", {"name": "p", "slots": -1}) is None


def test_version_tuple():
    assert version_tuple("3.2.0rc1") == (3, 2, 0)
    assert version_tuple("3.10") >= (3, 2)
    assert version_tuple(None) == ()


def test_default_pool_is_tuned_only_where_the_server_allows_and_never_deleted():
    assert resource("v2").validate("default_pool", {"slots": 64, "include_deferred": True}, "present", DEFAULT) is None
    refused = resource("v2").validate("default_pool", {"description": "x"}, "present", DEFAULT)
    assert "only include_deferred and slots, not description" in refused
    assert resource("v2").validate("default_pool", {"description": "Default pool"}, "present", DEFAULT) is None
    assert resource("v1").validate("default_pool", {"description": "x"}, "present", DEFAULT) is None
    assert "cannot be deleted" in resource("v2").validate("default_pool", {}, "absent", DEFAULT)


def test_creating_needs_slots():
    assert "set slots" in resource().validate("p", {"slots": None}, "present", None)


def test_every_body_carries_what_airflow_3_validates():
    state = {"name": "p", "slots": 3, "description": "d", "include_deferred": False}
    assert resource().to_body(state, ["description"]) == state
    assert resource().to_body(state, ["slots"]) == {"name": "p", "slots": 3, "include_deferred": False}
    assert resource().to_body({"name": "p", "slots": 3, "include_deferred": None}, ["slots"]) == {"name": "p", "slots": 3}
