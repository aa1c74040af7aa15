"""The batch call's core on a real file system (no Airflow): stage, validate the new tree in one
go, apply all or nothing through the journal, roll an interrupted apply forward, roll back."""
import io
import json
import os
import tarfile

import pytest

from dagops_rest_api import releases
from dagops_rest_api.batch import MANIFEST, build_batch
from dagops_rest_api.errors import ApiError
from dagops_rest_api.files import sha256_bytes
from dagops_rest_api.service import DagOpsService
from dagops_rest_api.validation import TreeValidation

from .test_service import FakeStore

BROKEN = b"import nowhere  # BROKEN\n"


class FakeTreeValidator:
    """Stands in for validate_tree: reads the staged files it is given, refuses those marked BROKEN,
    and remembers what the staged tree held when it ran."""

    def __init__(self):
        self.calls = []

    def __call__(self, tree, paths, settings):
        snapshot = sorted(os.path.relpath(os.path.join(d, n), tree).replace(os.sep, "/")
                          for d, _s, names in os.walk(tree) for n in names)
        self.calls.append({"tree": tree, "paths": list(paths), "snapshot": snapshot,
                           "contents": dict((p, read(os.path.join(tree, p))) for p in snapshot)})
        errors = dict((p, f"Traceback (most recent call last):\nModuleNotFoundError: nowhere in {p}")
                      for p in paths if b"BROKEN" in read(os.path.join(tree, p)))
        return TreeValidation({} if errors else dict((p, [p.replace("/", "_")[:-3]]) for p in paths), errors, [])


def read(path):
    with open(path, "rb") as stream:
        return stream.read()


@pytest.fixture
def state_folder(tmp_path):
    return tmp_path / "state"


@pytest.fixture
def service(settings, state_folder):
    settings = settings._replace(deploy_state_folder=str(state_folder), max_batch_size=100000, keep_releases=2)
    return DagOpsService(settings, FakeStore(), ("3.3.2", "v2"), tree_validator=FakeTreeValidator())


def put(folder, relative, data):
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def snapshot(folder):
    """Everything a failed batch must leave alone: names, bytes, mtimes, inodes."""
    found = {}
    for directory, _subdirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            stat = os.lstat(path)
            found[os.path.relpath(path, folder)] = (read(path), stat.st_mtime_ns, stat.st_ino)
    return found


@pytest.fixture
def deployed(dags_folder):
    put(dags_folder, "keep.py", b"keep = 1\n")
    put(dags_folder, "old.py", b"old = 1\n")
    put(dags_folder, "sub/change.py", b"v = 1\n")
    put(dags_folder, "sub/helper.py", b"helper = 1\n")
    put(dags_folder, ".airflowignore", b"ignored_dir\n")
    return dags_folder


def test_a_good_batch_applies_completely(service, deployed, state_folder):
    archive = build_batch({"new/a.py": b"a = 1\n", "sub/change.py": b"v = 2\n", "keep.py": b"keep = 1\n"},
                          remove=["old.py", "missing.py"])
    status, body = service.batch(archive)
    assert status == 200 and body["changed"] and body["release"]
    assert body["files"] == {"added": ["new/a.py"], "changed": ["sub/change.py"], "removed": ["old.py"],
                             "unchanged": ["keep.py"]}
    assert body["dag_ids"] == {"new/a.py": ["new_a"], "sub/change.py": ["sub_change"]}
    assert (deployed / "new/a.py").read_bytes() == b"a = 1\n"
    assert (deployed / "sub/change.py").read_bytes() == b"v = 2\n"
    assert not (deployed / "old.py").exists()
    assert (deployed / ".airflowignore").read_bytes() == b"ignored_dir\n"
    assert not (state_folder / "journal.json").exists() and os.listdir(state_folder / "staging") == []
    assert (state_folder / "current").read_text() == body["release"]
    assert sorted(p for p, _a in service.store.parse_requests) == ["new/a.py", "sub/change.py"]


def test_the_new_tree_is_validated_together_outside_the_dags_folder(service, deployed):
    service.batch(build_batch({"sub/helper.py": b"helper = 2\n", "sub/change.py": b"from helper import helper\n"},
                              remove=["old.py"]))
    (call,) = service.tree_validator.calls
    assert not call["tree"].startswith(str(deployed))
    assert call["paths"] == ["sub/change.py", "sub/helper.py"]  # only what the batch writes is imported
    assert call["contents"]["sub/helper.py"] == b"helper = 2\n"  # helpers in their new version
    assert "old.py" not in call["snapshot"] and "keep.py" in call["snapshot"]  # the complete new tree
    assert ".airflowignore" in call["snapshot"]


def test_a_broken_file_refuses_the_whole_batch_and_changes_nothing(service, deployed, state_folder):
    before = snapshot(deployed)
    files = dict((f"many/f{i:02}.py", b"x = %d\n" % i) for i in range(48))
    files.update({"many/bad.py": BROKEN, "sub/change.py": BROKEN})
    with pytest.raises(ApiError) as refused:
        service.batch(build_batch(files, remove=["old.py"]))
    assert refused.value.status == 422
    assert sorted(refused.value.extra["import_errors"]) == ["many/bad.py", "sub/change.py"]
    assert "nowhere in many/bad.py" in refused.value.extra["import_errors"]["many/bad.py"]
    assert "2 of 50 files failed to import" in refused.value.detail
    assert "many/bad.py, sub/change.py" in refused.value.detail
    assert snapshot(deployed) == before
    assert os.listdir(state_folder / "staging") == [] and os.listdir(state_folder / "releases") == []
    assert service.store.parse_requests == []


def test_a_batch_that_changes_nothing_stages_nothing(service, deployed, state_folder):
    status, body = service.batch(build_batch({"keep.py": b"keep = 1\n"}, remove=["missing.py"]))
    assert status == 200 and body["changed"] is False and body["release"] is None
    assert body["files"]["unchanged"] == ["keep.py"]
    assert service.tree_validator.calls == [] and os.listdir(state_folder / "releases") == []


def test_staging_never_writes_through_a_hard_link_into_the_live_folder(service, deployed):
    inode = os.stat(deployed / "sub/change.py").st_ino
    with pytest.raises(ApiError):
        service.batch(build_batch({"sub/change.py": BROKEN}))
    assert (deployed / "sub/change.py").read_bytes() == b"v = 1\n"
    assert os.stat(deployed / "sub/change.py").st_ino == inode


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except clause catches it."""


def kill_after(monkeypatch, replaces):
    real, done = os.replace, []

    def replace(source, target):
        if "staging" in str(source):  # the journal's operations, not the atomic writes of records
            if len(done) >= replaces:
                raise Killed()
            done.append(target)
        real(source, target)
    monkeypatch.setattr(releases.os, "replace", replace)


def test_an_apply_killed_halfway_is_rolled_forward_by_the_next_call(service, deployed, state_folder, monkeypatch):
    files = dict((f"f{i}.py", b"new %d\n" % i) for i in range(5))
    kill_after(monkeypatch, 2)
    with pytest.raises(Killed):
        service.batch(build_batch(files, remove=["old.py"]))
    monkeypatch.undo()
    assert (state_folder / "journal.json").exists()
    assert sum((deployed / name).exists() for name in files) == 2 and (deployed / "old.py").exists()  # mixed
    status, listing = service.list_files()
    assert status == 200
    assert sorted(entry["path"] for entry in listing["files"]) == sorted(
        list(files) + ["keep.py", "sub/change.py", "sub/helper.py"])
    assert all((deployed / name).read_bytes() == data for name, data in files.items())
    assert not (state_folder / "journal.json").exists()


def test_an_apply_killed_before_the_journal_changes_nothing(service, deployed, state_folder, monkeypatch):
    before = snapshot(deployed)

    def die(*_args):
        raise Killed()
    monkeypatch.setattr(releases, "write_json", die)
    with pytest.raises(Killed):
        service.batch(build_batch({"sub/change.py": b"v = 3\n"}))
    monkeypatch.undo()
    assert snapshot(deployed) == before and not (state_folder / "journal.json").exists()
    service.batch(build_batch({"keep.py": b"keep = 2\n"}))  # the next batch works and cleans up
    assert os.listdir(state_folder / "staging") == []
    assert (deployed / "sub/change.py").read_bytes() == b"v = 1\n"


def test_rollback_restores_the_previous_files_and_a_second_one_reapplies(service, deployed):
    with pytest.raises(ApiError) as nothing:
        service.rollback()
    assert nothing.value.status == 409
    before = dict((p, d) for p, (d, _m, _i) in snapshot(deployed).items())
    _status, applied = service.batch(build_batch({"new.py": b"n = 1\n", "sub/change.py": b"v = 2\n"},
                                                 remove=["old.py"]))
    after = dict((p, d) for p, (d, _m, _i) in snapshot(deployed).items())
    _status, preview = service.rollback(dry_run=True)
    assert preview["dry_run"] and preview["changed"] and preview["release"] is None
    assert dict((p, d) for p, (d, _m, _i) in snapshot(deployed).items()) == after
    status, body = service.rollback()
    assert preview["files"] == body["files"]
    assert status == 200 and body["rolled_back"] == applied["release"]
    assert body["files"] == {"added": ["old.py"], "changed": ["sub/change.py"], "removed": ["new.py"],
                             "unchanged": []}
    assert dict((p, d) for p, (d, _m, _i) in snapshot(deployed).items()) == before
    service.rollback()
    assert dict((p, d) for p, (d, _m, _i) in snapshot(deployed).items()) == after


def test_old_releases_are_pruned(service, deployed, state_folder):
    for version in range(4):
        service.batch(build_batch({"sub/change.py": b"v = %d\n" % (version + 10)}))
    kept = sorted(os.listdir(state_folder / "releases"))
    assert len(kept) == 2 and (state_folder / "current").read_text() == kept[-1]
    kept_previous = state_folder / "releases" / kept[-1] / "previous" / "sub" / "change.py"
    assert kept_previous.read_bytes() == b"v = 12\n"


def archive_with(member_type, name="link.py", linkname="/etc/passwd", data=b""):
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.type = member_type
        info.linkname = linkname
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data) if data else None)
    return stream.getvalue()


@pytest.mark.parametrize("path", ["../up.py", "/abs.py", "sub/../x.py", ".hidden.py", "__pycache__/x.py",
                                  "notes.txt", "a\\b.py"])
def test_bad_paths_are_refused(service, deployed, path):
    with pytest.raises(ApiError) as refused:
        service.batch(build_batch({path: b"x = 1\n"}))
    assert refused.value.status == 400
    with pytest.raises(ApiError) as refused_removal:
        service.batch(build_batch({}, remove=[path]))
    assert refused_removal.value.status == 400


@pytest.mark.parametrize("member_type", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE])
def test_members_that_are_not_regular_files_are_refused(service, deployed, member_type):
    with pytest.raises(ApiError) as refused:
        service.batch(archive_with(member_type))
    assert refused.value.status == 400 and "not a regular file" in refused.value.detail


def test_symlinks_out_of_the_dags_folder_are_refused(service, deployed, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, deployed / "escape")
    os.symlink(outside / "x.py", deployed / "linked.py")
    for archive in (build_batch({"escape/x.py": b"x = 1\n"}), build_batch({"linked.py": b"x = 1\n"}),
                    build_batch({}, remove=["linked.py"])):
        with pytest.raises(ApiError) as refused:
            service.batch(archive)
        assert refused.value.status == 400
    assert os.listdir(outside) == []


def test_size_limits(service, deployed):
    with pytest.raises(ApiError) as file_too_big:
        service.batch(build_batch({"big.py": b"#" * 1001}))
    assert file_too_big.value.status == 413 and "max_file_size" in file_too_big.value.detail
    files = dict((f"f{i}.py", b"#" * 900) for i in range(100))
    with pytest.raises(ApiError) as batch_too_big:
        service.batch(build_batch(files))
    assert batch_too_big.value.status == 413 and "max_batch_size" in batch_too_big.value.detail
    with pytest.raises(ApiError) as declared_too_big:
        service.check_batch_size(100001)
    assert declared_too_big.value.status == 413


@pytest.mark.parametrize("archive, message", [
    (b"not a tar archive" * 40, "not a readable tar archive"),
    (build_batch({"a.py": b"x"}, remove=["a.py"]), "both writes and removes"),
    (archive_with(tarfile.REGTYPE, name=MANIFEST, data=b"[1]"), "must be an object"),
    (archive_with(tarfile.REGTYPE, name=MANIFEST, data=json.dumps({"remove": ["a.py", "a.py"]}).encode()), "twice"),
])
def test_malformed_batches(service, deployed, archive, message):
    with pytest.raises(ApiError) as refused:
        service.batch(archive)
    assert refused.value.status == 400 and message in refused.value.detail


def test_a_state_folder_inside_the_dags_folder_is_refused(service, deployed):
    service.settings = service.settings._replace(deploy_state_folder=str(deployed / "state"))
    with pytest.raises(ApiError) as refused:
        service.batch(build_batch({"a.py": b"a = 1\n"}))
    assert refused.value.status == 500 and "inside the dags folder" in refused.value.detail
    assert not (deployed / "a.py").exists()


def test_answers_name_the_sha256(service, deployed):
    _status, body = service.batch(build_batch({"a.py": b"a = 1\n"}))
    record = json.loads((service_state(service) / "releases" / body["release"] / "release.json").read_text())
    assert record["added"] == {"a.py": sha256_bytes(b"a = 1\n")}


def service_state(service):
    from pathlib import Path
    return Path(service.settings.deploy_state_folder)


KILLED_CHILD = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
from dagops_rest_api import releases
from dagops_rest_api.batch import build_batch
from dagops_rest_api.config import Settings
from dagops_rest_api.service import DagOpsService
from dagops_rest_api.validation import TreeValidation

class Store:
    def parse_state_by_file(self): return {}
    def dag_ids_by_file(self): return {}
    def request_parses(self, files): pass

real = os.replace
def slow_replace(source, target):
    real(source, target)
    if "staging" in source:
        print("replaced", flush=True)
        time.sleep(0.2)
releases.os.replace = slow_replace
settings = Settings("h", "", 10**6, 5, sys.argv[2], "", deploy_state_folder=sys.argv[3])
service = DagOpsService(settings, Store(), ("3.3.2", "v2"),
                        tree_validator=lambda tree, paths, s: TreeValidation(dict((p, []) for p in paths), {}, []))
service.batch(build_batch(dict(("f%02d.py" % i, b"new %d\n" % i) for i in range(20)), remove=["old.py"]))
"""


def test_a_process_killed_with_sigkill_mid_apply_is_repaired_by_the_next_call(service, deployed, state_folder):
    import signal
    import subprocess
    import sys
    from .conftest import PLUGIN_FILES
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, os.path.abspath(PLUGIN_FILES), str(deployed),
                              str(state_folder)], stdout=subprocess.PIPE, text=True)
    for _line in range(3):  # three files renamed into place, then SIGKILL: no finally, no cleanup
        child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    child.wait()
    present = [name for name in ("f%02d.py" % i for i in range(20)) if (deployed / name).exists()]
    assert 3 <= len(present) < 20 and (state_folder / "journal.json").exists()  # mixed, journal left
    _status, listing = service.list_files()
    paths = sorted(entry["path"] for entry in listing["files"])
    assert paths == sorted(["f%02d.py" % i for i in range(20)] + ["keep.py", "sub/change.py", "sub/helper.py"])
    assert (deployed / "f19.py").read_bytes() == b"new 19\n" and not (deployed / "old.py").exists()
    assert not (state_folder / "journal.json").exists()
