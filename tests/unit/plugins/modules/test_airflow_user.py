from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.masking import HIDDEN, HIDDEN_CHANGED
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Reconciler
from ansible_collections.dagops.airflow.tests.unit.plugins.module_utils.offline_client import bound
from ansible_collections.dagops.airflow.plugins.modules.airflow_user import UserResource, desired_user

SERVER_USER = {"username": "alice", "email": "a@example.com", "first_name": "Alice", "last_name": "Smith",
               "roles": [{"name": "Viewer"}, {"name": "Op"}], "active": True, "login_count": 3}


def params(**overrides):
    base = dict(username="alice", email=None, first_name=None, last_name=None, roles=None, password=None)
    base.update(overrides)
    return base


def test_roles_are_a_set_and_server_only_fields_are_dropped():
    user = UserResource().from_api(SERVER_USER, desired_user(params(roles=["Op", "Viewer", "Op"])))
    assert user == {"username": "alice", "email": "a@example.com", "first_name": "Alice", "last_name": "Smith",
                    "roles": ["Op", "Viewer"]}
    assert desired_user(params(roles=["Viewer", "Op", "Op"]))["roles"] == user["roles"]


def test_a_declared_password_reads_back_as_unknown_never_as_a_value():
    user = UserResource().from_api(SERVER_USER, desired_user(params(password="pw-1")))
    assert user["password"] == "***"
    assert UserResource().redact(user)["password"] == HIDDEN


def test_the_body_carries_the_names_airflow_2_requires_and_the_password_only_when_written():
    state = {"username": "alice", "email": "a@example.com", "first_name": "Alice", "last_name": "Smith",
             "roles": ["Op"], "password": "***"}
    body = UserResource().to_body(state, ["roles"])
    assert body == {"username": "alice", "email": "a@example.com", "first_name": "Alice", "last_name": "Smith",
                    "roles": [{"name": "Op"}]}
    assert UserResource().to_body(dict(state, password="new"), ["password"])["password"] == "new"


def test_a_new_user_needs_everything_to_be_created():
    problem = UserResource().validate("bob", desired_user(params(username="bob", email="b@example.com")), "present", None)
    assert problem == "user 'bob' does not exist yet: set first_name, last_name, password, roles to create it"


def test_an_unknown_role_fails_before_writing_and_only_new_roles_are_looked_up():
    roles = dict(("auth/fab/v1/roles/%s" % name, {"name": name}) for name in ("Viewer", "Op", "Admin"))
    resource = bound(UserResource(), "v2", roles)
    current = UserResource().from_api(SERVER_USER)
    problem = resource.validate("alice", desired_user(params(roles=["Viewer", "Nope", "Admin"])), "present", current)
    assert problem.startswith("role 'Nope' does not exist on the server")
    # Viewer is already the user's: only the roles it gains are looked up, through the bound client.
    assert resource.client.read == ["auth/fab/v1/roles/Admin", "auth/fab/v1/roles/Nope"]
    assert resource.validate("alice", desired_user(params(roles=["Op"])), "present", current) is None
    assert len(resource.client.read) == 2  # Op is the user's already
    assert bound(UserResource(), "v1", {"api/v1/roles/Op": {"name": "Op"}}).missing_roles(["Op", "X"]) == ["X"]


class OneUserClient:
    """Serves one user the way both APIs do: never with its password."""

    def __init__(self):
        self.api = dialect_for("v2")
        self.stored = dict(SERVER_USER)
        self.writes = []

    def connect(self):
        return self.api

    def rest_plugin(self):
        return None  # no REST plugin: auto is on_create

    def get_or_none(self, path):
        return dict(self.stored)

    def patch(self, path, body, params=None):
        self.writes.append((path, body, params))
        self.stored.update((k, v) for k, v in body.items() if k != "password")
        return dict(self.stored)


def test_without_the_plugin_auto_leaves_an_existing_password_unverified_and_unsent():
    client = OneUserClient()
    result = Reconciler(client, UserResource(), secrets_policy="auto").ensure_one(
        "alice", desired_user(params(password="pw-1", roles=["Viewer", "Op"])))
    assert not result["changed"] and result["secrets_not_verified"] == ["alice.password"]
    assert result["secrets_policy"] == "on_create"
    assert client.writes == []


def test_always_sends_the_password_and_shows_it_only_as_changed():
    client = OneUserClient()
    result = Reconciler(client, UserResource(), secrets_policy="always").ensure_one(
        "alice", desired_user(params(password="pw-2")))
    assert result["changed"] and result["updated"] == 1
    assert result["diff"]["before"]["password"] == HIDDEN and result["diff"]["after"]["password"] == HIDDEN_CHANGED
    path, body, mask = client.writes[0]
    assert path == "auth/fab/v1/users/alice" and body["password"] == "pw-2" and mask == {"update_mask": "password"}
    assert "pw-2" not in repr(result)


class PluginUserClient(OneUserClient):
    """The same user, and a REST plugin that checks candidates against the stored password."""

    def __init__(self, password):
        super().__init__()
        self.password = password
        self.asked = []

    def rest_plugin(self):
        return {"plugin_version": "0.1.0", "capabilities": ["fingerprint"]}

    def require_rest_plugin(self, capability):
        return self.rest_plugin()

    def post(self, path, body, ok=None, idempotent=None):
        assert path == "rest_api/v1/secrets/fingerprint" and idempotent
        self.asked.append(body["items"])
        return {"results": [{"exists": True, "matches": item["candidate"] == self.password} for item in body["items"]]}

    def patch(self, path, body, params=None):
        if "password" in body:
            self.password = body["password"]
        return super().patch(path, body, params)


def test_compare_checks_the_declared_password_as_a_candidate():
    client = PluginUserClient("pw-1")
    same = Reconciler(client, UserResource(), secrets_policy="auto").ensure_one(
        "alice", desired_user(params(password="pw-1")))
    assert not same["changed"] and same["secrets_not_verified"] == [] and same["secrets_policy"] == "compare"
    assert client.asked == [[{"kind": "user_password", "username": "alice", "candidate": "pw-1"}]]
    other = Reconciler(client, UserResource(), secrets_policy="compare").ensure_one(
        "alice", desired_user(params(password="pw-2")))
    assert other["changed"] and other["diff"]["after"]["password"] == HIDDEN_CHANGED
    assert client.writes[-1][1]["password"] == "pw-2" and client.password == "pw-2"
    assert "pw-2" not in repr(other)
