# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Everything that differs between Airflow's REST API v1 (Airflow 2) and v2 (Airflow 3).

Modules and the reconcile engine never test the API version themselves: they ask the
dialect for paths, update-mask parameters, write semantics and capabilities.
"""

from __future__ import annotations

import re
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
    users_path = "api/v1/users"
    supports_bulk = False
    # v1 checks update_mask against its schema's attribute names, not the JSON field names.
    mask_names = {"variables": {"value": "val"}}
    # Collections whose list answer leaves out fields that the single GET shows: v1 lists
    # connections without ``extra`` (and never shows ``password``).
    partial_lists = frozenset(["connections"])
    # Collections whose update keeps the stored value wherever a secret is sent as ``***``. v1
    # stores what it is sent, so a masked part cannot be kept while the rest of a field changes.
    keeps_masked_on_update = frozenset()
    # What a PATCH may change on default_pool when the body names it (v1 checks only the name).
    default_pool_fields = frozenset(["slots", "include_deferred", "description"])

    def path(self, *parts):
        return "/".join((self.prefix,) + tuple(_quote(p) for p in parts))

    def update_mask(self, collection, fields):
        """v1 takes one comma-separated value: ?update_mask=a,b"""
        names = self.mask_names.get(collection, {})
        return {"update_mask": ",".join(sorted(names.get(f, f) for f in fields))}

    def lists_full_objects(self, collection):
        return collection not in self.partial_lists

    def keeps_masked(self, collection):
        return collection in self.keeps_masked_on_update

    def unlimited_pool_slots(self, airflow_version):
        """Whether ``slots: -1`` (unlimited) can be written. Airflow 2's API stores such a pool,
        then answers HTTP 500 for it and for every pool listing (``open_slots`` is infinite)."""
        return False

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
    users_path = "auth/fab/v1/users"
    supports_bulk = True
    mask_names = {}
    partial_lists = frozenset()
    # A connection's PATCH (single and bulk) merges ``***`` in ``password`` and in the sensitive
    # keys of ``extra`` with the stored secret; variables store ``***`` as it is.
    keeps_masked_on_update = frozenset(["connections"])
    default_pool_fields = frozenset(["slots", "include_deferred"])

    def update_mask(self, collection, fields):
        """v2 repeats the parameter: ?update_mask=a&update_mask=b"""
        return {"update_mask": sorted(fields)}

    def unlimited_pool_slots(self, airflow_version):
        # 3.0 and 3.1 refuse -1 or fail to show the pool; 3.2 validates slots >= -1 and shows it.
        return version_tuple(airflow_version) >= (3, 2)


def version_tuple(version):
    """``"3.2.1"`` -> (3, 2, 1); pre-release suffixes are ignored; unknown -> ()."""
    numbers = []
    for part in str(version or "").split(".")[:3]:
        digits = re.match(r"\d+", part)
        if not digits:
            break
        numbers.append(int(digits.group()))
    return tuple(numbers)


def dialect_for(version):
    return {"v1": ApiV1, "v2": ApiV2}[version]()


def _quote(part):
    # Keys may hold '/', '#', spaces: keep the path segment intact.
    return quote(str(part), safe="")
