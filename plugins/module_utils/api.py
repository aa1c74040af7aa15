# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Everything that differs between Airflow's REST API v1 (Airflow 2) and v2 (Airflow 3).

Modules and the reconcile engine never test the API version themselves: they ask the
dialect for paths, update-mask parameters, write semantics and capabilities.
"""

from __future__ import annotations

import posixpath
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
    # Airflow 2's role PATCH only adds permissions (FAB's bulk_sync_roles); it never removes one.
    role_update_removes_permissions = False
    no_user_api = (
        "this Airflow 2 server does not serve /api/v1/users and /api/v1/roles: managing users and roles "
        "needs the FAB auth manager ([core] auth_manager) and the API auth backend that allows these calls")
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
    # v1 never returns a connection's password, not even masked: nothing tells whether one is set.
    shows_connection_password = False
    # Backfills are an API resource from Airflow 3 on; Airflow 2 runs them with its CLI.
    backfill_prefix = None
    no_backfill_api = (
        "this Airflow 2 server has no API for backfills (Airflow 3 added /api/v2/backfills); nothing was sent. Run the "
        "backfill on the Airflow host instead: airflow dags backfill --start-date FROM --end-date TO DAG_ID "
        "(--reset-dagruns to run existing dates again, --run-backwards, --conf JSON)")

    # Multi-team mode (Airflow 3.2+, [core] multi_team): variables, connections and pools may belong to
    # a team. Airflow 2 has no teams (teams.py reads them where ``teams_path`` is set).
    teams_path = None
    no_teams = ("this Airflow 2 server has no teams: team_name needs Airflow 3.2 or later with "
                "[core] multi_team = True")

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

    def bulk_update_masks(self, airflow_version):
        """Whether the bulk PATCH's ``update`` action takes an ``update_mask`` (no bulk on v1)."""
        return False

    def fab_path(self, *parts):
        """Users and roles live with the FAB security model, wherever this Airflow serves it."""
        return "/".join((self.fab_prefix,) + tuple(_quote(p) for p in parts))

    def fab_update_mask(self, fields):
        # FAB's own API takes one comma-separated value on every Airflow version.
        return {"update_mask": ",".join(sorted(fields))}

    # ----- DAGs and DAG runs ------------------------------------------------------------------
    def dag_is_stale(self, dag):
        """True for a DAG that no file defines any more (Airflow 2 calls the others active)."""
        return dag.get("is_active") is False

    def dag_file(self, dag):
        """The DAG's file as import errors name it: Airflow 2 uses the absolute path."""
        return dag.get("fileloc")

    def import_error_params(self, dag_file):
        """Query parameters that narrow GET importErrors to ``dag_file``: Airflow 2 has no
        filter, so every error is read and the caller matches the (absolute) file names."""
        return {}

    def trigger_body(self, run_id, logical_date, conf, note):
        """The body that triggers a run; Airflow 2 picks the logical date when none is sent."""
        body = {}
        for key, value in (("dag_run_id", run_id), ("logical_date", logical_date), ("conf", conf), ("note", note)):
            if value is not None:
                body[key] = value
        return body

    def reparse_call(self, file_token):
        """(path, accepted statuses) of the request that asks for a priority parse of a DAG's file
        (2.10+). Airflow 2 answers a repeated request with 201 ("Duplicate request")."""
        return self.path("parseDagFile", file_token), (201,)

    def dag_run_updates(self, run_path, state, fields):
        """[(path, body, params)] that set ``fields`` (state, note) of a run: Airflow 2 sets
        the state with a PATCH on the run and the note at its own setNote endpoint."""
        calls = []
        if "state" in fields:
            calls.append((run_path, {"state": state["state"]}, None))
        if "note" in fields:
            calls.append((run_path + "/setNote", {"note": state["note"]}, None))
        return calls

    # ----- task instances ---------------------------------------------------------------------
    def run_date_range_params(self, start, end):
        """Query parameters that list a DAG's runs between two logical dates (Airflow 2 calls
        them execution dates)."""
        params = {}
        if start is not None:
            params["execution_date_gte"] = start
        if end is not None:
            params["execution_date_lte"] = end
        return params

    def latest_run_params(self):
        """List parameters that put a DAG's newest run first (Airflow 2 orders by execution date)."""
        return {"order_by": "-execution_date"}

    def mark_task_call(self, dag_id, run_id, task_id, new_state, upstream, downstream, dry_run):
        """(method, path, body, params) that sets a task instance's state, with its relatives;
        the answer lists the task instances it changes (already in ``new_state``: not listed).
        Airflow 2: one endpoint for both, ``dry_run`` in the body."""
        body = {"dry_run": dry_run, "task_id": task_id, "dag_run_id": run_id, "new_state": new_state,
                "include_upstream": upstream, "include_downstream": downstream,
                "include_future": False, "include_past": False}
        return "POST", self.path("dags", dag_id, "updateTaskInstancesState"), body, None

    def task_note_call(self, dag_id, run_id, task_id, note):
        """(method, path, body, params) that sets a task instance's note."""
        return "PATCH", self.path("dags", dag_id, "dagRuns", run_id, "taskInstances", task_id, "setNote"), \
            {"note": note}, None


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
    partial_lists = frozenset()
    # A connection's PATCH (single and bulk) merges ``***`` in ``password`` and in the sensitive
    # keys of ``extra`` with the stored secret; variables store ``***`` as it is.
    keeps_masked_on_update = frozenset(["connections"])
    default_pool_fields = frozenset(["slots", "include_deferred"])
    # v2 answers ``***`` for a set password and null for none.
    shows_connection_password = True
    backfill_prefix = "api/v2/backfills"
    # The teams are listed by the UI's API (the public one has no teams route): 3.2+ answers 403
    # while [core] multi_team is off; 3.0 and 3.1 have no such route.
    teams_path = "ui/teams"
    teams_off = ("multi-team mode is off on this Airflow %s (the server says: %s): team_name needs "
                 "[core] multi_team = True on the Airflow servers and the team created (airflow teams create NAME)")
    no_teams_route = "this Airflow %s has no teams: team_name needs Airflow 3.2 or later with [core] multi_team = True"

    def update_mask(self, collection, fields):
        """v2 repeats the parameter: ?update_mask=a&update_mask=b"""
        return {"update_mask": sorted(fields)}

    def dag_is_stale(self, dag):
        return bool(dag.get("is_stale"))

    def dag_file(self, dag):
        """Import errors name the file relative to its bundle's root (the dags folder)."""
        return dag.get("relative_fileloc") or dag.get("fileloc")

    def import_error_params(self, dag_file):
        """``filename`` is an exact match on the bundle-relative name (3.3+); an absolute path
        can only be narrowed by its base name (``filename_pattern``, a substring match, 3.1+).
        Older 3.x ignore unknown parameters, so the caller matches the names in any case."""
        if not dag_file:
            return {}
        if dag_file.startswith("/"):
            return {"filename_pattern": posixpath.basename(dag_file)}
        return {"filename": dag_file}

    def trigger_body(self, run_id, logical_date, conf, note):
        """v2 requires the key logical_date; null lets the run have none (Airflow 3 allows that)."""
        body = super().trigger_body(run_id, None, conf, note)
        body["logical_date"] = logical_date
        return body

    def reparse_call(self, file_token):
        # Airflow 3 keeps one pending request per file (a unique key): while one waits, a second
        # answers 409, which means the parse is already asked for.
        return self.path("parseDagFile", file_token), (201, 409)

    def dag_run_updates(self, run_path, state, fields):
        return [(run_path, dict((f, state[f]) for f in fields), self.update_mask("dagRuns", fields))]

    def unlimited_pool_slots(self, airflow_version):
        # 3.0 and 3.1 refuse -1 or fail to show the pool; 3.2 validates slots >= -1 and shows it.
        return version_tuple(airflow_version) >= (3, 2)

    def bulk_update_masks(self, airflow_version):
        # 3.2 added update_mask to the bulk update action; 3.0 and 3.1 refuse it (422 "Extra inputs
        # are not permitted") and would replace whole objects, so updates there go one by one to
        # the single PATCH, which takes a mask on every 3.x.
        return version_tuple(airflow_version) >= (3, 2)

    def run_date_range_params(self, start, end):
        params = {}
        if start is not None:
            params["logical_date_gte"] = start
        if end is not None:
            params["logical_date_lte"] = end
        return params

    def latest_run_params(self):
        # A run may have no logical date on Airflow 3; every run has run_after.
        return {"order_by": "-run_after"}

    def mark_task_call(self, dag_id, run_id, task_id, new_state, upstream, downstream, dry_run):
        # Airflow 3: a PATCH on the task instance, its dry run at .../dry_run; the real PATCH
        # answers 409 when nothing is left to change, so callers send it only after a dry run.
        path = self.path("dags", dag_id, "dagRuns", run_id, "taskInstances", task_id)
        body = {"new_state": new_state, "include_upstream": upstream, "include_downstream": downstream}
        return "PATCH", path + "/dry_run" if dry_run else path, body, self.update_mask("taskInstances", ["new_state"])

    def task_note_call(self, dag_id, run_id, task_id, note):
        path = self.path("dags", dag_id, "dagRuns", run_id, "taskInstances", task_id)
        return "PATCH", path, {"note": note}, self.update_mask("taskInstances", ["note"])


def health_statuses(health):
    """The statuses of a health answer that say whether the server is healthy: each component's
    that reports one, but not the triggerer's while none ever ran (an optional component). Up to
    3.3 its status is then null; 3.4 reports it "unhealthy" (detailed_status "down") without a
    heartbeat."""
    statuses = []
    for name, part in (health or {}).items():
        if not isinstance(part, dict) or not part.get("status"):
            continue
        if name == "triggerer" and not part.get("latest_triggerer_heartbeat") and not part.get("instances"):
            continue
        statuses.append(part["status"])
    return statuses


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
