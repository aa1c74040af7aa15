# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""``team_name`` of variables, connections and pools: Airflow 3.2's multi-team mode.

A server manages teams only from Airflow 3.2 on and only while ``[core] multi_team`` is on (3.3
refuses a team otherwise, HTTP 422; 3.2's model raises); Airflow 2, 3.0 and 3.1 have no such field.
So a declared team is checked against the server's own list of teams before anything is written
(in a bulk form: before any object is written); where the server has none, the task fails naming why.
"""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.clearing import CLEAR, is_value
from ansible_collections.dagops.airflow.plugins.module_utils.errors import is_json, json_object_with, server_message

TEAM_FIELD = "team_name"


def with_team(state, obj):
    """``state`` with the server object's team, where it has one: a field that no object on most
    servers uses shows up only where it is set, never as a null in every result and diff."""
    team = obj.get(TEAM_FIELD)
    if team is not None:
        state = dict(state, **{TEAM_FIELD: team})
    return state


def team_body(body, state, fields):
    """``body`` with the team when the write includes it (None clears it: no empty-string team)."""
    if TEAM_FIELD in fields:
        want = state.get(TEAM_FIELD)
        body[TEAM_FIELD] = None if want is CLEAR else want
    return body


class ServerTeams:
    """The teams one server has, read once per task; ``problem`` is why it has none."""

    def __init__(self, client):
        self.client = client
        self._read = False
        self.names = None
        self.problem = None

    def read(self):
        if self._read:
            return
        self._read = True
        api = self.client.connect()
        if api.teams_path is None:
            self.problem = api.no_teams
            return
        response = self.client.request("GET", api.teams_path, params={"limit": 100, "offset": 0},
                                       ok=(200, 403, 404))
        body = json_object_with(response, "teams")
        if body is not None:
            teams = body.get("teams") or []
            if (body.get("total_entries") or 0) > len(teams):
                teams = self.client.list_all(api.teams_path, "teams")
            self.names = sorted(team.get("name") for team in teams if team.get("name"))
        elif response.status_code == 403 and is_json(response):
            self.problem = api.teams_off % (self.client.server_version(), server_message(response))
        else:
            # 3.0 and 3.1 have no teams route; their api-server answers the path with its UI page.
            self.problem = api.no_teams_route % self.client.server_version()

    def check(self, team):
        """Why ``team`` cannot be given to an object on this server, or None."""
        self.read()
        if self.problem:
            return self.problem
        if team not in self.names:
            return "team %r does not exist on this Airflow (its teams: %s); create it first (airflow teams create %s)" % (
                team, ", ".join(self.names) or "none", team)
        return None


class TeamOwned:
    """A resource whose objects may belong to a team (mixed in before ``Resource``)."""

    teams = None

    def bind(self, client):
        super().bind(client)
        self.teams = ServerTeams(client)

    def team_problem(self, ident, desired, current):
        """Why the declared team cannot be written, or None; asks the server only when a team is
        declared that the object does not have yet. Clearing needs no check: where the server has
        no teams, no object has one and there is nothing to write."""
        want = desired.get(TEAM_FIELD)
        if not is_value(want) or (current is not None and current.get(TEAM_FIELD) == want):
            return None
        problem = self.teams.check(want)
        if problem:
            return "%s %r: team_name %r: %s; nothing was written" % (self.noun, ident, want, problem)
        return None
