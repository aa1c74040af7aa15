# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Users and roles: the objects of FAB's security model, wherever the server serves them."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Resource


class FabResource(Resource):
    """A user or a role. Airflow 2 serves them in its own API and Airflow 3 only with the FAB auth
    manager (the dialect's ``fab_path``); neither has a bulk endpoint, and FAB's own API takes a
    comma-separated update mask on every Airflow version."""

    bulk = False
    mask_names = {}     # field -> the name FAB's update mask knows it by

    def collection_path(self, api):
        return api.fab_path(self.collection)

    def item_path(self, api, ident):
        return api.fab_path(self.collection, ident)

    def update_mask(self, api, fields):
        return api.fab_update_mask([self.mask_names.get(f, f) for f in fields])


# The roles Airflow creates itself (and re-creates at every start of its web/api server).
BUILT_IN_ROLES = ("Admin", "Op", "User", "Viewer", "Public")
# A user's fields besides its username and roles, as both APIs and airflow_user name them.
USER_NAME_FIELDS = ("email", "first_name", "last_name")


def permission_list(pairs):
    """Permissions as a set, in a stable order (by resource, then action), so that order never counts."""
    unique = set(pairs)
    return [{"action": action, "resource": resource}
            for action, resource in sorted(unique, key=lambda ar: (ar[1] or "", ar[0] or ""))]


def role_names(roles):
    """Role names as a set, in a stable order: compared as a set, shown sorted."""
    return sorted(set(r["name"] if isinstance(r, dict) else r for r in roles))


def role_item(obj):
    """A role of the API as airflow_role's options: ``name`` and ``permissions``."""
    pairs = [(item.get("action", {}).get("name"), item.get("resource", {}).get("name"))
             for item in obj.get("actions") or []]
    return {"name": obj.get("name"), "permissions": permission_list(pairs)}


def user_item(obj):
    """A user of the API as airflow_user's options, never with a password (no API shows one)."""
    user = {"username": obj.get("username")}
    user.update((f, obj.get(f)) for f in USER_NAME_FIELDS)
    user["roles"] = role_names(obj.get("roles") or [])
    return user
