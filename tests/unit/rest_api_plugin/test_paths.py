import os

import pytest

from dagops_rest_api.errors import ApiError
from dagops_rest_api.paths import dag_file_target, path_segments, prefix_directory


@pytest.mark.parametrize("path", ["a.py", "sub/a.py", "sub/deeper/b.zip", "a-b_c.1.py"])
def test_relative_normalised_dag_files_are_accepted(dags_folder, path):
    assert dag_file_target(str(dags_folder), path) == os.path.join(os.path.realpath(dags_folder), *path.split("/"))


@pytest.mark.parametrize("path, reason", [
    ("", "empty"),
    ("../x.py", "normalised"),
    ("sub/../../x.py", "normalised"),
    ("sub/./x.py", "normalised"),
    ("sub//x.py", "normalised"),
    ("sub/", "normalised"),
    ("/etc/x.py", "relative"),
    ("C:/x.py", "relative"),
    ("sub\\x.py", "backslash"),
    ("x\x00.py", "NUL"),
    (".hidden.py", "hidden"),
    ("sub/.git/x.py", "hidden"),
    ("__pycache__/x.py", "__pycache__"),
    ("x.txt", "must end in .py or .zip"),
    ("x.pyc", "must end in .py or .zip"),
    ("x", "must end in .py or .zip"),
])
def test_paths_breaking_a_rule_are_refused_with_400(dags_folder, path, reason):
    with pytest.raises(ApiError) as refused:
        dag_file_target(str(dags_folder), path)
    assert refused.value.status == 400
    assert reason in refused.value.detail


def test_a_symlink_leaving_the_folder_is_refused(dags_folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (dags_folder / "escape").symlink_to(outside)
    with pytest.raises(ApiError, match="leaves the dags folder") as refused:
        dag_file_target(str(dags_folder), "escape/x.py")
    assert refused.value.status == 400


def test_a_symlink_inside_the_folder_is_followed(dags_folder):
    (dags_folder / "real").mkdir()
    (dags_folder / "alias").symlink_to(dags_folder / "real")
    assert dag_file_target(str(dags_folder), "alias/x.py").endswith("/alias/x.py")


def test_a_file_that_is_a_symlink_is_refused(dags_folder):
    (dags_folder / "target.py").write_text("x = 1\n")
    (dags_folder / "link.py").symlink_to(dags_folder / "target.py")
    with pytest.raises(ApiError, match="is a symlink"):
        dag_file_target(str(dags_folder), "link.py")


def test_prefixes(dags_folder, tmp_path):
    assert prefix_directory(str(dags_folder), "") == os.path.realpath(dags_folder)
    assert prefix_directory(str(dags_folder), "sub/") == os.path.join(os.path.realpath(dags_folder), "sub")
    (dags_folder / "escape").symlink_to(tmp_path)
    for prefix in ("../", "/etc", "escape/"):
        with pytest.raises(ApiError):
            prefix_directory(str(dags_folder), prefix)


def test_segments_name_what_is_checked():
    with pytest.raises(ApiError, match="the prefix"):
        path_segments("../x", "prefix")
