"""DAG files: path rules, what a deployment adds, changes and removes, and the plugin's calls."""

from __future__ import annotations

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.dag_files import (
    DagFileRefused, DagFilesApi, check_targets, file_diff, looks_like_dag_file, path_problem, plan_absent,
    plan_present, target_path, upload_order,
)

from .fakes import FakeResponse
from .test_client import V2_VERSION, TOKEN, make_client

PLUGIN = FakeResponse(200, {"plugin": "dagops.airflow", "plugin_version": "0.1.0", "capabilities": ["dag-files"]})


# ----- path rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/etc/passwd", "C:\\dags\\a.py", "a\\b.py", "../a.py", "a/../b.py", "a//b.py",
                                  "./a.py", "a/./b.py", ".hidden.py", "sub/.git/a.py", ""])
def test_paths_outside_or_hidden_are_refused(path):
    assert path_problem(path)


@pytest.mark.parametrize("path", ["a.py", "etl/orders.py", "deep/er/x.zip", "my.dir/a.py"])
def test_normal_relative_paths_pass(path):
    assert path_problem(path) is None


def test_where_a_file_goes():
    assert target_path("file", None, "a.py") == "a.py"
    assert target_path("file", "", "a.py") == "a.py"
    assert target_path("file", "etl/", "a.py") == "etl/a.py"
    assert target_path("file", "./etl/b.py", "a.py") == "etl/b.py"
    assert target_path("content", "etl/b.py", "") == "etl/b.py"
    assert target_path("directory", None, "sub/a.py") == "sub/a.py"
    assert target_path("directory", "team/", "sub/a.py") == "team/sub/a.py"


def test_targets_are_checked_before_anything_is_written():
    expected = {"a.py": "team/a.py", "s/b.zip": "team/s/b.zip"}
    assert check_targets("directory", "team", ["a.py", "s/b.zip"]) == (expected, None)
    assert "only .py and .zip" in check_targets("file", None, ["notes.txt"])[1]
    assert "only .py and .zip" in check_targets("file", "etl/orders", ["a.py"])[1]
    assert "content needs dest" in check_targets("content", None, [""])[1]
    assert "content needs dest" in check_targets("content", "etl/", [""])[1]
    assert "sub-directory" in check_targets("directory", "x.py", ["a.py"])[1]
    assert "relative" in check_targets("file", "/opt/airflow/dags/a.py", ["a.py"])[1]
    assert "normalised" in check_targets("directory", "../elsewhere", ["a.py"])[1]


# ----- planning --------------------------------------------------------------------------------
REMOTE = {"a.py": "1", "b.py": "2", "team/c.py": "3", "team/sub/d.zip": "4", "other/e.py": "5"}


def test_added_changed_unchanged_and_nothing_removed_without_exclusive():
    plan = plan_present({"a.py": "1", "b.py": "changed", "new.py": "6"}, REMOTE)
    assert plan.summary() == dict(added=["new.py"], changed=["b.py"], removed=[], unchanged=["a.py"])
    assert plan.writes


def test_exclusive_removes_only_under_its_directory():
    plan = plan_present({"team/c.py": "3"}, REMOTE, exclusive_dir="team")
    assert plan.removed == ["team/sub/d.zip"] and not plan.added and plan.unchanged == ["team/c.py"]
    everything = plan_present({"a.py": "1"}, REMOTE, exclusive_dir="")
    assert everything.removed == ["b.py", "other/e.py", "team/c.py", "team/sub/d.zip"]


def test_nothing_to_do_is_not_a_write():
    assert not plan_present({"a.py": "1"}, REMOTE).writes


def test_absent_removes_a_file_or_everything_under_a_directory():
    assert plan_absent("a.py", REMOTE).removed == ["a.py"]
    assert plan_absent("gone.py", REMOTE).removed == []
    assert plan_absent("team/", REMOTE).removed == ["team/c.py", "team/sub/d.zip"]
    assert plan_absent("tea", REMOTE).removed == []   # a prefix is not a directory


def test_the_diff_shows_sha256_before_and_after():
    wanted = {"b.py": "new", "n.py": "7"}
    plan = plan_present(wanted, {"b.py": "2", "x.py": "9"}, exclusive_dir="")
    assert file_diff(plan, wanted, {"b.py": "2", "x.py": "9"}) == ({"b.py": "2", "x.py": "9"}, {"b.py": "new", "n.py": "7"})


def test_helper_modules_are_uploaded_before_dag_files():
    contents = {"a_dag.py": b"from airflow import DAG", "z_helpers.py": b"def util(): pass",
                "b.zip": b"PK", "m_dag.py": b"import airflow\nDAG = 1"}
    assert upload_order(sorted(contents), contents) == ["z_helpers.py", "a_dag.py", "b.zip", "m_dag.py"]
    assert looks_like_dag_file(b"from AIRFLOW.sdk import Dag") and not looks_like_dag_file(b"x = 1")


# ----- the plugin's calls ----------------------------------------------------------------------
def plugin_client(answers):
    answers = dict(answers)
    answers.setdefault(("GET", "api/v2/version"), [V2_VERSION])
    answers.setdefault(("POST", "auth/token"), [TOKEN])
    answers.setdefault(("GET", "rest_api/v1/version"), [PLUGIN])
    return make_client(answers)


def test_listing_asks_for_the_directory_and_keeps_only_what_is_under_it():
    listing = {"files": [{"path": "team/a.py", "sha256": "1"}, {"path": "teamb/x.py", "sha256": "2"}]}
    client, fake, sleeps = plugin_client({("GET", "rest_api/v1/dag-files"): [FakeResponse(200, listing)]})
    assert list(DagFilesApi(client).listing("team/")) == ["team/a.py"]
    assert fake.calls[-1].params == {"prefix": "team/"}


def test_a_missing_plugin_fails_before_any_file_call():
    client, fake, sleeps = plugin_client({("GET", "rest_api/v1/version"): [FakeResponse(404, {"detail": "Not Found"})]})
    with pytest.raises(AirflowError, match="rest_api_plugin role"):
        DagFilesApi(client).listing()
    assert "rest_api/v1/dag-files" not in fake.paths()


def test_put_sends_the_raw_bytes_to_the_quoted_path():
    answer = {"path": "my dir/a.py", "changed": True, "created": True, "dag_ids": ["a"], "mtime": 1.0}
    client, fake, sleeps = plugin_client({("PUT", "rest_api/v1/dag-files/my%20dir/a.py"): [FakeResponse(201, answer)]})
    assert DagFilesApi(client).put("my dir/a.py", b"\x00bytes") == answer
    call = fake.calls[-1]
    assert call.data == b"\x00bytes" and call.headers["Content-Type"] == "application/octet-stream"


def test_a_refused_upload_carries_the_full_import_error():
    refusal = {"detail": "ZeroDivisionError: division by zero",
               "import_errors": {"a.py": "Traceback (most recent call last):\n  ...\nZeroDivisionError: division by zero"}}
    client, fake, sleeps = plugin_client({("PUT", "rest_api/v1/dag-files/a.py"): [FakeResponse(422, refusal)]})
    with pytest.raises(DagFileRefused) as err:
        DagFilesApi(client).put("a.py", b"1/0")
    assert err.value.status == 422 and err.value.path == "a.py"
    assert "a.py failed to import, so it was not written: ZeroDivisionError" in str(err.value)
    assert "Traceback" in str(err.value)


def test_other_refusals_are_errors_in_the_plugins_words():
    client, fake, sleeps = plugin_client({("PUT", "rest_api/v1/dag-files/a.py"): [
        FakeResponse(413, {"detail": "the file is larger than max_file_size (10485760 bytes)"})]})
    with pytest.raises(AirflowError, match="larger than max_file_size") as err:
        DagFilesApi(client).put("a.py", b"x")
    assert not isinstance(err.value, DagFileRefused)


def test_delete_tells_whether_there_was_a_file():
    client, fake, sleeps = plugin_client({
        ("DELETE", "rest_api/v1/dag-files/a.py"): [FakeResponse(200, {"path": "a.py", "deleted": True})],
        ("DELETE", "rest_api/v1/dag-files/b.py"): [FakeResponse(404, {"detail": "no such file"})],
    })
    api = DagFilesApi(client)
    assert api.delete("a.py") and not api.delete("b.py")
