"""Airflow 1.10's experimental API (`/api/experimental/...`), framework-free: its routes, request
and answer shapes, mapped onto the shared operations (runs.py, pools.py, dag_records.py). See docs/experimental_api.md.

The web adapters authenticate the caller and hand every request under the prefix to `handle`,
which answers (status, body): a dict or list to send as JSON, or text (a DAG's code). Refusals
answer `{"error": message}` with the status 1.10 gave them.
"""
import json
import logging
import re
from urllib.parse import quote

from dagops_rest_api import dag_records as dag_ops
from dagops_rest_api import pools as pool_ops
from dagops_rest_api import runs as run_ops
from dagops_rest_api.operation_errors import BadRequest, OperationError

log = logging.getLogger(__name__)

URL_PREFIX = "/api/experimental"
_ID = r"(?P<dag_id>[^/]+)"
_DATE = r"(?P<execution_date>[^/]+)"
_TASK = r"(?P<task_id>[^/]+)"
# (method, path below the prefix, handler name). A pool's name may hold "/": it is only ever data.
ROUTES = [
    ("GET", r"test", "test"),
    ("GET", r"info", "info"),
    ("GET", r"latest_runs", "latest_runs"),
    ("GET", r"pools", "get_pools"),
    ("POST", r"pools", "create_pool"),
    ("GET", r"pools/(?P<name>.+)", "get_pool"),
    ("DELETE", r"pools/(?P<name>.+)", "delete_pool"),
    ("POST", rf"dags/{_ID}/dag_runs", "trigger_dag"),
    ("GET", rf"dags/{_ID}/dag_runs", "dag_runs"),
    ("GET", rf"dags/{_ID}/dag_runs/{_DATE}", "dag_run_status"),
    ("GET", rf"dags/{_ID}/dag_runs/{_DATE}/tasks/{_TASK}", "task_instance_info"),
    ("GET", rf"dags/{_ID}/tasks/{_TASK}", "task_info"),
    ("GET", rf"dags/{_ID}/paused/(?P<paused>[^/]+)", "dag_paused"),
    ("GET", rf"dags/{_ID}/paused", "dag_is_paused"),
    ("GET", rf"dags/{_ID}/code", "dag_code"),
    ("DELETE", rf"dags/{_ID}", "delete_dag"),
    ("GET", rf"lineage/{_ID}/{_DATE}", "lineage"),
]
_COMPILED = [(method, re.compile(f"^{pattern}$"), name) for method, pattern, name in ROUTES]
TRUE_WORDS = ("true", "t", "yes", "y", "1", "on")  # airflow.utils.strings.to_boolean


def iso(moment):
    """1.10's date text: isoformat with the offset; "" for none (its `start_date or ''`)."""
    return moment.isoformat() if moment is not None else ""


def describe_run(run):
    """The text 1.10 put into "Created ..." (a DagRun's repr)."""
    return (f"<DagRun {run['dag_id']} @ {iso(run['logical_date'])}: {run['run_id']}, "
            f"state:{run['state']}, externally triggered: True>")


class ExperimentalApi:
    """The routes of the experimental API over the operations modules (replaceable in tests)."""

    def __init__(self, runs=run_ops, pools=pool_ops, dags=dag_ops, airflow3=None, version=None):
        self.runs, self.pools, self.dags = runs, pools, dags
        self._airflow3, self._version = airflow3, version

    # --- dispatch ------------------------------------------------------------------------------
    def handle(self, method, path, query=None, body=b"", user_name=None):
        """(status, body) for `method` on `path` (below the prefix, decoded), `query` a dict of
        query arguments, `body` the raw request body."""
        path = path.strip("/")
        allowed = False
        for route_method, pattern, name in _COMPILED:
            match = pattern.match(path)
            if not match:
                continue
            allowed = True
            if route_method != method.upper():
                continue
            request = {"query": query or {}, "body": body, "user_name": user_name}
            try:
                return getattr(self, name)(request, **match.groupdict())
            except OperationError as error:
                return error.status, {"error": error.message}
        if allowed:
            return 405, {"error": f"method {method} is not allowed on {URL_PREFIX}/{path}"}
        return 404, {"error": f"no experimental API endpoint at {URL_PREFIX}/{path}"}

    def airflow3(self):
        return self._airflow3() if self._airflow3 is not None else self.runs.airflow3()

    def run_url(self, run):
        """Where the Airflow UI shows the run (1.10 answered its graph view's path)."""
        dag_id = quote(run["dag_id"], safe="")
        if self.airflow3():
            return f"/dags/{dag_id}/runs/{quote(run['run_id'], safe='')}"
        return f"/dags/{dag_id}/graph?execution_date={quote(iso(run['logical_date']), safe='')}"

    @staticmethod
    def json_body(request):
        raw = request["body"] or b""
        try:
            data = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw) if raw else {}
        except ValueError as error:
            raise BadRequest(f"the request body is not JSON: {error}") from None
        if not isinstance(data, dict):
            raise BadRequest("the request body must be a JSON object")
        return data

    # --- endpoints -----------------------------------------------------------------------------
    def test(self, _request):
        return 200, {"status": "OK"}

    def info(self, _request):
        return 200, {"version": self._version() if self._version else self.runs.airflow_version()}

    def trigger_dag(self, request, dag_id):
        data = self.json_body(request)
        replace = data.get("replace_microseconds")
        run = self.runs.trigger_run(
            dag_id, conf=data.get("conf"), execution_date=data.get("execution_date"), run_id=data.get("run_id"),
            replace_microseconds=None if replace is None else str(replace).strip().lower() in TRUE_WORDS,
            user_name=request["user_name"])
        log.info("dagops_rest_api: user %s created %s", request["user_name"], describe_run(run))
        return 200, {"message": f"Created {describe_run(run)}", "execution_date": iso(run["logical_date"]),
                     "run_id": run["run_id"]}

    def dag_runs(self, request, dag_id):
        try:
            found = self.runs.list_runs(dag_id, request["query"].get("state") or None)
        except OperationError as error:  # 1.10 answered 400 for any refusal here
            return 400, {"error": error.message}
        return 200, [{"id": run["id"], "run_id": run["run_id"], "state": run["state"], "dag_id": run["dag_id"],
                      "execution_date": iso(run["logical_date"]), "start_date": iso(run["start_date"]),
                      "dag_run_url": self.run_url(run)} for run in found if run["logical_date"] is not None]

    def dag_run_status(self, _request, dag_id, execution_date):
        return 200, {"state": self.runs.run_state(dag_id, self.runs.as_window(execution_date))}

    def task_info(self, _request, dag_id, task_id):
        return 200, self.runs.task_info(dag_id, task_id)

    def task_instance_info(self, _request, dag_id, execution_date, task_id):
        return 200, self.runs.task_instance_info(dag_id, self.runs.as_window(execution_date), task_id)

    def dag_paused(self, _request, dag_id, paused):
        # 1.10 unpaused on any word but "true"; a word that is neither is refused here.
        if paused not in ("true", "false"):
            raise BadRequest(f"paused must be 'true' or 'false', not {paused!r}")
        self.runs.set_paused(dag_id, paused == "true")
        return 200, {"response": "ok"}

    def dag_is_paused(self, _request, dag_id):
        return 200, {"is_paused": self.runs.is_paused(dag_id)}

    def dag_code(self, _request, dag_id):
        return 200, self.dags.dag_code(dag_id)

    def delete_dag(self, _request, dag_id):
        count = self.dags.delete_dag(dag_id)
        return 200, {"message": f"Removed {count} record(s)", "count": count}

    def latest_runs(self, _request):
        return 200, {"items": [{"dag_id": run["dag_id"], "execution_date": iso(run["logical_date"]),
                                "start_date": iso(run["start_date"]), "dag_run_url": self.run_url(run)}
                               for run in self.runs.latest_runs()]}

    def lineage(self, _request, dag_id, execution_date):
        return 200, self.dags.lineage(dag_id, self.runs.as_window(execution_date))

    def get_pools(self, _request):
        return 200, self.pools.list_pools()

    def get_pool(self, _request, name):
        return 200, self.pools.get_pool(name)

    def create_pool(self, request):
        data = self.json_body(request)
        unknown = sorted(set(data) - {"name", "slots", "description"})
        if unknown:
            raise BadRequest(f"unexpected keys {', '.join(unknown)}: a pool has name, slots and description")
        if "name" not in data or "slots" not in data:
            raise BadRequest("a pool needs name and slots (and a description)")
        return 200, self.pools.set_pool(data["name"], data["slots"], data.get("description"))

    def delete_pool(self, _request, name):
        return 200, self.pools.delete_pool(name)
