"""The engine's logic over a recording stand-in for the client (the real API is covered by integration tests)."""

from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.masking import HIDDEN, HIDDEN_CHANGED
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Reconciler, ReconcileError, Resource


class Thing(Resource):
    noun = "thing"
    collection = "things"
    id_field = "name"
    fields = ("size", "token")
    protected = ("builtin",)

    def secret_fields(self, ident, desired, current):
        return {"token"}

    def redact(self, state):
        state = dict(state)
        if state.get("token") is not None:
            state["token"] = HIDDEN
        return state


class RecordingClient:
    def __init__(self, version, objects, masked=(), airflow_version=None):
        self.api = dialect_for(version)
        self.objects = dict((o["name"], dict(o)) for o in objects)
        self.masked = masked
        self.writes = []
        self.airflow_version = airflow_version or ("2.11.0" if version == "v1" else "3.3.2")

    def connect(self):
        return self.api

    def server_version(self):
        return self.airflow_version

    def _shown(self, obj):
        return dict(obj, **dict((f, "***") for f in self.masked if obj.get(f) is not None))

    def get_or_none(self, path):
        obj = self.objects.get(path.rsplit("/", 1)[1])
        return None if obj is None else self._shown(obj)

    def list_all(self, path, key, params=None):
        self.listed_with = params
        return [self._shown(o) for o in self.objects.values()]

    def post(self, path, body, confirm=None):
        self.confirm = confirm
        self.writes.append(("POST", path, body))
        self.objects[body["name"]] = dict(body)
        return body

    def patch(self, path, body, params=None):
        self.writes.append(("PATCH", path, body, params))
        if "actions" in body:
            return {}
        self.objects[body["name"]].update(body)
        return self.objects[body["name"]]

    def delete(self, path):
        self.writes.append(("DELETE", path))
        self.objects.pop(path.rsplit("/", 1)[1], None)


def engine(client, **kwargs):
    return Reconciler(client, Thing(), **kwargs)


def test_create_then_nothing_to_do():
    client = RecordingClient("v2", [])
    first = engine(client).ensure_one("a", {"size": 3, "token": None})
    assert first["changed"] and first["created"] == 1
    # A field left out (token None) is not shown as null: only what was declared.
    assert first["diff"] == {"before": {}, "after": {"name": "a", "size": 3}}
    second = engine(client).ensure_one("a", {"size": 3, "token": None})
    assert not second["changed"] and second["unchanged"] == 1
    assert len(client.writes) == 1


def test_check_mode_never_writes():
    client = RecordingClient("v2", [{"name": "a", "size": 1}, {"name": "old", "size": 1}])
    result = engine(client, check_mode=True).ensure_many(
        [("a", {"size": 2}, "present"), ("b", {"size": 1}, "present")], exclusive=True)
    assert result["changed"] and (result["created"], result["updated"], result["deleted"]) == (1, 1, 1)
    assert client.writes == []


def test_update_sends_only_changed_fields_with_the_dialects_mask():
    client = RecordingClient("v1", [{"name": "a", "size": 1, "token": "t"}])
    result = engine(client).ensure_one("a", {"size": 5})
    assert result["updated"] == 1
    method, path, body, params = client.writes[0]
    assert (method, path, body, params) == ("PATCH", "api/v1/things/a", {"name": "a", "size": 5}, {"update_mask": "size"})


def test_masked_secret_is_left_alone_on_create_only_policy():
    client = RecordingClient("v2", [{"name": "a", "size": 1, "token": "old"}], masked=("token",))
    result = engine(client, secrets_policy="on_create").ensure_one("a", {"size": 1, "token": "new"})
    assert not result["changed"] and result["secrets_not_verified"] == ["a.token"]
    assert client.writes == []


def test_always_policy_resends_secrets_and_hides_them_in_the_diff():
    client = RecordingClient("v2", [{"name": "a", "size": 1, "token": "old"}], masked=("token",))
    seen = []
    result = engine(client, secrets_policy="always", register_secret=seen.append).ensure_one("a", {"token": "new"})
    assert result["changed"] and result["diff"]["before"]["token"] == HIDDEN
    assert result["diff"]["after"]["token"] == HIDDEN_CHANGED
    assert "new" in seen
    assert client.objects["a"]["token"] == "new"


def test_exclusive_respects_exclude_globs_and_protected_ids():
    client = RecordingClient("v1", [{"name": n, "size": 1} for n in ("keep", "team_x", "builtin", "stale")])
    result = engine(client).ensure_many([("keep", {"size": 1}, "present")], exclusive=True, exclude=["team_*"])
    assert result["changes"]["deleted"] == ["stale"]
    assert sorted(client.objects) == ["builtin", "keep", "team_x"]


def test_protected_object_cannot_be_deleted_explicitly():
    client = RecordingClient("v1", [{"name": "builtin", "size": 1}])
    with pytest.raises(ReconcileError, match="cannot be deleted"):
        engine(client).ensure_one("builtin", {}, state="absent")


def test_duplicate_ids_in_a_bulk_list_fail_before_any_write():
    client = RecordingClient("v2", [])
    with pytest.raises(ReconcileError, match="more than once"):
        engine(client).ensure_many([("a", {"size": 1}, "present"), ("a", {"size": 2}, "present")])
    assert client.writes == []


def test_v2_bulk_is_one_request_grouped_by_update_mask():
    client = RecordingClient("v2", [{"name": "a", "size": 1, "token": "t"}, {"name": "b", "size": 1, "token": "t"},
                                    {"name": "gone", "size": 1}])
    engine(client).ensure_many([
        ("a", {"size": 2}, "present"),
        ("b", {"size": 1, "token": "u"}, "present"),
        ("c", {"size": 1}, "present"),
        ("gone", {}, "absent"),
    ])
    assert len(client.writes) == 1
    actions = client.writes[0][2]["actions"]
    assert [(a["action"], a.get("update_mask")) for a in actions] == [
        ("create", None), ("update", ["size"]), ("update", ["token"]), ("delete", None)]
    assert actions[3]["entities"] == ["gone"]


@pytest.mark.parametrize("airflow_version", ["3.0.6", "3.1.8"])
def test_before_airflow_3_2_bulk_updates_go_one_by_one_with_their_mask(airflow_version):
    # 3.0 and 3.1 refuse update_mask in a bulk update action (and would replace whole objects).
    client = RecordingClient("v2", [{"name": "a", "size": 1, "token": "t"}, {"name": "gone", "size": 1}],
                             airflow_version=airflow_version)
    engine(client).ensure_many([("a", {"size": 2}, "present"), ("c", {"size": 1}, "present"),
                                ("gone", {}, "absent")])
    bulk = [w for w in client.writes if "actions" in w[2]]
    assert [a["action"] for a in bulk[0][2]["actions"]] == ["create", "delete"] and len(bulk) == 1
    singles = [w for w in client.writes if "actions" not in w[2]]
    assert singles == [("PATCH", "api/v2/things/a", {"name": "a", "size": 2}, {"update_mask": ["size"]})]


def test_only_updates_leave_no_bulk_request_behind():
    client = RecordingClient("v2", [{"name": "a", "size": 1}], airflow_version="3.1.8")
    engine(client).ensure_many([("a", {"size": 2}, "present")])
    assert [w[0] for w in client.writes] == ["PATCH"] and "actions" not in client.writes[0][2]


def test_v1_bulk_writes_per_item():
    client = RecordingClient("v1", [{"name": "a", "size": 1}])
    result = engine(client).ensure_many([("a", {"size": 2}, "present"), ("b", {"size": 1}, "present")])
    assert sorted(w[0] for w in client.writes) == ["PATCH", "POST"]
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 0)


def test_a_create_that_lost_a_race_becomes_an_update_of_what_is_there():
    from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError

    class RacingClient(RecordingClient):
        def post(self, path, body, confirm=None):
            self.objects["a"] = {"name": "a", "size": 1}  # another fork won
            raise AirflowError("exists", "POST", path, status=409)

    client = RacingClient("v2", [])
    result = engine(client).ensure_one("a", {"size": 2})
    assert result["updated"] == 1 and result["created"] == 0
    assert client.objects["a"]["size"] == 2


class BulkRacingClient(RecordingClient):
    """Another writer creates ``b`` just before each of the first ``races`` bulk PATCHes, which
    the server then refuses whole with HTTP 409 (a unique constraint), writing nothing."""

    def __init__(self, races, *args):
        super().__init__(*args)
        self.races = races

    def patch(self, path, body, params=None):
        if self.races:
            self.races -= 1
            self.objects["b"] = {"name": "b", "size": 1}
            self.writes.append(("PATCH-409", path, body, params))
            raise AirflowError("Unique constraint violation", "PATCH", path, status=409)
        for action in body.get("actions", ()):
            for entity in action["entities"]:
                if action["action"] != "delete":
                    self.objects.setdefault(entity["name"], {}).update(entity)
        return super().patch(path, body, params)


def test_a_bulk_write_that_lost_a_race_is_planned_again_from_a_fresh_read():
    client = BulkRacingClient(1, "v2", [])
    result = engine(client).ensure_many([("a", {"size": 1}, "present"), ("b", {"size": 2}, "present")])
    first, second = client.writes
    assert first[0] == "PATCH-409" and [e["name"] for e in first[2]["actions"][0]["entities"]] == ["a", "b"]
    # b now exists with size 1: the second PATCH creates a and updates b.
    assert [(a["action"], [e["name"] for e in a["entities"]]) for a in second[2]["actions"]] == [
        ("create", ["a"]), ("update", ["b"])]
    assert (result["created"], result["updated"]) == (1, 1)
    assert client.objects["b"]["size"] == 2


def test_a_bulk_write_that_keeps_losing_races_fails_with_the_conflict():
    client = BulkRacingClient(10, "v2", [])
    with pytest.raises(AirflowError) as err:
        engine(client).ensure_many([("b", {"size": 2}, "present")])
    assert err.value.status == 409 and len(client.writes) == 4


def test_a_bulk_409_in_check_mode_cannot_happen_and_other_errors_are_not_replanned():
    client = BulkRacingClient(1, "v2", [])
    engine(client, check_mode=True).ensure_many([("b", {"size": 2}, "present")])
    assert client.writes == []

    class FailingClient(RecordingClient):
        def patch(self, path, body, params=None):
            self.writes.append(("PATCH", path))
            raise AirflowError("bad", "PATCH", path, status=400)

    failing = FailingClient("v2", [])
    with pytest.raises(AirflowError):
        engine(failing).ensure_many([("b", {"size": 2}, "present")])
    assert len(failing.writes) == 1


def test_exclusive_deletions_register_their_secrets():
    client = RecordingClient("v1", [{"name": "old", "size": 1, "token": "t0ken"}])
    seen = []
    engine(client, check_mode=True, register_secret=seen.append).ensure_many([], exclusive=True)
    assert "t0ken" in seen


def test_v1_per_item_writes_all_run_and_the_first_failure_is_reported_with_counts():
    from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError

    class FailingClient(RecordingClient):
        def post(self, path, body, confirm=None):
            if body["name"] == "bad":
                raise AirflowError("refused", "POST", path, status=400)
            return super().post(path, body)

    client = FailingClient("v1", [])
    with pytest.raises(AirflowError) as err:
        engine(client).ensure_many([(n, {"size": 1}, "present") for n in ("a", "bad", "c")])
    assert "thing 'bad': refused (1 of 3 writes failed, 2 done)" in str(err.value)
    assert sorted(client.objects) == ["a", "c"]


def test_v2_bulk_errors_in_a_200_answer_fail_the_task():
    from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError

    class ErrorAnsweringClient(RecordingClient):
        def url(self, path):
            return "http://airflow.test/" + path

        def patch(self, path, body, params=None):
            super().patch(path, body, params)
            return {"create": {"success": [], "errors": [{"error": "The things with these names: {'b'} already exist.",
                                                          "status_code": 409}]}}

    client = ErrorAnsweringClient("v2", [])
    with pytest.raises(AirflowError) as err:
        engine(client).ensure_many([("b", {"size": 1}, "present")])
    assert "create: The things with these names: {'b'} already exist." in str(err.value)


class FabThing(Thing):
    """Like users and roles: served by FAB, no bulk endpoint, comma-separated update mask."""

    bulk = False

    def collection_path(self, api):
        return api.fab_path("things")

    def item_path(self, api, ident):
        return api.fab_path("things", ident)

    def update_mask(self, api, fields):
        return api.fab_update_mask(fields)


def test_a_resource_routes_its_own_paths_mask_and_bulk_capability():
    client = RecordingClient("v2", [{"name": "a", "size": 1}, {"name": "b", "size": 1}])
    Reconciler(client, FabThing()).ensure_one("a", {"size": 2})
    Reconciler(client, FabThing()).ensure_many([("b", {"size": 3}, "present"), ("c", {"size": 1}, "present")])
    assert client.writes[0] == ("PATCH", "auth/fab/v1/things/a", {"name": "a", "size": 2}, {"update_mask": "size"})
    # No bulk PATCH on a v2 server for a resource without a bulk endpoint: one write per object.
    assert sorted((w[0], w[1]) for w in client.writes[1:]) == [
        ("PATCH", "auth/fab/v1/things/b"), ("POST", "auth/fab/v1/things")]


def test_a_create_answered_without_the_object_is_read_back():
    class EmptyAnsweringClient(RecordingClient):
        def post(self, path, body, confirm=None):
            super().post(path, body)
            return {}  # Airflow 2's role POST

    client = EmptyAnsweringClient("v1", [])
    result = engine(client).ensure_one("a", {"size": 3})
    assert result["created"] == 1 and result["thing"] == {"name": "a", "size": 3, "token": None}


class SplitThing(Thing):
    """Like a DAG run on Airflow 2: its token is written at an endpoint of its own."""

    def update_calls(self, api, ident, state, fields):
        calls = [(self.item_path(api, ident), {"name": ident, "size": state["size"]}, None)]
        if "token" in fields:
            calls.append((self.item_path(api, ident) + "/setToken", {"name": ident, "token": state["token"]}, None))
        return calls


def test_a_resource_may_spread_an_update_over_several_calls():
    client = RecordingClient("v1", [{"name": "a", "size": 1, "token": "t"}])
    result = Reconciler(client, SplitThing()).ensure_one("a", {"size": 2, "token": "u"})
    assert [(w[0], w[1]) for w in client.writes] == [("PATCH", "api/v1/things/a"), ("PATCH", "api/v1/things/a/setToken")]
    assert result["thing"]["size"] == 2 and result["updated"] == 1


def test_without_an_id_the_server_names_the_object_and_every_call_creates_one():
    class NamingClient(RecordingClient):
        def get_or_none(self, path):
            raise AssertionError("nothing to look up without an id")

        def post(self, path, body, confirm=None):
            super().post(path, dict(body, name="server-named-%d" % len(self.writes)), confirm)
            return dict(body, name="server-named-%d" % len(self.writes))

    client = NamingClient("v2", [])
    assert engine(client, check_mode=True).ensure_one(None, {"size": 1})["changed"]
    assert client.writes == []
    first = engine(client).ensure_one(None, {"size": 1})
    second = engine(client).ensure_one(None, {"size": 1})
    assert first["created"] == second["created"] == 1
    assert (first["thing"]["name"], second["thing"]["name"]) == ("server-named-1", "server-named-2")
    # A lost answer cannot be checked without an id: the client must fail, not send it twice.
    assert client.confirm is None


def test_a_conflict_with_another_object_is_reported_not_turned_into_an_update():
    from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError

    class UniqueFieldClient(RecordingClient):
        def post(self, path, body, confirm=None):
            raise AirflowError("another object has this size", "POST", path, status=409)

    client = UniqueFieldClient("v2", [])
    with pytest.raises(AirflowError, match="another object has this size"):
        engine(client).ensure_one("a", {"size": 2})
    assert client.writes == []


def test_ensure_matching_lists_with_the_servers_filter_and_writes_only_what_differs():
    client = RecordingClient("v1", [{"name": "a1", "size": 1}, {"name": "a2", "size": 2}, {"name": "a3", "size": 1}])
    checked = engine(client, check_mode=True).ensure_matching({"size": 2}, {"name_pattern": "a"})
    assert client.listed_with == {"name_pattern": "a"} and client.writes == []
    assert checked["changes"]["updated"] == ["a1", "a3"] and checked["unchanged"] == 1
    assert checked["matched"] == ["a1", "a2", "a3"]
    assert checked["diff"]["before"]["a1"]["size"] == 1 and checked["diff"]["after"]["a1"]["size"] == 2
    done = engine(client).ensure_matching({"size": 2}, {"name_pattern": "a"})
    # Exactly the objects in the diff are written, by id: never "whatever matches" on the server.
    assert done["updated"] == 2 and sorted(w[1] for w in client.writes) == ["api/v1/things/a1", "api/v1/things/a3"]
    again = engine(client).ensure_matching({"size": 2}, {"name_pattern": "a"})
    assert not again["changed"] and again["unchanged"] == 3


class MaskKeeping(Thing):
    """Like connections: a structured field whose masked parts are sent back as *** on update."""

    fields = ("size", "token", "extra")

    def secret_fields(self, ident, desired, current):
        return {"token", "extra"}

    def redact(self, state):
        state = super().redact(state)
        if isinstance(state.get("extra"), dict):
            state["extra"] = dict((k, HIDDEN if k == "key" else v) for k, v in state["extra"].items())
        return state

    def update_value(self, ident, field, want, have, resend_secrets):
        if field == "extra" and not resend_secrets:
            return dict(want, key="***")
        return want


def test_update_value_decides_what_is_written_and_the_diff_tells_kept_from_sent_secrets():
    client = RecordingClient("v1", [{"name": "a", "size": 1, "extra": {"key": "***", "n": 1}}])
    kept = Reconciler(client, MaskKeeping()).ensure_one("a", {"extra": {"key": "k", "n": 2}})
    assert client.writes[-1][2] == {"name": "a", "extra": {"key": "***", "n": 2}}
    assert kept["diff"]["after"]["extra"] == {"key": HIDDEN, "n": 2}

    client = RecordingClient("v1", [{"name": "a", "size": 1, "extra": {"key": "***", "n": 1}}])
    sent = Reconciler(client, MaskKeeping(), secrets_policy="always").ensure_one("a", {"extra": {"key": "k", "n": 1}})
    assert client.writes[-1][2]["extra"] == {"key": "k", "n": 1}
    assert sent["diff"]["after"]["extra"] == {"key": HIDDEN_CHANGED, "n": 1}


def test_bind_gives_the_resource_the_client():
    client = RecordingClient("v2", [])
    thing = Thing()
    Reconciler(client, thing)
    assert thing.client is client


def test_a_partial_list_is_completed_by_single_reads_of_the_declared_objects_only():
    class PartialListClient(RecordingClient):
        reads = []

        def list_all(self, path, key):
            return [{"name": n} for n in self.objects]  # the list leaves every field out

        def get_or_none(self, path):
            self.reads.append(path)
            return super().get_or_none(path)

    class Connectionish(Thing):
        collection = "connections"  # v1 lists connections without extra

    client = PartialListClient("v1", [{"name": "a", "size": 1}, {"name": "other", "size": 1}])
    result = Reconciler(client, Connectionish()).ensure_many([("a", {"size": 1}, "present")])
    assert not result["changed"] and client.reads == ["api/v1/connections/a"]

    client = PartialListClient("v2", [{"name": "a", "size": 1}])
    client.reads = []
    Reconciler(client, Connectionish(), check_mode=True).ensure_many([("a", {"size": 1}, "present")])
    assert client.reads == []  # v2 lists whole connections


# ----- the compare policy: masked secrets settled through the REST plugin's fingerprints -------
from ansible_collections.dagops.airflow.plugins.module_utils import fingerprints  # noqa: E402
from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError  # noqa: E402


class ProbedThing(MaskKeeping):
    """A Thing whose masked token (and the masked parts of its extra) the plugin can fingerprint."""

    def secret_probes(self, ident, field, want, have):
        if field == "token":
            return [fingerprints.Probe({"kind": "thing", "name": ident, "field": "token"}, want)]
        if field == "extra":
            return [fingerprints.Probe({"kind": "thing", "name": ident, "field": "extra", "part": k}, want[k])
                    for k in sorted(set(want) & set(have)) if have[k] == "***"]
        return []


class PluginClient(RecordingClient):
    """Masks every token and extra's "key", and plays the REST plugin: fingerprints of what is stored."""

    def __init__(self, objects, capabilities=("fingerprint",), version="v2"):
        super().__init__(version, objects, masked=("token",))
        self.capabilities = capabilities
        self.plugin_problem = None
        self.version_asked = 0
        self.fingerprint_posts = []

    def _shown(self, obj):
        shown = super()._shown(obj)
        if isinstance(shown.get("extra"), dict) and "key" in shown["extra"]:
            shown["extra"] = dict(shown["extra"], key="***")
        return shown

    def rest_plugin(self):
        self.version_asked += 1
        if self.capabilities is None:
            self.plugin_problem = "the collection's REST plugin does not answer"
            return None
        return {"plugin_version": "0.1.0", "capabilities": list(self.capabilities)}

    def require_rest_plugin(self, capability):
        info = self.rest_plugin()
        if info is None or capability not in info["capabilities"]:
            raise AirflowError(self.plugin_problem or "no %r capability" % capability)
        return info

    def post(self, path, body, confirm=None, ok=None, idempotent=None):
        if path != fingerprints.FINGERPRINT_PATH:
            return super().post(path, body, confirm)
        assert idempotent and len(body["salt"]) >= 16
        self.fingerprint_posts.append(body)
        return {"algorithm": "hmac-sha256", "results": [self._fingerprint(body["salt"], i) for i in body["items"]]}

    def _fingerprint(self, salt, item):
        stored = self.objects.get(item["name"], {}).get(item["field"])
        if "part" in item:
            stored = (stored or {}).get(item["part"])
        if stored is None:
            return {"exists": False, "fingerprint": None, "json_fingerprint": None}
        return {"exists": True, "fingerprint": fingerprints.hmac_hex(salt, stored) if isinstance(stored, str) else None,
                "json_fingerprint": fingerprints.hmac_hex(salt, fingerprints.canonical_json(stored))}


def test_compare_settles_a_masked_secret_as_unchanged_or_changed():
    client = PluginClient([{"name": "a", "size": 1, "token": "old"}])
    seen = []
    same = Reconciler(client, ProbedThing(), secrets_policy="compare", register_secret=seen.append).ensure_one(
        "a", {"size": 1, "token": "old"})
    assert not same["changed"] and same["secrets_not_verified"] == [] and same["secrets_policy"] == "compare"
    assert client.writes == [] and len(client.fingerprint_posts) == 1
    assert client.fingerprint_posts[0]["items"] == [{"kind": "thing", "name": "a", "field": "token"}]
    assert client.fingerprint_posts[0]["salt"] in seen  # the salt is kept out of every output

    other = Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_one("a", {"size": 1, "token": "new"})
    assert other["changed"] and other["updated"] == 1 and other["secrets_not_verified"] == []
    assert client.writes == [("PATCH", "api/v2/things/a", {"name": "a", "token": "new"}, {"update_mask": ["token"]})]
    assert other["diff"]["before"]["token"] == HIDDEN and other["diff"]["after"]["token"] == HIDDEN_CHANGED
    # A new salt every run; neither it nor a fingerprint is ever in the result.
    first, second = client.fingerprint_posts
    assert first["salt"] != second["salt"]
    assert second["salt"] not in repr(other) and fingerprints.hmac_hex(second["salt"], "old") not in repr(other)


def test_compare_asks_once_for_every_masked_secret_of_a_bulk_list_and_writes_only_what_differs():
    client = PluginClient([{"name": n, "size": 1, "token": "t-" + n} for n in "abcd"])
    result = Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_many(
        [(n, {"token": "t-" + n if n in "ac" else "new"}, "present") for n in "abcd"] + [("e", {"token": "x"}, "present")])
    assert len(client.fingerprint_posts) == 1 and len(client.fingerprint_posts[0]["items"]) == 4
    assert result["changes"] == {"created": ["e"], "updated": ["b", "d"], "deleted": []}
    assert result["secrets_not_verified"] == [] and result["unchanged"] == 2
    assert len(client.writes) == 1  # one bulk PATCH, as without compare
    updates = [a for a in client.writes[0][2]["actions"] if a["action"] == "update"]
    assert updates == [{"action": "update", "update_mask": ["token"], "action_on_non_existence": "fail",
                        "entities": [{"name": "b", "token": "new"}, {"name": "d", "token": "new"}]}]


def test_compare_splits_requests_at_the_plugins_item_limit_under_one_salt(monkeypatch):
    monkeypatch.setattr(fingerprints, "MAX_ITEMS", 2)
    client = PluginClient([{"name": n, "size": 1, "token": "t"} for n in "abcde"])
    result = Reconciler(client, ProbedThing(), secrets_policy="compare", check_mode=True).ensure_many(
        [(n, {"token": "t"}, "present") for n in "abcde"])
    assert [len(p["items"]) for p in client.fingerprint_posts] == [2, 2, 1]
    assert len(set(p["salt"] for p in client.fingerprint_posts)) == 1
    assert not result["changed"] and result["secrets_not_verified"] == []


def test_check_mode_with_compare_reads_fingerprints_but_writes_nothing():
    client = PluginClient([{"name": "a", "size": 1, "token": "old"}])
    result = Reconciler(client, ProbedThing(), secrets_policy="compare", check_mode=True).ensure_one("a", {"token": "new"})
    assert result["changed"] and client.writes == [] and len(client.fingerprint_posts) == 1


def test_auto_asks_for_the_plugin_only_when_a_secret_is_masked():
    client = PluginClient([{"name": "a", "size": 1}])
    result = Reconciler(client, ProbedThing(), secrets_policy="auto").ensure_one("a", {"size": 2})
    assert result["changed"] and client.version_asked == 0 and client.fingerprint_posts == []
    assert result["secrets_policy"] == "on_create"
    client = PluginClient([{"name": "a", "size": 1, "token": "old"}])
    result = Reconciler(client, ProbedThing(), secrets_policy="auto").ensure_one("a", {"token": "old"})
    assert not result["changed"] and result["secrets_policy"] == "compare" and client.version_asked == 1


def test_auto_without_the_plugin_or_its_capability_is_on_create():
    for capabilities in (None, ("dag-files",)):
        client = PluginClient([{"name": "a", "size": 1, "token": "old"}], capabilities=capabilities)
        result = Reconciler(client, ProbedThing(), secrets_policy="auto").ensure_one("a", {"token": "new"})
        assert not result["changed"] and result["secrets_not_verified"] == ["a.token"]
        assert result["secrets_policy"] == "on_create" and client.fingerprint_posts == [] and client.writes == []


def test_explicit_compare_without_the_plugin_fails_before_anything_is_written():
    client = PluginClient([{"name": "a", "size": 1, "token": "old"}], capabilities=None)
    with pytest.raises(AirflowError, match="REST plugin does not answer"):
        Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_many(
            [("a", {"size": 5, "token": "new"}, "present"), ("b", {"size": 1}, "present")])
    assert client.writes == [] and client.fingerprint_posts == []


def test_a_field_the_resource_cannot_probe_stays_unverified_under_compare():
    client = PluginClient([{"name": "a", "size": 1, "token": "old"}])
    result = Reconciler(client, Thing(), secrets_policy="compare").ensure_one("a", {"token": "new"})
    assert not result["changed"] and result["secrets_not_verified"] == ["a.token"] and client.fingerprint_posts == []


def test_a_changing_field_resends_its_masked_parts_and_shows_them_changed_only_where_they_differ():
    stored = {"name": "a", "size": 1, "extra": {"key": "k1", "n": 1}}
    client = PluginClient([stored])
    kept = Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_one("a", {"extra": {"key": "k1", "n": 2}})
    # Equal: resent as declared (Airflow 2 cannot keep a masked part), shown as unchanged.
    assert client.writes[-1][2]["extra"] == {"key": "k1", "n": 2}
    assert kept["diff"]["after"]["extra"] == {"key": HIDDEN, "n": 2}
    client.objects["a"]["extra"] = {"key": "k1", "n": 2}
    sent = Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_one("a", {"extra": {"key": "k2", "n": 3}})
    assert client.writes[-1][2]["extra"] == {"key": "k2", "n": 3}
    assert sent["diff"]["after"]["extra"]["key"] == HIDDEN_CHANGED
    # A masked part alone that differs: the field becomes a change, written with its declared secrets.
    client.objects["a"]["extra"] = {"key": "k2", "n": 3}
    alone = Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_one("a", {"extra": {"key": "k3", "n": 3}})
    assert alone["changed"] and client.writes[-1][2]["extra"] == {"key": "k3", "n": 3}


def test_an_unknown_policy_is_a_programming_error():
    with pytest.raises(ValueError):
        Reconciler(RecordingClient("v2", []), Thing(), secrets_policy="sometimes")


# ----- a create that lost a race (HTTP 409) is planned again from what is there ------------------
class CreateRacingClient(PluginClient):
    """Another writer creates the object just before our POST; the server answers 409."""

    def __init__(self, winner, **kwargs):
        super().__init__([], **kwargs)
        self.winner = winner

    def post(self, path, body, confirm=None, ok=None, idempotent=None):
        if path == fingerprints.FINGERPRINT_PATH:
            return super().post(path, body, confirm, ok, idempotent)
        self.writes.append(("POST", path, body))
        self.objects[self.winner["name"]] = dict(self.winner)
        raise AirflowError("already exists", "POST", path, status=409)


def test_a_lost_create_adopts_the_fresh_plan_with_its_secrets_and_settled_verdicts():
    # The winner stored the declared secret part of extra; only "n" differs. Under compare the
    # re-plan asks the plugin, which finds the secret equal: it is resent (Airflow 2 cannot keep
    # a masked part) but the diff must not call it changed, which takes the fresh plan's verdicts.
    client = CreateRacingClient({"name": "a", "size": 1, "extra": {"key": "k1", "n": 1}})
    result = Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_one(
        "a", {"extra": {"key": "k1", "n": 2}})
    assert (result["created"], result["updated"], result["changes"]["updated"]) == (0, 1, ["a"])
    assert [w[0] for w in client.writes] == ["POST", "PATCH"]
    assert client.writes[-1][2] == {"name": "a", "extra": {"key": "k1", "n": 2}}
    assert len(client.fingerprint_posts) == 1
    assert result["diff"]["before"] == {"name": "a", "size": 1, "token": None, "extra": {"key": HIDDEN, "n": 1}}
    assert result["diff"]["after"]["extra"] == {"key": HIDDEN, "n": 2}
    assert result["thing"]["extra"] == {"key": HIDDEN, "n": 2}


def test_a_lost_create_shows_a_differing_secret_as_changed_and_lists_what_stays_unverified():
    client = CreateRacingClient({"name": "a", "size": 1, "extra": {"key": "k1", "n": 1}})
    changed = Reconciler(client, ProbedThing(), secrets_policy="compare").ensure_one(
        "a", {"extra": {"key": "k2", "n": 2}})
    assert changed["diff"]["after"]["extra"] == {"key": HIDDEN_CHANGED, "n": 2}
    assert client.objects["a"]["extra"] == {"key": "k2", "n": 2}

    client = CreateRacingClient({"name": "a", "size": 1, "token": "theirs"}, capabilities=None)
    kept = Reconciler(client, ProbedThing(), secrets_policy="auto").ensure_one("a", {"size": 1, "token": "ours"})
    assert not kept["changed"] and kept["secrets_not_verified"] == ["a.token"]
    assert [w[0] for w in client.writes] == ["POST"] and client.objects["a"]["token"] == "theirs"


def test_a_lost_create_in_a_per_item_bulk_write_is_summarized_as_the_update_it_became():
    client = CreateRacingClient({"name": "b", "size": 1}, version="v1")
    client.objects["a"] = {"name": "a", "size": 1}
    result = Reconciler(client, ProbedThing()).ensure_many([("a", {"size": 1}, "present"), ("b", {"size": 3}, "present")])
    assert result["changes"] == {"created": [], "updated": ["b"], "deleted": []}
    assert result["diff"]["before"]["b"]["size"] == 1 and result["diff"]["after"]["b"]["size"] == 3
    assert client.objects["b"]["size"] == 3
