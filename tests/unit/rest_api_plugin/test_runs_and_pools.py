"""The parts of runs.py and pools.py that need no Airflow."""
import enum
from types import SimpleNamespace

import pytest

from dagops_rest_api import pools, runs
from dagops_rest_api.operation_errors import BadRequest, NotFound, OperationError


class State(str, enum.Enum):
    SUCCESS = "success"


def test_statuses_are_airflow_1_10s():
    assert (BadRequest("x").status, NotFound("x").status, OperationError("x").status) == (400, 404, 500)
    assert BadRequest("why").message == "why"


def test_enum_values():
    assert runs.enum_value(State.SUCCESS) == "success"
    assert runs.enum_value("queued") == "queued" and runs.enum_value(None) is None


@pytest.mark.parametrize("given,expected", [(None, None), ("", None), ({"a": 1}, {"a": 1}),
                                            ('{"key": "value"}', {"key": "value"}),
                                            ('{"cmd": "$(touch /tmp/x);echo"}', {"cmd": "$(touch /tmp/x);echo"})])
def test_conf_is_a_dict_or_a_json_object(given, expected):
    assert runs.parse_conf(given) == expected


@pytest.mark.parametrize("given", ["not json", "[1, 2]", "3", [1], '"text"', "--help"])
def test_other_confs_are_refused(given):
    with pytest.raises(BadRequest):
        runs.parse_conf(given)


def test_a_bad_execution_date_is_a_bad_request():
    with pytest.raises(BadRequest, match="could not be identified as a date"):
        runs.as_window("yesterday")
    window = runs.as_window("2020-01-01T00:00:00")
    assert runs.as_window(window) is window


def test_public_fields_are_text_without_private_or_callable_attributes():
    task = SimpleNamespace(task_id="t", retries=2, _secret="x", owner=None, method=len)
    assert runs.public_fields(task) == {"task_id": "t", "retries": "2", "owner": "None"}

    class Slotted:  # pylint: disable=too-few-public-methods
        __slots__ = ("task_id", "_hidden")

        def __init__(self):
            self.task_id, self._hidden = "s", "h"

    assert runs.public_fields(Slotted()) == {"task_id": "s"}


@pytest.mark.parametrize("name", ["", "   ", None, 5])
def test_a_pool_needs_a_name(name):
    with pytest.raises(BadRequest, match="Pool name shouldn't be empty"):
        pools.check_name(name)


@pytest.mark.parametrize("name", ["$(touch /tmp/x);echo", "--help", "../../etc/passwd"])
def test_any_other_pool_name_is_data(name):
    assert pools.check_name(name) == name


@pytest.mark.parametrize("given,expected", [(3, 3), ("7", 7), (" 2 ", 2), (-1, -1), ("0", 0)])
def test_slots(given, expected):
    assert pools.parse_slots(given) == expected


@pytest.mark.parametrize("given", ["x", "1.5", -2, True, None, "--help"])
def test_bad_slots(given):
    with pytest.raises(BadRequest, match="Bad value for `slots`"):
        pools.parse_slots(given)


def test_pool_summary_is_the_2x_to_json():
    pool = SimpleNamespace(id=1, pool="p", slots=3, description="d", include_deferred=None, team_name="t")
    assert pools.pool_summary(pool) == {"id": 1, "pool": "p", "slots": 3, "description": "d",
                                        "include_deferred": False}
