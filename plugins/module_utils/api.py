# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Everything that differs between Airflow's REST API v1 (Airflow 2) and v2 (Airflow 3).

Modules and the reconcile engine never test the API version themselves: they ask the
dialect for paths, update-mask parameters, write semantics and capabilities.
"""

from __future__ import annotations

from urllib.parse import quote

# The value both APIs answer in place of a secret they will not show.
MASKED = "***"


class ApiV1:
    """Airflow 2.x: /api/v1, HTTP Basic auth, no bulk endpoints."""

    version = "v1"
    prefix = "api/v1"
    auth = "basic"
    health_path = "api/v1/health"
    # Users and roles (the FAB security model): Airflow 2 serves them in its own API.
    fab_prefix = "api/v1"
    # Airflow 2's role PATCH only adds permissions (FAB's bulk_sync_roles); it never removes one.
    role_update_removes_permissions = False
    no_user_api = (
        "this Airflow 2 server does not serve /api/v1/users and /api/v1/roles: managing users and roles "
        "needs the FAB auth manager ([core] auth_manager) and the API auth backend that allows these calls")
    supports_bulk = False
    # v1 checks update_mask against its schema's attribute names, not the JSON field names.
    mask_names = {"variables": {"value": "val"}}

    def path(self, *parts):
        return "/".join((self.prefix,) + tuple(_quote(p) for p in parts))

    def update_mask(self, collection, fields):
        """v1 takes one comma-separated value: ?update_mask=a,b"""
        names = self.mask_names.get(collection, {})
        return {"update_mask": ",".join(sorted(names.get(f, f) for f in fields))}

    def fab_path(self, *parts):
        """Users and roles live with the FAB security model, wherever this Airflow serves it."""
        return "/".join((self.fab_prefix,) + tuple(_quote(p) for p in parts))

    def fab_update_mask(self, fields):
        # FAB's own API takes one comma-separated value on every Airflow version.
        return {"update_mask": ",".join(sorted(fields))}


class ApiV2(ApiV1):
    """Airflow 3.x: /api/v2, JWT from /auth/token, bulk PATCH on collections."""

    version = "v2"
    prefix = "api/v2"
    auth = "jwt"
    health_path = "api/v2/monitor/health"
    # Only the FAB auth manager serves users and roles on Airflow 3; the simple one has no API.
    fab_prefix = "auth/fab/v1"
    role_update_removes_permissions = True
    no_user_api = (
        "this Airflow 3 server has no API for users and roles: only the FAB auth manager serves one "
        "(apache-airflow-providers-fab with [core] auth_manager = "
        "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager). With the simple auth manager, "
        "users and their roles are configured in [core] simple_auth_manager_users and their passwords in the "
        "JSON file named by [core] simple_auth_manager_passwords_file, not through the API")
    supports_bulk = True
    mask_names = {}

    def update_mask(self, collection, fields):
        """v2 repeats the parameter: ?update_mask=a&update_mask=b"""
        return {"update_mask": sorted(fields)}


def dialect_for(version):
    return {"v1": ApiV1, "v2": ApiV2}[version]()


def _quote(part):
    # Keys may hold '/', '#', spaces: keep the path segment intact.
    return quote(str(part), safe="")
