"""The experimental API's routes and answer shapes over fake operations (no Airflow)."""
import json
from datetime import datetime, timezone

import pytest

from dagops_rest_api import runs as real_runs
from dagops_rest_api.experimental import ExperimentalApi, describe_run
from dagops_rest_api.operation_errors import BadRequest, NotFound

DATE = datetime(2016, 11, 16, 11, 34, 15, tzinfo=timezone.utc)
RUN = {"dag_id": "d", "run_id": "manual__2016-11-16T11:34:15+00:00", "id": 7, "state": "success",
       "logical_date": DATE, "start_date": None, "end_date": None, "run_type": "manual", "conf": {}}


class FakeRuns:
    """Records the calls; answers like runs.py."""

    as_window = staticmethod(real_runs.as_window)

    def __init__(self):
        self.calls = []

    def airflow3(self):
        return True

    def airflow_version(self):
        return "3.3.2"

    def trigger_run(self, dag_id, **kwargs):
        self.calls.append(("trigger_run", dag_id, kwargs))
        real_runs.parse_conf(kwargs["conf"])
        return dict(RUN, dag_id=dag_id)

    def list_runs(self, dag_id, state=None):
        if dag_id != "d":
            raise NotFound(f"Dag id {dag_id} not found")
        return [RUN, dict(RUN, logical_date=None)]

    def run_state(self, dag_id, window):
        self.calls.append(("run_state", dag_id, window))
        return "success"

    def set_paused(self, dag_id, paused):
        self.calls.append(("set_paused", dag_id, paused))

    def is_paused(self, dag_id):
        return True

    def latest_runs(self):
        return [RUN]

    def lineage(self, dag_id, window):
        return {"task_ids": {"t": {"outlets": ["x"]}}}

    def dag_code(self, dag_id):
        return "print('code')\n"

    def task_info(self, dag_id, task_id):
        raise NotFound(f"Task {task_id} not found in dag {dag_id}")


class FakePools:
    def set_pool(self, name, slots, description=None):
        return {"id": 1, "pool": name, "slots": int(slots), "description": description or "", "include_deferred": False}

    def get_pool(self, name):
        return {"id": 1, "pool": name, "slots": 1, "description": "", "include_deferred": False}

    def delete_pool(self, name):
        raise BadRequest("default_pool cannot be deleted")


@pytest.fixture
def api():
    fake = FakeRuns()  # also stands in for dag_records (code, lineage)
    return ExperimentalApi(runs=fake, pools=FakePools(), dags=fake)


def test_test_and_info(api):
    assert api.handle("GET", "test") == (200, {"status": "OK"})
    assert api.handle("GET", "/info/") == (200, {"version": "3.3.2"})


def test_unknown_paths_and_methods(api):
    assert api.handle("GET", "nothing")[0] == 404
    status, body = api.handle("PUT", "test")
    assert status == 405 and "PUT" in body["error"]
    assert api.handle("GET", "dags/../../etc/passwd/paused")[0] == 404


def test_trigger_takes_conf_as_json_text_and_answers_1_10s_shape(api):
    body = json.dumps({"conf": '{"key": "value"}', "execution_date": "2016-11-16T11:34:15"}).encode()
    status, answer = api.handle("POST", "dags/d/dag_runs", {}, body, "admin")
    assert status == 200 and set(answer) == {"message", "execution_date", "run_id"}
    assert answer["message"].startswith("Created <DagRun d @ 2016-11-16T11:34:15+00:00")
    assert answer["execution_date"] == "2016-11-16T11:34:15+00:00"
    name, dag_id, kwargs = api.runs.calls[-1]
    assert (name, dag_id, kwargs["conf"], kwargs["user_name"]) == ("trigger_run", "d", '{"key": "value"}', "admin")
    assert kwargs["replace_microseconds"] is None


@pytest.mark.parametrize("flag,expected", [("false", False), ("true", True), (False, False), ("1", True)])
def test_replace_microseconds_is_a_boolean_as_text(api, flag, expected):
    api.handle("POST", "dags/d/dag_runs", {}, json.dumps({"replace_microseconds": flag}).encode())
    assert api.runs.calls[-1][2]["replace_microseconds"] is expected


@pytest.mark.parametrize("body,fragment", [(b"not json", "not JSON"), (b"[1]", "JSON object"),
                                           (b'{"conf": "[1]"}', "dictionary")])
def test_bad_trigger_bodies_are_400_errors(api, body, fragment):
    status, answer = api.handle("POST", "dags/d/dag_runs", {}, body)
    assert status == 400 and fragment in answer["error"]


def test_dag_runs_list_drops_runs_without_a_logical_date_and_answers_400_for_refusals(api):
    status, answer = api.handle("GET", "dags/d/dag_runs")
    assert status == 200 and len(answer) == 1
    assert answer[0] == {"id": 7, "run_id": RUN["run_id"], "state": "success", "dag_id": "d",
                         "execution_date": "2016-11-16T11:34:15+00:00", "start_date": "",
                         "dag_run_url": "/dags/d/runs/manual__2016-11-16T11%3A34%3A15%2B00%3A00"}
    assert api.handle("GET", "dags/nope/dag_runs") == (400, {"error": "Dag id nope not found"})


def test_run_state_parses_the_date_from_the_path(api):
    assert api.handle("GET", "dags/d/dag_runs/2016-11-16T11:34:15") == (200, {"state": "success"})
    window = api.runs.calls[-1][2]
    assert window.start == DATE and not window.exact
    status, answer = api.handle("GET", "dags/d/dag_runs/yesterday")
    assert status == 400 and "could not be identified as a date" in answer["error"]


def test_paused(api):
    assert api.handle("GET", "dags/d/paused/true") == (200, {"response": "ok"})
    assert api.runs.calls[-1] == ("set_paused", "d", True)
    assert api.handle("GET", "dags/d/paused/false") == (200, {"response": "ok"})
    assert api.runs.calls[-1] == ("set_paused", "d", False)
    assert api.handle("GET", "dags/d/paused/--help")[0] == 400
    assert api.runs.calls[-1] == ("set_paused", "d", False)
    assert api.handle("GET", "dags/d/paused") == (200, {"is_paused": True})


def test_latest_runs_lineage_code_and_task_errors(api):
    status, answer = api.handle("GET", "latest_runs")
    assert status == 200 and answer["items"][0]["execution_date"] == "2016-11-16T11:34:15+00:00"
    assert set(answer["items"][0]) == {"dag_id", "execution_date", "start_date", "dag_run_url"}
    assert api.handle("GET", "lineage/d/2016-11-16T11:34:15/")[1] == {"task_ids": {"t": {"outlets": ["x"]}}}
    assert api.handle("GET", "dags/d/code") == (200, "print('code')\n")
    assert api.handle("GET", "dags/d/tasks/t") == (404, {"error": "Task t not found in dag d"})


def test_airflow_2_run_urls():
    api = ExperimentalApi(runs=FakeRuns(), pools=FakePools(), dags=None, airflow3=lambda: False)
    assert api.run_url(RUN) == "/dags/d/graph?execution_date=2016-11-16T11%3A34%3A15%2B00%3A00"


def test_pools(api):
    status, answer = api.handle("POST", "pools", {}, b'{"name": "$(touch /tmp/x);echo", "slots": "3"}')
    assert status == 200 and answer["pool"] == "$(touch /tmp/x);echo" and answer["slots"] == 3
    assert api.handle("GET", "pools/../../etc/passwd")[1]["pool"] == "../../etc/passwd"
    assert api.handle("DELETE", "pools/default_pool") == (400, {"error": "default_pool cannot be deleted"})
    assert api.handle("POST", "pools", {}, b'{"name": "p"}')[0] == 400
    assert "unexpected keys" in api.handle("POST", "pools", {}, b'{"name": "p", "slots": 1, "x": 1}')[1]["error"]


def test_describe_run():
    assert describe_run(RUN) == ("<DagRun d @ 2016-11-16T11:34:15+00:00: manual__2016-11-16T11:34:15+00:00, "
                                 "state:success, externally triggered: True>")
