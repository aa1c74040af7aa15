"""A small in-memory Airflow 3 (API v2, FAB auth manager, the collection's REST plugin) behind
requests.Session.request, for driving a module's main() end to end in unit tests. It keeps
objects by collection and answers GET/POST/PATCH/DELETE the way the API does; it does not
check permissions or validate bodies beyond what the modules' paths need."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import unquote, urlsplit

AIRFLOW_VERSION = "3.3.2"

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
        self.headers = {"Content-Type": "application/json"}
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
        self.requests = []

    # ----- what a test sets up --------------------------------------------------------------
    def add_dag(self, dag_id, is_paused=False, fileloc=None):
        self.objects["api/v2/dags"][dag_id] = {
            "dag_id": dag_id, "is_paused": is_paused, "is_stale": False, "has_import_errors": False,
            "fileloc": fileloc or "/dags/%s.py" % dag_id, "relative_fileloc": "%s.py" % dag_id,
            "file_token": "tok-" + dag_id}
        self.objects["api/v2/dags/%s/dagRuns" % dag_id] = {}

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
        if path == "rest_api/v1/version":
            return Response(200, {"plugin_version": "0.1.0", "capabilities": ["dag-files", "fingerprint"]})
        if path.startswith("rest_api/v1/dag-files"):
            return self.dag_files(method, path[len("rest_api/v1/dag-files"):].lstrip("/"), data)
        if path == "api/v2/importErrors":
            return Response(200, {"import_errors": [], "total_entries": 0})
        if path.startswith("api/v2/parseDagFile/"):
            return Response(201, None)
        if path.endswith("/taskInstances"):
            return Response(200, {"task_instances": [
                {"task_id": "only", "map_index": -1, "state": "success", "try_number": 1}], "total_entries": 1})
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
            return Response(200, run)
        if method == "GET" and ident is not None and ident in self.objects[collection]:
            # Runs finish at once here, so that a wait ends.
            self.objects[collection][ident]["state"] = "success"
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
