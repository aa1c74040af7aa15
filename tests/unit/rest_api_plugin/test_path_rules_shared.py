"""The DAG-file path rules are defined once, in plugins/module_utils/dag_paths.py. The REST plugin
cannot import Ansible code and keeps a copy: the same cases must get the same verdict from both."""
import pytest

from ansible_collections.dagops.airflow.plugins.module_utils import dag_paths
from dagops_rest_api import paths as plugin_paths
from dagops_rest_api.errors import ApiError

CASES = [
    "a.py", "sub/b.py", "pack.zip", "deep/er/c.py", "__init__.py", "sub/__init__.py", "x.pyc", "notes.txt",
    "sub", "", "/abs.py", "C:/x.py", "c:x.py", "a\\b.py", "nul\x00.py", "../up.py", "a/../b.py", "./a.py",
    "a//b.py", "a/./b.py", "trailing/", ".hidden.py", "sub/.hidden.py", ".git/x.py", "__pycache__/x.py",
    "sub/__pycache__/x.py", "__pycache__", "a.py/", "dots..py", "sub.d/x.py",
]


def plugin_refuses(path):
    try:
        plugin_paths.path_segments(path)
        plugin_paths.check_suffix(path)
    except ApiError as error:
        assert error.status == 400
        return True
    return False


@pytest.mark.parametrize("path", CASES)
def test_the_module_and_the_plugin_agree_on_every_path(path):
    assert (dag_paths.dag_file_problem(path) is not None) == plugin_refuses(path)


@pytest.mark.parametrize("name", [".git", ".hidden.py", "__pycache__", "a.py", "sub", "pycache", "_x.py"])
def test_the_module_and_the_plugin_skip_the_same_names(name):
    assert dag_paths.is_skipped_name(name) == plugin_paths.is_skipped_name(name)


def test_the_suffixes_are_the_same():
    assert dag_paths.DAG_FILE_SUFFIXES == plugin_paths.DAG_FILE_SUFFIXES
    assert dag_paths.SKIPPED_DIR_NAMES == plugin_paths.SKIPPED_DIR_NAMES


def test_the_module_refuses_pycache_which_it_used_to_accept():
    assert "__pycache__" in dag_paths.path_problem("__pycache__/x.py")
