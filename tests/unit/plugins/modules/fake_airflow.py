"""A small in-memory Airflow 3 (API v2, FAB auth manager, the collection's REST plugin) behind
requests.Session.request, for driving a module's main() end to end in unit tests. It keeps
objects by collection and answers GET/POST/PATCH/DELETE the way the API does; it does not
check permissions or validate bodies beyond what the modules' paths need."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

AIRFLOW_VERSION = "3.3.2"
# The server's clock stands still: every answer's Date header, and what a parse request moves on.
SERVER_DATE = "Thu, 01 Jan 2026 00:00:00 GMT"
PARSED_BEFORE = "2025-12-31T23:00:00Z"
PARSED_AFTER_REQUEST = "2026-01-01T00:01:00Z"

# collection path (below the API prefix) -> (id field, list key)
COLLECTIONS = {
    "api/v2/variables": ("key", "variables"),
    "api/v2/connections": ("connection_id", "connections"),
    "api/v2/pools": ("name", "pools"),
    "api/v2/dags": ("dag_id", "dags"),
    "auth/fab/v1/roles": ("name", "roles"),
    "auth/fab/v1/users": ("username", "users"),
}


class Response:
    def __init__(self, status, body=None):
        self.status_code = status
        self.headers = {"Content-Type": "application/json", "Date": SERVER_DATE}
        self.reason = ""
        self.text = "" if body is None else json.dumps(body)
        self.content = self.text.encode()
        self._body = body
        self.url = None

    def json(self):
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


class FakeAirflow:
    def __init__(self, base="http://127.0.0.1:8793"):
        self.base = base
        self.objects = dict((path, {}) for path in COLLECTIONS)
        self.files = {}      # REST plugin: dags folder, path -> entry
        self.tasks = {}      # dag id -> [task id], in order (each task feeds the next)
        self.task_instances = {}  # (dag id, run id) -> {task id: task instance}
        self.backfills = {}  # id -> backfill
        self.teams = None    # multi-team mode: None is off (Airflow's default), else the team names
        self.requests = []

    # ----- what a test sets up --------------------------------------------------------------
    def add_dag(self, dag_id, is_paused=False, fileloc=None):
        self.objects["api/v2/dags"][dag_id] = {
            "dag_id": dag_id, "is_paused": is_paused, "is_stale": False, "has_import_errors": False,
            "fileloc": fileloc or "/dags/%s.py" % dag_id, "relative_fileloc": "%s.py" % dag_id,
            "file_token": "tok-" + dag_id, "last_parsed_time": PARSED_BEFORE}
        self.objects["api/v2/dags/%s/dagRuns" % dag_id] = {}
        self.tasks[dag_id] = ["extract", "load"]

    def add_run(self, dag_id, run_id, state="failed", task_state="failed"):
        self.objects["api/v2/dags/%s/dagRuns" % dag_id][run_id] = {
            "dag_run_id": run_id, "dag_id": dag_id, "state": state, "run_type": "manual",
            "logical_date": "2026-01-01T00:00:00Z", "conf": {}, "note": None}
        self.add_task_instances(dag_id, run_id, task_state)

    def add_task_instances(self, dag_id, run_id, state):
        self.task_instances[(dag_id, run_id)] = dict(
            (task_id, {"task_id": task_id, "dag_id": dag_id, "dag_run_id": run_id, "map_index": -1,
                       "state": state, "try_number": 1, "note": None})
            for task_id in self.tasks[dag_id])

    # ----- requests.Session.request ---------------------------------------------------------
    def request(self, method, url, params=None, json=None, data=None, headers=None, **kwargs):
        assert url.startswith(self.base + "/"), url
        path = unquote(urlsplit(url).path[len(urlsplit(self.base).path) + 1:])
        self.requests.append((method, path))
        response = self.answer(method, path, params or {}, json, data)
        response.url = url
        return response

    def answer(self, method, path, params, body, data):
        if path in ("api/v2/version", "api/v2/version/"):
            return Response(200, {"version": AIRFLOW_VERSION, "git_version": None})
        if path == "auth/token" and method == "POST":
            return Response(201, {"access_token": "fake-jwt"})
        if path == "api/v2/monitor/health":
            return Response(200, {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy"}})
        if path == "ui/teams":
            if self.teams is None:
                return Response(403, {"detail": "Multi-team mode is not configured in the Airflow environment"})
            return Response(200, {"teams": [{"name": name} for name in self.teams], "total_entries": len(self.teams)})
        if method in ("POST", "PATCH") and (body or {}).get("team_name") and self.teams is None:
            # Airflow 3.3 validates every body: no team while multi-team mode is off.
            return Response(422, {"detail": [{"msg": "team_name cannot be set when multi_team mode is disabled"}]})
        if path == "rest_api/v1/version":
            return Response(200, {"plugin_version": "0.1.0", "capabilities": ["dag-files", "fingerprint"]})
        if path.startswith("rest_api/v1/dag-files"):
            return self.dag_files(method, path[len("rest_api/v1/dag-files"):].lstrip("/"), data)
        if path == "api/v2/importErrors":
            return Response(200, {"import_errors": [], "total_entries": 0})
        if path.startswith("api/v2/parseDagFile/") and method == "PUT":
            # PUT /parseDagFile/{file_token}: the DAG processor parses the file a minute later.
            token = path.rsplit("/", 1)[-1]
            for dag in self.objects["api/v2/dags"].values():
                if dag["file_token"] == token:
                    dag["last_parsed_time"] = PARSED_AFTER_REQUEST
            return Response(201, None)
        if path.startswith("api/v2/backfills"):
            return self.backfill(method, path[len("api/v2/backfills"):].strip("/"), params, body)
        parts = path.split("/")
        if parts[:3] == ["api", "v2", "dags"] and len(parts) >= 5 and parts[4] in ("tasks", "clearTaskInstances"):
            return self.dag_tasks(method, parts[3], parts[4], body)
        if parts[:3] == ["api", "v2", "dags"] and len(parts) >= 7 and parts[6] == "taskInstances":
            return self.run_task_instances(method, parts[3], parts[5], parts[7:], body)
        collection, ident = self.split(path)
        if collection is None:
            return Response(404, {"detail": "Not Found"})
        if collection.endswith("/dagRuns"):
            return self.dag_runs(method, collection, ident, body)
        return self.crud(method, collection, ident, body)

    def split(self, path):
        if path in self.objects:
            return path, None
        head, ident = path.rsplit("/", 1) if "/" in path else ("", path)
        if head in self.objects:
            return head, ident
        return None, None

    def crud(self, method, collection, ident, body):
        store = self.objects[collection]
        id_field, list_key = COLLECTIONS.get(collection, ("dag_run_id", "dag_runs"))
        if ident is None and method == "GET":
            items = list(store.values())
            return Response(200, {list_key: items, "total_entries": len(items)})
        if ident is None and method == "POST":
            obj = dict(body)
            store[obj[id_field]] = obj
            return Response(201, self.shown(collection, obj))
        if ident is None and method == "PATCH":
            return self.bulk(store, id_field, body)
        if ident not in store:
            return Response(404, {"detail": "%s not found" % ident})
        if method == "GET":
            return Response(200, self.shown(collection, store[ident]))
        if method == "PATCH":
            store[ident].update(body)
            return Response(200, self.shown(collection, store[ident]))
        if method == "DELETE":
            del store[ident]
            return Response(204)
        return Response(405, {"detail": "Method Not Allowed"})

    def bulk(self, store, id_field, body):
        answer = {}
        for action in body["actions"]:
            done = []
            for entity in action["entities"]:
                ident = entity if isinstance(entity, str) else entity[id_field]
                if action["action"] == "delete":
                    store.pop(ident, None)
                else:
                    store.setdefault(ident, {}).update(entity)
                done.append(ident)
            answer[action["action"]] = {"success": done, "errors": []}
        return Response(200, answer)

    @staticmethod
    def shown(collection, obj):
        """As Airflow 3 shows it: secrets masked, server-only fields added."""
        shown = dict(obj)
        if collection == "api/v2/connections" and shown.get("password"):
            shown["password"] = "***"
        if collection == "api/v2/pools":
            shown.setdefault("include_deferred", False)
            shown.update(occupied_slots=0, running_slots=0, queued_slots=0, open_slots=shown.get("slots"))
        if collection == "auth/fab/v1/users":
            shown.pop("password", None)
            shown.setdefault("active", True)
        if collection == "auth/fab/v1/roles":
            shown["actions"] = shown.get("actions") or []
        return shown

    def dag_runs(self, method, collection, ident, body):
        if method == "POST" and ident is None:
            run = dict(body, state="queued", dag_id=collection.split("/")[3])
            run.setdefault("dag_run_id", "manual__fake")
            self.objects[collection][run["dag_run_id"]] = run
            self.add_task_instances(run["dag_id"], run["dag_run_id"], "success")
            return Response(200, run)
        if method == "GET" and ident is not None and ident in self.objects[collection]:
            # Runs finish at once here, so that a wait ends; a finished run keeps its state.
            run = self.objects[collection][ident]
            if run["state"] in ("queued", "running"):
                run["state"] = "success"
        return self.crud(method, collection, ident, body)

    def dag_files(self, method, path, data):
        if method == "GET" and not path:
            return Response(200, {"files": list(self.files.values())})
        if method == "PUT":
            dag_id = path.rsplit("/", 1)[-1][:-len(".py")]
            created = path not in self.files
            self.files[path] = {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "dag_ids": [dag_id]}
            self.add_dag(dag_id)
            return Response(201 if created else 200, {"path": path, "dag_ids": [dag_id], "mtime": 1.0,
                                                      "created": created})
        if method == "DELETE":
            return Response(204 if self.files.pop(path, None) else 404)
        return Response(405, {"detail": "Method Not Allowed"})

    # ----- tasks and task instances -----------------------------------------------------------
    @staticmethod
    def listed(task_instances):
        return Response(200, {"task_instances": task_instances, "total_entries": len(task_instances)})

    def dag_tasks(self, method, dag_id, what, body):
        if dag_id not in self.objects["api/v2/dags"]:
            return Response(404, {"detail": "The Dag with ID: `%s` was not found" % dag_id})
        task_ids = self.tasks[dag_id]
        if what == "tasks" and method == "GET":
            tasks = [{"task_id": task_id, "operator_name": "EmptyOperator", "class_ref": {"class_name": "EmptyOperator"},
                      "downstream_task_ids": task_ids[i + 1:i + 2]} for i, task_id in enumerate(task_ids)]
            return Response(200, {"tasks": tasks, "total_entries": len(tasks)})
        if what == "clearTaskInstances" and method == "POST":
            # POST /dags/{dag_id}/clearTaskInstances: the task instances it clears (dry_run: would clear).
            instances = self.task_instances.get((dag_id, body["dag_run_id"]), {})
            cleared = [ti for task_id, ti in sorted(instances.items()) if task_id in body.get("task_ids", task_ids)
                       and (not body.get("only_failed") or ti["state"] in ("failed", "upstream_failed"))]
            answer = [dict(ti) for ti in cleared]
            if not body.get("dry_run", True):
                for ti in cleared:
                    ti.update(state=None, try_number=ti["try_number"] + 1)
            return self.listed(answer)
        return Response(405, {"detail": "Method Not Allowed"})

    def run_task_instances(self, method, dag_id, run_id, rest, body):
        instances = self.task_instances.get((dag_id, run_id))
        if run_id == "~":
            instances = dict((k, ti) for (dag, _run), tis in self.task_instances.items() if dag == dag_id
                             for k, ti in tis.items())
        if instances is None:
            return Response(404, {"detail": "The DagRun with dag_id: `%s` and run_id: `%s` was not found"
                                  % (dag_id, run_id)})
        if not rest and method == "GET":
            return self.listed([dict(ti) for _task_id, ti in sorted(instances.items())])
        if rest and method == "PATCH" and rest[0] in instances:
            # PATCH .../taskInstances/{task_id}[/dry_run]: new_state (with relatives) or note.
            ti = instances[rest[0]]
            if "note" in body:
                ti["note"] = body["note"]
                return Response(200, dict(ti))
            changing = [ti] if ti["state"] != body["new_state"] else []
            if rest[1:] == ["dry_run"]:
                return self.listed([dict(t) for t in changing])
            if not changing:
                return Response(409, {"detail": "Task id %s is already in %s state" % (rest[0], body["new_state"])})
            ti["state"] = body["new_state"]
            return self.listed([dict(ti)])
        return Response(404, {"detail": "Not Found"})

    # ----- backfills (Airflow 3) ----------------------------------------------------------------
    def backfill_dates(self, body):
        """Daily logical dates in the range that have no run yet (reprocess_behavior none)."""
        start, end = (datetime.fromisoformat(body[k].replace("Z", "+00:00")) for k in ("from_date", "to_date"))
        runs = self.objects.get("api/v2/dags/%s/dagRuns" % body["dag_id"], {}).values()
        taken = set(r.get("logical_date") for r in runs)
        dates = []
        while start <= end:
            stamp = start.isoformat().replace("+00:00", "Z")
            if stamp not in taken:
                dates.append(stamp)
            start += timedelta(days=1)
        return dates

    def backfill(self, method, rest, params, body):
        if not rest and method == "GET":
            found = [b for b in self.backfills.values() if b["dag_id"] == params.get("dag_id", b["dag_id"])]
            return Response(200, {"backfills": found, "total_entries": len(found)})
        if rest == "dry_run" and method == "POST":
            dates = [{"logical_date": d, "partition_key": None, "partition_date": None}
                     for d in self.backfill_dates(body)]
            return Response(200, {"backfills": dates, "total_entries": len(dates)})
        if not rest and method == "POST":
            ident = len(self.backfills) + 1
            backfill = dict(body, id=ident, is_paused=False, created_at="2026-01-01T00:00:00Z", completed_at=None,
                            updated_at="2026-01-01T00:00:00Z", dag_display_name=body["dag_id"])
            for date in self.backfill_dates(body):
                run_id = "backfill__" + date
                self.objects["api/v2/dags/%s/dagRuns" % body["dag_id"]][run_id] = {
                    "dag_run_id": run_id, "dag_id": body["dag_id"], "state": "queued", "run_type": "backfill",
                    "logical_date": date, "conf": body.get("dag_run_conf")}
            self.backfills[ident] = backfill
            return Response(200, backfill)
        ident, _slash, action = rest.partition("/")
        backfill = self.backfills.get(int(ident)) if ident.isdigit() else None
        if backfill is None:
            return Response(404, {"detail": "Backfill not found"})
        if method == "GET" and not action:
            # Backfills complete at once here, so that a wait ends.
            backfill["completed_at"] = "2026-01-01T00:05:00Z"
            for run in self.objects["api/v2/dags/%s/dagRuns" % backfill["dag_id"]].values():
                if run.get("run_type") == "backfill":
                    run["state"] = "success"
            return Response(200, backfill)
        if method == "PUT" and action in ("pause", "unpause", "cancel"):
            if backfill["completed_at"] is not None:
                return Response(409, {"detail": "Backfill is already completed."})
            backfill["is_paused"] = action != "unpause"
            if action == "cancel":
                backfill["completed_at"] = "2026-01-01T00:05:00Z"
            return Response(200, backfill)
        return Response(405, {"detail": "Method Not Allowed"})
