"""Roles and users read back in the shape of airflow_role's and airflow_user's options."""

from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.errors import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.readback import Selection, read_roles, read_users
from ansible_collections.dagops.airflow.plugins.modules.airflow_role import RoleResource, desired_role
from ansible_collections.dagops.airflow.plugins.modules.airflow_user import UserResource, desired_user
from ansible_collections.dagops.airflow.tests.unit.plugins.module_utils.offline_client import bound


class FabServer:
    """The FAB list answers of one collection; ``user_api`` False is Airflow 3's simple auth manager."""

    def __init__(self, api, collection, listed, user_api=True):
        self.api = dialect_for(api)
        self.collection = collection
        self.listed = listed
        self.user_api = user_api

    def connect(self):
        return self.api

    def require_user_api(self, collection):
        if not self.user_api:
            raise AirflowError(self.api.no_user_api)

    def list_all(self, path, items_key, params=None):
        assert (path, items_key) == (self.api.fab_path(self.collection), self.collection)
        return self.listed


def api_role(name, *pairs):
    return {"name": name, "actions": [{"action": {"name": a}, "resource": {"name": r}} for a, r in pairs]}


def api_user(username, *roles):
    return {"username": username, "email": "%s@example.com" % username, "first_name": username.title(),
            "last_name": "Doe", "roles": [{"name": r} for r in roles], "active": True, "login_count": 3,
            "password": "never-shown-but-if-it-were"}


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_roles_sorted_with_permissions_as_a_set(api):
    server = FabServer(api, "roles", [
        api_role("Viewer", ("can_read", "DAGs")),
        api_role("Analyst", ("can_read", "Pools"), ("can_read", "DAGs"), ("can_read", "Pools")),
    ])
    result = read_roles(server, Selection(["Analyst", "Nope"]))
    assert result == {"roles": [{"name": "Analyst", "permissions": [
        {"action": "can_read", "resource": "DAGs"}, {"action": "can_read", "resource": "Pools"}]}],
        "missing": ["Nope"]}


def test_a_role_item_fed_back_is_unchanged():
    server = FabServer("v2", "roles", [api_role("Analyst", ("can_edit", "Pools"), ("can_read", "DAGs"))])
    item = read_roles(server, Selection())["roles"][0]
    current = bound(RoleResource()).from_api(server.listed[0])
    assert desired_role(dict(item, state="present", force=False)) == current


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_users_in_airflow_users_shape_without_a_password(api):
    server = FabServer(api, "users", [api_user("bob", "Viewer", "Op", "Viewer"), api_user("alice", "Admin")])
    result = read_users(server, Selection(pattern="*"))
    assert result["missing"] == []
    assert result["users"] == [
        {"username": "alice", "email": "alice@example.com", "first_name": "Alice", "last_name": "Doe",
         "roles": ["Admin"]},
        {"username": "bob", "email": "bob@example.com", "first_name": "Bob", "last_name": "Doe",
         "roles": ["Op", "Viewer"]},
    ]
    assert "never-shown" not in repr(result)


def test_a_user_item_fed_back_is_unchanged():
    server = FabServer("v1", "users", [api_user("bob", "Viewer")])
    item = read_users(server, Selection())["users"][0]
    current = bound(UserResource(), "v1").from_api(server.listed[0])
    # No password declared: the module leaves it alone, and every other option equals what is stored.
    declared = desired_user(dict(item, password=None))
    assert declared.pop("password") is None
    assert declared == current


@pytest.mark.parametrize("read, collection", [(read_roles, "roles"), (read_users, "users")])
def test_without_a_user_api_the_error_says_why(read, collection):
    with pytest.raises(AirflowError) as err:
        read(FabServer("v2", collection, [], user_api=False), Selection())
    assert "simple_auth_manager_users" in str(err.value)
