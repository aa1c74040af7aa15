from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.tests.unit.plugins.module_utils.offline_client import bound
from ansible_collections.dagops.airflow.plugins.modules.airflow_role import RoleResource, desired_role

READ_DAGS = {"action": "can_read", "resource": "DAGs"}
READ_POOLS = {"action": "can_read", "resource": "Pools"}


def server_role(*pairs):
    return {"name": "Analyst", "actions": [{"action": {"name": a}, "resource": {"name": r}} for a, r in pairs]}


def test_permissions_are_a_set_in_a_stable_order():
    listed = server_role(("can_read", "Pools"), ("can_read", "DAGs"), ("can_read", "Pools"))
    shown = bound(RoleResource(), "v2").from_api(listed)
    declared = desired_role({"name": "Analyst", "permissions": [READ_DAGS, READ_POOLS, READ_DAGS]})
    assert shown == declared == {"name": "Analyst", "permissions": [READ_DAGS, READ_POOLS]}


def test_not_declaring_permissions_leaves_them_alone():
    assert desired_role({"name": "Analyst", "permissions": None})["permissions"] is None


def test_body_and_mask_use_the_apis_actions_shape_on_both_versions():
    for version in ("v1", "v2"):
        role = bound(RoleResource(), version)
        body = role.to_body({"name": "Analyst", "permissions": [READ_DAGS]}, ["permissions"])
        assert body == {"name": "Analyst", "actions": [{"action": {"name": "can_read"}, "resource": {"name": "DAGs"}}]}
        assert role.update_mask(dialect_for(version), ["permissions"]) == {"update_mask": "actions"}
        assert role.item_path(dialect_for(version), "A b") == ("api/v1" if version == "v1" else "auth/fab/v1") + "/roles/A%20b"


def test_built_in_roles_are_deleted_only_with_force():
    assert "force: true" in bound(RoleResource()).validate("Viewer", {}, "absent", {"name": "Viewer"})
    assert bound(RoleResource(force=True)).validate("Viewer", {}, "absent", {"name": "Viewer"}) is None
    assert bound(RoleResource()).validate("Analyst", {}, "absent", {"name": "Analyst"}) is None


def test_airflow_2_cannot_remove_a_permission_and_says_how_before_writing():
    current = {"name": "Data Team", "permissions": [READ_DAGS, READ_POOLS]}
    shrink = {"name": "Data Team", "permissions": [READ_DAGS]}
    problem = bound(RoleResource(), "v1").validate("Data Team", shrink, "present", current)
    assert "airflow roles del-perms 'Data Team' -a can_read -r Pools" in problem
    assert bound(RoleResource(), "v2").validate("Data Team", shrink, "present", current) is None
    grow = {"name": "Data Team", "permissions": [READ_DAGS, READ_POOLS, {"action": "can_edit", "resource": "Pools"}]}
    assert bound(RoleResource(), "v1").validate("Data Team", grow, "present", current) is None
    assert bound(RoleResource(), "v1").validate("Data Team", {"permissions": None}, "present", current) is None


def test_the_homepage_fab_adds_to_every_role_is_no_difference_unless_declared():
    # FAB's sync (Airflow 3.1 and 3.2's FAB provider: at every request of its API) adds it back.
    stored = server_role(("can_read", "DAGs"), ("can_read", "Website"))
    role = bound(RoleResource(), "v2")
    assert role.from_api(stored, {"permissions": [READ_DAGS]})["permissions"] == [READ_DAGS]
    homepage = {"action": "can_read", "resource": "Website"}
    assert role.from_api(stored, {"permissions": [READ_DAGS, homepage]})["permissions"] == [READ_DAGS, homepage]
    assert role.from_api(stored, {"permissions": None})["permissions"] == [READ_DAGS, homepage]
