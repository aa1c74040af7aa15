"""The warm validating parent (validate_server.py, warm_validator.py) with a stand-in Airflow on
PYTHONPATH: a DagBag that executes the file and takes its DAG_ID, and Airflow's file listing."""
import os
import textwrap
import time

import pytest

from dagops_rest_api import warm_validator
from dagops_rest_api.validation import validate_dag_file, validate_tree

FAKE_AIRFLOW = {
    "airflow/__init__.py": "import time\ntime.sleep(0.5)  # `import airflow` is slow: paid once by the warm parent\n",
    "airflow/models/__init__.py": "",
    "airflow/utils/__init__.py": "",
    "airflow/utils/file.py": """
        import os

        def list_py_file_paths(folder, safe_mode=False, include_examples=False):
            return [os.path.join(d, n) for d, _s, names in os.walk(folder) for n in names if n.endswith(".py")]
        """,
    "airflow/models/dagbag.py": """
        import traceback, types

        class DagBag:
            def __init__(self, dag_folder, safe_mode=False, include_examples=False, collect_dags=True):
                self.dags, self.import_errors = {}, {}
                if collect_dags and dag_folder.endswith(".py"):  # the single-file validation
                    self.process_file(dag_folder)

            def process_file(self, path, only_if_updated=False, safe_mode=False):
                scope = {"__name__": "dag_module"}
                try:
                    exec(compile(open(path).read(), path, "exec"), scope)
                except Exception:
                    self.import_errors[path] = traceback.format_exc()
                    return []
                dag = types.SimpleNamespace(dag_id=scope["DAG_ID"])
                self.dags[dag.dag_id] = dag
                return [dag]
        """,
}


@pytest.fixture
def fake_airflow(tmp_path, monkeypatch):
    root = tmp_path / "fake-airflow"
    for name, text in FAKE_AIRFLOW.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    monkeypatch.setenv("PYTHONPATH", str(root))
    warm_validator.stop()
    yield root
    warm_validator.stop()


def tree_with(tmp_path, files):
    tree = tmp_path / "tree"
    for name, text in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    return str(tree)


def test_validations_fork_from_one_warm_parent(fake_airflow, settings, tmp_path):
    tree = tree_with(tmp_path, {"a.py": "DAG_ID = 'a'\n", "bad.py": "import not_there\n"})
    first = validate_tree(tree, ["a.py", "bad.py"], settings)
    parent = warm_validator.parent_pid()
    assert parent is not None
    started = time.monotonic()
    second = validate_tree(tree, ["a.py", "bad.py"], settings)
    assert time.monotonic() - started < 0.5  # no `import airflow` again (the stand-in sleeps 0.5 s)
    assert warm_validator.parent_pid() == parent
    for result in (first, second):
        assert result.dag_ids["a.py"] == ["a"]
        assert "No module named 'not_there'" in result.import_errors["bad.py"]
    assert validate_dag_file(b"DAG_ID = 'one'\n", "x/one.py", settings).dag_ids == ["one"]


def test_a_dag_module_does_not_stay_for_the_next_validation(fake_airflow, settings, tmp_path):
    tree = tree_with(tmp_path, {"helper.py": "VALUE = 1\n", "a.py": "import helper\nDAG_ID = 'a%d' % helper.VALUE\n"})
    assert validate_tree(tree, ["a.py"], settings).dag_ids == {"a.py": ["a1"]}
    (tmp_path / "tree" / "helper.py").write_text("VALUE = 2\n")
    assert validate_tree(tree, ["a.py"], settings).dag_ids == {"a.py": ["a2"]}


def test_a_warm_child_that_runs_too_long_is_killed(fake_airflow, settings, tmp_path):
    tree = tree_with(tmp_path, {"slow.py": "import time\ntime.sleep(30)\nDAG_ID = 'slow'\n"})
    validate_tree(tree, [], settings)
    started = time.monotonic()
    result = validate_tree(tree, ["slow.py"], settings._replace(validation_timeout=2))
    assert time.monotonic() - started < 10
    assert "timed out after 2 s" in result.import_errors["slow.py"]


def test_a_dead_warm_parent_is_started_again(fake_airflow, settings, tmp_path):
    tree = tree_with(tmp_path, {"a.py": "DAG_ID = 'a'\n"})
    validate_tree(tree, ["a.py"], settings)
    first = warm_validator.parent_pid()
    os.kill(first, 9)
    time.sleep(0.2)
    assert validate_tree(tree, ["a.py"], settings).dag_ids == {"a.py": ["a"]}
    assert warm_validator.parent_pid() not in (None, first)


def test_without_a_warm_parent_a_process_of_its_own_validates(fake_airflow, settings, tmp_path, monkeypatch):
    (fake_airflow / "airflow" / "utils" / "file.py").write_text("raise ImportError('broken install')\n")
    tree = tree_with(tmp_path, {"a.py": "DAG_ID = 'a'\n"})
    result = validate_tree(tree, ["a.py"], settings)  # the warm parent cannot preload: not started
    assert warm_validator.parent_pid() is None
    assert "broken install" in result.import_errors["a.py"]  # the own process ran and said why


def test_the_setting_turns_it_off(fake_airflow, settings, tmp_path):
    tree = tree_with(tmp_path, {"a.py": "DAG_ID = 'a'\n"})
    assert validate_tree(tree, ["a.py"], settings._replace(validation_warm_process=False)).dag_ids == {"a.py": ["a"]}
    assert warm_validator.parent_pid() is None


def test_a_warm_parent_told_to_stop_or_left_alone_removes_its_socket_folder(fake_airflow, settings, tmp_path):
    tree = tree_with(tmp_path, {"a.py": "DAG_ID = 'a'\n"})
    validate_tree(tree, ["a.py"], settings)
    process, folder = warm_validator._parent["process"], warm_validator._parent["folder"]  # pylint: disable=protected-access
    process.terminate()  # SIGTERM, as a service manager stopping the server's processes sends
    process.wait(10)
    assert not os.path.exists(folder)
    validate_tree(tree, ["a.py"], settings)  # started again
    process, folder = warm_validator._parent["process"], warm_validator._parent["folder"]  # pylint: disable=protected-access
    process.stdin.close()  # the server process is gone
    process.wait(10)
    assert not os.path.exists(folder)
