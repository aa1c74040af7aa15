"""team_name (Airflow 3.2's multi-team mode) on variables, connections and pools, end to end through
each module's main() against the fake Airflow: managed where the server has teams, compared like any
other field (omitted: kept; null: cleared), and refused before any write where the server has none."""

from __future__ import annotations

import json

import pytest
import requests

from ansible.module_utils.testing import patch_module_args

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.teams import ServerTeams
from ansible_collections.dagops.airflow.plugins.modules import (
    airflow_connection, airflow_connection_info, airflow_pool, airflow_pool_info, airflow_variable,
    airflow_variable_info,
)

from .fake_airflow import FakeAirflow, Response

CONNECTION = {"airflow_url": "http://127.0.0.1:8793", "airflow_username": "admin",
              "airflow_password": "admin-pass-1234"}
# module, its collection, the id option, the options that create one object
KINDS = {
    "variable": (airflow_variable, "api/v2/variables", "key", {"key": "env", "value": "prod"}),
    "connection": (airflow_connection, "api/v2/connections", "connection_id",
                   {"conn_id": "env", "conn_type": "http"}),
    "pool": (airflow_pool, "api/v2/pools", "name", {"name": "env", "slots": 2}),
}


@pytest.fixture
def server(monkeypatch):
    fake = FakeAirflow(CONNECTION["airflow_url"])
    monkeypatch.setattr(requests.Session, "request", fake.request)
    return fake


def run(capsys, module, args, check_mode=False):
    with patch_module_args(dict(CONNECTION, _ansible_check_mode=check_mode, _ansible_diff=True, **args)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def writes(server):
    return [r for r in server.requests if r[0] != "GET" and r[1] != "auth/token"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_team_is_created_compared_changed_kept_and_cleared(capsys, server, kind):
    module, collection, id_field, create = KINDS[kind]
    server.teams = ["team_a", "team_b"]

    checked = run(capsys, module, dict(create, team_name="team_a"), check_mode=True)
    assert checked["changed"] and writes(server) == []
    assert checked["diff"]["after"]["team_name"] == "team_a"

    created = run(capsys, module, dict(create, team_name="team_a"))
    assert created["created"] == 1
    assert server.objects[collection]["env"]["team_name"] == "team_a"
    assert created[kind]["team_name"] == "team_a"

    again = run(capsys, module, dict(create, team_name="team_a"))
    assert not again["changed"]
    # Left out: the team stays as it is.
    assert not run(capsys, module, dict(create))["changed"]

    moved = run(capsys, module, dict(create, team_name="team_b"))
    assert moved["updated"] == 1
    assert (moved["diff"]["before"]["team_name"], moved["diff"]["after"]["team_name"]) == ("team_a", "team_b")
    assert server.objects[collection]["env"]["team_name"] == "team_b"

    cleared = run(capsys, module, dict(create, team_name=None))
    assert cleared["updated"] == 1 and cleared["diff"]["after"]["team_name"] is None
    assert server.objects[collection]["env"]["team_name"] is None
    assert not run(capsys, module, dict(create, team_name=None))["changed"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_team_is_refused_before_any_write_where_multi_team_is_off(capsys, server, kind):
    module, _collection, _id_field, create = KINDS[kind]
    failed = run(capsys, module, dict(create, team_name="team_a"))
    assert failed["failed"]
    assert "team_name 'team_a': multi-team mode is off on this Airflow 3.3.2" in failed["msg"]
    assert "[core] multi_team = True" in failed["msg"] and "nothing was written" in failed["msg"]
    assert writes(server) == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_bulk_form_refuses_all_before_writing_any(capsys, server, kind):
    module, _collection, id_field, create = KINDS[kind]
    server.teams = ["team_a"]
    first = dict(create)
    second = dict(create, team_name="nobody")
    name = {"variable": "key", "connection": "conn_id", "pool": "name"}[kind]
    second[name] = "other"
    failed = run(capsys, module, {kind + "s": [first, second]})
    assert failed["failed"] and "team 'nobody' does not exist on this Airflow (its teams: team_a)" in failed["msg"]
    assert "airflow teams create nobody" in failed["msg"]
    assert writes(server) == []


def test_clearing_a_team_needs_no_teams_on_the_server(capsys, server):
    # Where multi-team mode is off no object has a team, so null has nothing to clear.
    server.objects["api/v2/pools"]["env"] = {"name": "env", "slots": 2}
    result = run(capsys, airflow_pool, {"name": "env", "slots": 2, "team_name": None})
    assert not result["changed"] and writes(server) == []
    assert "team_name" not in result["pool"]


def test_info_modules_show_a_team_only_where_there_is_one(capsys, server):
    server.objects["api/v2/variables"].update(
        a={"key": "a", "value": "1", "description": None, "team_name": "team_a"},
        b={"key": "b", "value": "2", "description": None, "team_name": None})
    server.objects["api/v2/connections"]["c"] = {"connection_id": "c", "conn_type": "http", "team_name": "team_a"}
    server.objects["api/v2/pools"]["p"] = {"name": "p", "slots": 1, "team_name": "team_a"}
    variables = run(capsys, airflow_variable_info, {})["variables"]
    assert [v.get("team_name") for v in variables] == ["team_a", None] and "team_name" not in variables[1]
    assert run(capsys, airflow_connection_info, {})["connections"][0]["team_name"] == "team_a"
    assert run(capsys, airflow_pool_info, {"names": ["p"]})["pools"][0]["team_name"] == "team_a"


class Client:
    """What ServerTeams needs of the client: a dialect, the version, one GET."""

    def __init__(self, api, response, version="3.1.8"):
        self.api, self.response, self.version = dialect_for(api), response, version

    def connect(self):
        return self.api

    def server_version(self):
        return self.version

    def request(self, method, path, params=None, ok=(200,)):
        assert (method, path) == ("GET", "ui/teams") and self.response.status_code in ok
        return self.response

    def list_all(self, path, key):
        raise AssertionError("one page holds every team here")


class HtmlPage(Response):
    def __init__(self):
        super().__init__(200, None)
        self.text = "<html>Airflow</html>"


def test_the_server_tells_whether_it_has_teams():
    assert "this Airflow 2 server has no teams" in ServerTeams(Client("v1", None)).check("team_a")
    # 3.0 and 3.1: no teams route; the api-server answers with its UI page.
    older = ServerTeams(Client("v2", HtmlPage())).check("team_a")
    assert older.startswith("this Airflow 3.1.8 has no teams: team_name needs Airflow 3.2 or later")
    off = ServerTeams(Client("v2", Response(403, {"detail": "Multi-team mode is not configured"}), "3.2.2"))
    assert "multi-team mode is off on this Airflow 3.2.2 (the server says: Multi-team mode is not configured)" in \
        off.check("team_a")
    teams = ServerTeams(Client("v2", Response(200, {"teams": [{"name": "b"}, {"name": "a"}], "total_entries": 2})))
    assert teams.check("a") is None and teams.names == ["a", "b"]
