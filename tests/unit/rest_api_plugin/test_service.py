import os

import pytest

from dagops_rest_api.errors import ApiError
from dagops_rest_api.files import sha256_bytes
from dagops_rest_api.service import DagOpsService
from dagops_rest_api.validation import Validation

GOOD = b"from airflow import DAG\n"
BROKEN = b"import nowhere\n"


class FakeStore:
    def __init__(self):
        self.parse_requests = []
        self.known = {}
        self.paused = {}

    def dag_ids_by_file(self):
        return dict(self.known)

    def parse_state_by_file(self):
        return dict((path, {"dag_ids": ids, "parsed_at": 1700000000.0}) for path, ids in self.known.items())

    def request_parse(self, relative, absolute):
        self.parse_requests.append((relative, absolute))
        return True

    def request_parses(self, files):
        self.parse_requests.extend(files)
        return True

    def set_paused(self, dag_ids, paused):
        self.paused.update({dag_id: paused for dag_id in dag_ids})


class FakeValidator:
    def __init__(self):
        self.calls = []

    def __call__(self, data, path, settings):
        self.calls.append(path)
        if data == BROKEN:
            return Validation([], {path: "Traceback (most recent call last):\n  File x\nModuleNotFoundError: nowhere"})
        return Validation(["good"], {})


@pytest.fixture
def service(settings):
    return DagOpsService(settings, FakeStore(), ("3.3.2", "v2"), validator=FakeValidator())


def test_version(service):
    status, body = service.version()
    assert status == 200
    assert body["plugin"] == "dagops.airflow" and body["api"] == "v2" and body["airflow_version"] == "3.3.2"
    assert body["max_file_size"] == 1000
    assert body["capabilities"] == ["dag-files", "dag-files-batch", "fingerprint", "legacy-deploy-dag"]


def test_put_creates_validates_writes_and_asks_for_a_parse(service, dags_folder):
    status, body = service.put_file("sub/a.py", GOOD)
    assert status == 201
    assert body["changed"] and body["created"] and body["dag_ids"] == ["good"]
    assert body["sha256"] == sha256_bytes(GOOD) and body["size"] == len(GOOD) and body["path"] == "sub/a.py"
    assert (dags_folder / "sub" / "a.py").read_bytes() == GOOD
    assert service.store.parse_requests == [("sub/a.py", os.path.join(os.path.realpath(dags_folder), "sub", "a.py"))]
    assert not [name for name in os.listdir(dags_folder / "sub") if name.startswith(".")]  # no temp file left


def test_the_same_content_changes_nothing_and_is_not_validated(service):
    service.put_file("a.py", GOOD)
    service.store.known = {"a.py": ["good"]}
    status, body = service.put_file("a.py", GOOD)
    assert status == 200 and not body["changed"] and not body["created"] and body["dag_ids"] == ["good"]
    assert service.validator.calls == ["a.py"]


def test_new_content_replaces_the_file_with_200(service, dags_folder):
    service.put_file("a.py", GOOD)
    status, body = service.put_file("a.py", GOOD + b"# v2\n")
    assert status == 200 and body["changed"] and not body["created"]
    assert (dags_folder / "a.py").read_bytes() == GOOD + b"# v2\n"


def test_an_import_error_is_422_and_changes_nothing(service, dags_folder):
    service.put_file("a.py", GOOD)
    with pytest.raises(ApiError) as refused:
        service.put_file("a.py", BROKEN)
    assert refused.value.status == 422
    assert refused.value.detail == "ModuleNotFoundError: nowhere"
    assert "Traceback" in refused.value.body()["import_errors"]["a.py"]
    assert (dags_folder / "a.py").read_bytes() == GOOD
    assert len(service.store.parse_requests) == 1


def test_oversize_is_413(service):
    with pytest.raises(ApiError) as refused:
        service.put_file("a.py", b"#" * 1001)
    assert refused.value.status == 413 and "max_file_size (1000)" in refused.value.detail
    service.check_size(1000)
    service.check_size(None)


def test_delete(service, dags_folder):
    service.put_file("a.py", GOOD)
    assert service.delete_file("a.py") == (200, {"path": "a.py", "deleted": True})
    assert not (dags_folder / "a.py").exists()
    with pytest.raises(ApiError) as missing:
        service.delete_file("a.py")
    assert missing.value.status == 404
    with pytest.raises(ApiError) as traversal:
        service.delete_file("../a.py")
    assert traversal.value.status == 400


def test_listing_skips_hidden_pycache_other_suffixes_and_escaping_symlinks(service, dags_folder, tmp_path):
    for name in ("a.py", "b.zip", "sub/c.py", ".hidden.py", ".git/d.py", "__pycache__/e.py", "notes.txt"):
        path = dags_folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(GOOD)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f.py").write_bytes(GOOD)
    (dags_folder / "escape").symlink_to(outside)
    (dags_folder / "loop").symlink_to(dags_folder)  # followed once, not forever
    service.store.known = {"sub/c.py": ["c"]}
    status, body = service.list_files()
    assert status == 200
    assert [entry["path"] for entry in body["files"]] == ["a.py", "b.zip", "sub/c.py"]
    assert body["total_entries"] == 3
    assert body["files"][2]["dag_ids"] == ["c"] and body["files"][0]["dag_ids"] == []
    assert body["files"][2]["parsed_at"] == 1700000000.0 and body["files"][0]["parsed_at"] is None
    assert body["files"][0]["sha256"] == sha256_bytes(GOOD)
    assert [entry["path"] for entry in service.list_files("sub/")[1]["files"]] == ["sub/c.py"]
    assert service.list_files("nothing-here/")[1]["files"] == []
