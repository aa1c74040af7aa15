"""The action plugin's part that needs no Ansible run: which files a directory gives, and what
the result may show of the module's arguments."""

from __future__ import annotations

import base64
import hashlib
import os

from ansible_collections.dagops.airflow.plugins.action.airflow_deploy_dag import (
    collect_dag_files, file_entry, without_contents,
)


def write(root, relative, data=b"x"):
    path = os.path.join(str(root), *relative.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def test_a_directory_gives_its_py_and_zip_files_recursively(tmp_path):
    for name in ("a.py", "pack.zip", "sub/b.py", "sub/deeper/c.py", "README.md", "sub/data.json",
                 ".hidden.py", ".git/config.py", "sub/__pycache__/b.cpython-311.pyc", "__pycache__/x.py",
                 "sub/.venv/lib.py"):
        write(tmp_path, name)
    found = collect_dag_files(str(tmp_path))
    assert [relative for relative, full in found] == ["a.py", "pack.zip", "sub/b.py", "sub/deeper/c.py"]
    assert all(os.path.isabs(full) and full.endswith(relative.replace("/", os.sep)) for relative, full in found)


def test_symlinked_files_count_and_symlinked_directories_are_not_entered(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "elsewhere.py")
    root = tmp_path / "src"
    write(root, "real.py")
    os.symlink(str(outside / "elsewhere.py"), str(root / "linked.py"))
    os.symlink(str(outside), str(root / "linked_dir"))
    os.symlink(str(root / "missing.py"), str(root / "dangling.py"))
    assert [relative for relative, full in collect_dag_files(str(root))] == ["linked.py", "real.py"]


def test_an_empty_directory_gives_nothing(tmp_path):
    assert collect_dag_files(str(tmp_path)) == []


def test_an_entry_carries_the_bytes_in_base64_and_their_sha256():
    entry = file_entry("a.py", b"\xffdata")
    assert base64.b64decode(entry["content"]) == b"\xffdata"
    assert entry["sha256"] == hashlib.sha256(b"\xffdata").hexdigest() and entry["size"] == 5


def test_the_shown_arguments_keep_paths_and_sha256_but_no_content():
    args = {"src": "dags/", "dest": "team", "_files": [file_entry("a.py", b"SECRET-ISH SOURCE")],
            "content": None}
    shown = without_contents(args)
    assert shown["_files"] == [{"path": "a.py", "sha256": hashlib.sha256(b"SECRET-ISH SOURCE").hexdigest(), "size": 17}]
    assert "content" in args["_files"][0]  # the module's own arguments are left alone
    assert without_contents({"content": "print(1)"})["content"] == "(not shown)"
    # content travels in _files: the invocation still says it was given, not what it was
    assert without_contents({"content": None, "_files": [file_entry("", b"print(1)")]}, True)["content"] == "(not shown)"
