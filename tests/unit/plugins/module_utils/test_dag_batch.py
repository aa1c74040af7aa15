"""The module's side of the batch call: the archive (read back with the REST plugin's own parser),
the call and its refusal, the rollback, the wait with one listing per poll."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.dag_batch import (
    BatchApi, BatchRefused, BatchWaiter, build_archive,
)
from ansible_collections.dagops.airflow.plugins.module_utils.dag_files import DagFilesApi
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError

from .fakes import FakeResponse
from .test_client import TOKEN, V2_VERSION, make_client

PLUGIN_FILES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "rest_api_plugin", "files")


def plugin_client(answers, capabilities=("dag-files", "dag-files-batch")):
    answers = dict(answers)
    answers.setdefault(("GET", "api/v2/version"), [V2_VERSION])
    answers.setdefault(("POST", "auth/token"), [TOKEN])
    answers.setdefault(("GET", "rest_api/v1/version"), [FakeResponse(200, {
        "plugin": "dagops.airflow", "plugin_version": "0.2.0", "capabilities": list(capabilities)})])
    return make_client(answers)


def test_the_archive_is_what_the_plugin_reads():
    sys.path.insert(0, os.path.abspath(PLUGIN_FILES))
    try:
        from dagops_rest_api.batch import parse_batch  # pylint: disable=import-outside-toplevel
        from dagops_rest_api.config import Settings  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    settings = Settings("h", "", 1000, 5, "/dags", "", max_batch_size=10 ** 6)
    request = parse_batch(build_archive({"a.py": b"a", "sub/b.zip": b"\x00b"}, ["old.py"]), settings)
    assert request.files == {"a.py": b"a", "sub/b.zip": b"\x00b"} and request.remove == ["old.py"]


def test_the_capability_tells_whether_a_batch_can_be_sent():
    client, _fake, _sleeps = plugin_client({}, capabilities=("dag-files",))
    assert not BatchApi(DagFilesApi(client)).available()
    client, _fake, _sleeps = plugin_client({})
    assert BatchApi(DagFilesApi(client)).available()


def test_a_batch_is_one_post_of_a_tar_archive():
    answer = {"changed": True, "release": "r1", "files": {}, "dag_ids": {"a.py": ["a"]}}
    client, fake, _sleeps = plugin_client({("POST", "rest_api/v1/dag-files/batch"): [FakeResponse(200, answer)]})
    assert BatchApi(DagFilesApi(client)).send({"a.py": b"a"}, ["old.py"]) == answer
    call = fake.calls[-1]
    assert call.headers["Content-Type"] == "application/x-tar" and call.data == build_archive({"a.py": b"a"}, ["old.py"])


def test_a_refused_batch_names_every_failing_file_with_its_error():
    refusal = {"detail": "2 of 50 files failed to import, so nothing was changed: a.py, b.py",
               "import_errors": {"a.py": "ModuleNotFoundError: x", "b.py": "SyntaxError: y"}}
    client, _fake, _sleeps = plugin_client({("POST", "rest_api/v1/dag-files/batch"): [FakeResponse(422, refusal)]})
    with pytest.raises(BatchRefused) as err:
        BatchApi(DagFilesApi(client)).send({"a.py": b"a", "b.py": b"b"}, [])
    text = str(err.value)
    assert "nothing in the dags folder changed" in text
    assert "--- a.py:\nModuleNotFoundError: x" in text and "--- b.py:\nSyntaxError: y" in text
    assert err.value.import_errors == refusal["import_errors"]


def test_rollback_and_its_dry_run():
    answer = {"changed": True, "rolled_back": "r1", "files": {"added": [], "changed": ["a.py"], "removed": []}}
    client, fake, _sleeps = plugin_client({("POST", "rest_api/v1/dag-files/rollback"): [
        FakeResponse(200, answer), FakeResponse(409, {"detail": "no batch to roll back"})]})
    api = BatchApi(DagFilesApi(client))
    assert api.rollback(dry_run=True) == answer
    assert fake.calls[-1].params == {"dry_run": "true"}
    assert api.rollback() is None


class FakeListing:
    def __init__(self, pages):
        self.pages = list(pages)
        self.calls = 0

    def listing(self, directory=""):
        self.calls += 1
        return self.pages.pop(0) if len(self.pages) > 1 else self.pages[0]


def entry(ids, mtime, parsed):
    return {"dag_ids": ids, "mtime": mtime, "parsed_at": parsed}


def test_the_wait_looks_at_one_listing_per_poll_for_all_files():
    pages = [{"a.py": entry([], 100, None), "b.py": entry(["b"], 100, 90)},      # a new, b not parsed since
             {"a.py": entry(["a"], 100, 101), "b.py": entry(["b"], 100, 102)},   # b: too close, maybe early
             {"a.py": entry(["a"], 100, 101), "b.py": entry(["b"], 100, 106)}]   # b: a second parse
    files = FakeListing(pages)
    sleeps = []
    BatchWaiter(files, "", {"a.py": ["a"], "b.py": ["b"], "helper.py": []}, ["b.py"], timeout=60, interval=2,
                sleep=sleeps.append, clock=lambda: 0).wait()
    assert files.calls == 3 and sleeps == [2, 2]


def test_the_wait_fails_naming_the_files_not_parsed():
    clock = iter(range(0, 100, 5))
    files = FakeListing([{"a.py": entry(["a"], 100, 101), "b.py": entry([], 100, None)}])
    with pytest.raises(ReconcileError, match="1 of the batch's files were not parsed .* b.py"):
        BatchWaiter(files, "", {"a.py": ["a"], "b.py": ["b"]}, [], timeout=10, interval=5,
                    sleep=lambda s: None, clock=lambda: next(clock)).wait()
