"""Every module returns what its RETURN documents: each key it returns is documented, and each
key documented as returned always (or on success) is returned, in check mode and for real.

Each module's main() runs against a fake Airflow (fake_airflow.py) behind requests, so the result
is what Ansible would print; airflow_cfg edits a real file."""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil

import pytest
import requests
import yaml

from ansible.module_utils.testing import patch_module_args

from ansible_collections.dagops.airflow.plugins import modules as modules_package

from . import fake_airflow
from .fake_airflow import FakeAirflow

# What Ansible adds to every result; not a module's to document.
ANSIBLE_KEYS = {"changed", "invocation", "warnings", "deprecations", "diff", "failed", "msg"}
# What AnsibleModule.exit_json adds about a result's ``path`` (add_path_info).
PATH_INFO_KEYS = {"uid", "gid", "owner", "group", "mode", "state", "size", "secontext"}
ALWAYS = ("always", "success")
CONNECTION = {"airflow_url": "http://127.0.0.1:8793", "airflow_username": "admin",
              "airflow_password": "admin-pass-1234", "api_version": "auto"}
PERMISSIONS = [{"action": "can_read", "resource": "DAGs"}]


def with_dag(server):
    server.add_dag("orders", is_paused=True)


def with_run(server):
    with_dag(server)
    server.add_run("orders", "r1")


def with_backfill(server):
    with_dag(server)
    server.backfills[1] = {"id": 1, "dag_id": "orders", "from_date": "2026-01-02T00:00:00Z",
                           "to_date": "2026-01-03T00:00:00Z", "dag_run_conf": {}, "is_paused": False,
                           "reprocess_behavior": "none", "max_active_runs": 10, "created_at": "2026-01-01T00:00:00Z",
                           "completed_at": None, "updated_at": "2026-01-01T00:00:00Z", "dag_display_name": "orders"}


def with_object(collection, **obj):
    def prepare(server):
        ident = obj[fake_airflow.COLLECTIONS[collection][0]]
        server.objects[collection][ident] = obj
    return prepare


def with_teams(*prepares):
    """Multi-team mode on (Airflow 3.2+), with the team team_a, and whatever ``prepares`` add."""
    def prepare(server):
        server.teams = ["team_a"]
        for more in prepares:
            more(server)
    return prepare


def with_file(server):
    server.files["old.py"] = {"path": "old.py", "sha256": "0" * 64, "size": 1, "dag_ids": ["old"]}


# module -> [(case name, the task's options, how to prepare the server)]; each case runs in
# check mode, then for real, against one fresh server.
CASES = {
    "airflow_cfg": [("file", {"sections": {"core": {"parallelism": 8, "fernet_key": "fernet-value-1"}}}, None)],
    "airflow_info": [("facts", {}, None)],
    "airflow_variable_info": [
        ("all", {}, with_object("api/v2/variables", key="env", value="prod", description=None)),
        ("team", {}, with_teams(with_object("api/v2/variables", key="env", value="prod", team_name="team_a"))),
    ],
    "airflow_connection_info": [
        ("all", {}, with_object("api/v2/connections", connection_id="db", conn_type="postgres", password="secret-1")),
        ("team", {}, with_teams(with_object("api/v2/connections", connection_id="db", conn_type="http",
                                            team_name="team_a"))),
    ],
    "airflow_pool_info": [
        ("named", {"names": ["etl", "gone"]}, with_object("api/v2/pools", name="etl", slots=4)),
        ("team", {}, with_teams(with_object("api/v2/pools", name="etl", slots=4, team_name="team_a"))),
    ],
    "airflow_role_info": [
        ("named", {"names": ["Reader", "gone"]},
         with_object("auth/fab/v1/roles", name="Reader",
                     actions=[{"action": {"name": "can_read"}, "resource": {"name": "DAGs"}}]))],
    "airflow_user_info": [
        ("all", {}, with_object("auth/fab/v1/users", username="ann", email="ann@example.com", first_name="Ann",
                                last_name="Lee", roles=[{"name": "Viewer"}], password="user-pass-9012"))],
    "airflow_variable": [
        ("single", {"key": "env", "value": "prod"}, None),
        ("bulk", {"variables": [{"key": "env", "value": "prod"}, {"key": "region", "value": "eu"}]}, None),
        ("absent", {"key": "env", "state": "absent"}, with_object("api/v2/variables", key="env", value="x")),
        ("team", {"key": "env", "value": "prod", "team_name": "team_a"}, with_teams()),
        ("bulk-team", {"variables": [{"key": "env", "value": "prod", "team_name": "team_a"}]}, with_teams()),
    ],
    "airflow_connection": [
        ("single", {"conn_id": "db", "conn_type": "postgres", "host": "db", "password": "conn-pass-5678"}, None),
        ("bulk", {"connections": [{"conn_id": "db", "conn_type": "postgres"}, {"conn_id": "api", "conn_type": "http"}]},
         None),
        ("absent", {"conn_id": "db", "state": "absent"},
         with_object("api/v2/connections", connection_id="db", conn_type="postgres")),
        ("team", {"conn_id": "db", "conn_type": "postgres", "team_name": "team_a"}, with_teams()),
        ("bulk-team", {"connections": [{"conn_id": "db", "conn_type": "http", "team_name": "team_a"}]}, with_teams()),
    ],
    "airflow_pool": [
        ("single", {"name": "etl", "slots": 4}, None),
        ("bulk", {"pools": [{"name": "etl", "slots": 4}, {"name": "ml", "slots": 2}]}, None),
        ("absent", {"name": "etl", "state": "absent"}, with_object("api/v2/pools", name="etl", slots=1)),
        ("team", {"name": "etl", "slots": 4, "team_name": "team_a"}, with_teams()),
        ("bulk-team", {"pools": [{"name": "etl", "slots": 4, "team_name": "team_a"}]}, with_teams()),
    ],
    "airflow_role": [
        ("single", {"name": "Reader", "permissions": PERMISSIONS}, None),
        ("absent", {"name": "Reader", "state": "absent"}, with_object("auth/fab/v1/roles", name="Reader")),
    ],
    "airflow_user": [
        ("single", {"username": "ann", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
                    "password": "user-pass-9012", "roles": ["Viewer"]}, with_object("auth/fab/v1/roles", name="Viewer")),
        ("absent", {"username": "ann", "state": "absent"},
         with_object("auth/fab/v1/users", username="ann", email="ann@example.com", roles=[])),
    ],
    "airflow_dag": [
        ("single", {"dag_id": "orders", "paused": False, "wait_timeout": 0}, with_dag),
        ("pattern", {"dag_id_pattern": "ord", "paused": False}, with_dag),
        ("reparse", {"dag_id": "orders", "reparse": True, "wait_timeout": 5, "poll_interval": 1}, with_dag),
        ("absent", {"dag_id": "orders", "state": "absent"}, with_dag),
    ],
    "airflow_dag_info": [("all", {}, with_run), ("named", {"dag_ids": ["orders", "gone"], "include_tasks": False}, with_run)],
    "airflow_dag_run_info": [
        ("dag", {"dag_id": "orders", "include_task_instances": True}, with_run),
        ("latest", {}, with_run),
    ],
    "airflow_task_instance": [
        ("clear", {"dag_id": "orders", "run_id": "r1", "task_ids": ["extract"], "state": "cleared"}, with_run),
        ("mark", {"dag_id": "orders", "run_id": "r1", "task_id_pattern": "*", "state": "success", "note": "fixed",
                  "wait": True, "poll_interval": 1}, with_run),
    ],
    "airflow_backfill": [
        ("present", {"dag_id": "orders", "from_date": "2026-01-02T00:00:00Z", "to_date": "2026-01-04T00:00:00Z",
                     "dag_run_conf": {"full_refresh": True}, "wait": True, "poll_interval": 1}, with_dag),
        ("paused", {"dag_id": "orders", "from_date": "2026-01-02T00:00:00Z", "to_date": "2026-01-03T00:00:00Z",
                    "state": "paused"}, with_backfill),
        ("cancelled", {"dag_id": "orders", "from_date": "2026-01-02T00:00:00Z", "to_date": "2026-01-03T00:00:00Z",
                       "state": "cancelled"}, with_backfill),
    ],
    "airflow_dag_run": [
        ("trigger", {"dag_id": "orders", "run_id": "r1", "unpause": True}, with_dag),
        ("wait", {"dag_id": "orders", "run_id": "r1", "unpause": True, "wait": True, "poll_interval": 1}, with_dag),
        ("mark", {"dag_id": "orders", "run_id": "r1", "state": "success"}, with_run),
        ("absent", {"dag_id": "orders", "run_id": "r1", "state": "absent"}, with_run),
    ],
    "airflow_deploy_dag": [
        ("content", {"content": "from airflow import DAG\n", "dest": "hello.py", "wait": False}, None),
        ("files", {"_files": [{"path": "hello.py", "sha256": "", "size": 4,
                               "content": base64.b64encode(b"x = 1\n").decode()}],
                   "_src_type": "file", "src": "/controller/hello.py", "dest": "hello.py", "wait": False}, None),
        ("absent", {"dest": "old.py", "state": "absent"}, with_file),
    ],
}
API_MODULES = set(CASES) - {"airflow_cfg"}
READ_ONLY = set(name for name in CASES if name.endswith("_info"))


def module_names():
    return sorted(info.name for info in pkgutil.iter_modules(modules_package.__path__))


def documented(module):
    return yaml.safe_load(module.RETURN) or {}


def test_every_module_has_cases():
    assert set(CASES) == set(module_names())


def run_main(capsys, module, args, check_mode):
    with patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=True)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def cases():
    for name in module_names():
        for case, args, prepare in CASES.get(name, []):
            yield pytest.param(name, args, prepare, id="%s-%s" % (name, case))


@pytest.mark.parametrize("name, args, prepare", list(cases()))
def test_results_match_return(capsys, monkeypatch, tmp_path, name, args, prepare):
    module = importlib.import_module("ansible_collections.dagops.airflow.plugins.modules." + name)
    server = FakeAirflow(CONNECTION["airflow_url"])
    if prepare:
        prepare(server)
    monkeypatch.setattr(requests.Session, "request", server.request)
    if name in API_MODULES:
        args = dict(CONNECTION, **args)
    else:
        cfg = tmp_path / "airflow.cfg"
        cfg.write_text("[core]\nparallelism = 32\n")
        args = dict(args, path=str(cfg))
    docs = documented(module)
    always = set(key for key, doc in docs.items() if doc.get("returned") in ALWAYS)
    for check_mode in (True, False):
        result = run_main(capsys, module, args, check_mode)
        assert not result.get("failed"), result.get("msg")
        returned = set(result) - ANSIBLE_KEYS - (PATH_INFO_KEYS if "path" in result else set())
        assert returned - set(docs) == set(), "returned but not in RETURN (check_mode=%s)" % check_mode
        assert always - returned == set(), "documented as always returned, not returned (check_mode=%s)" % check_mode
    # Logging in (POST auth/token) and the server's dry runs write nothing.
    writes = [r for r in server.requests if r[0] != "GET" and r[1] != "auth/token" and not r[1].endswith("dry_run")]
    if name in READ_ONLY:
        assert writes == [], "an info module wrote"
    elif name in API_MODULES:
        assert writes, "the real run wrote nothing"
