"""tests/examples/run_examples.py: reading EXAMPLES, the rewrites, and the checks that make the run fail."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tests" / "examples" / "run_examples.py"


def load_runner():
    spec = importlib.util.spec_from_file_location("run_examples", str(SCRIPT))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rx = load_runner()
SERVER = {"url": "http://127.0.0.1:1234", "username": "admin", "password": "pw", "auth_manager": "basic",
          "flavor": "2.11"}
CFG = Path("/tmp/copy/airflow.cfg")


def test_per_task_connection_options_are_dropped_and_the_rest_kept_in_order():
    task = {"name": "A pool", "dagops.airflow.airflow_pool": {
        "airflow_url": "https://airflow.example.com", "airflow_username": "admin",
        "airflow_password": "{{ vault_airflow_password }}", "name": "warehouse", "slots": 4}, "register": "pool"}
    rewritten = rx.rewrite_task(task, CFG)
    assert rewritten == {"name": "A pool", "dagops.airflow.airflow_pool": {"name": "warehouse", "slots": 4},
                         "register": "pool"}
    assert list(rewritten) == ["name", "dagops.airflow.airflow_pool", "register"]
    assert task["dagops.airflow.airflow_pool"]["airflow_url"] == "https://airflow.example.com"  # a copy


def test_other_modules_and_blocks():
    debug = {"name": "Show", "ansible.builtin.debug": {"msg": "x", "airflow_url": "kept"}}
    assert rx.rewrite_task(debug, CFG) == debug
    cfg_task = {"name": "cfg", "dagops.airflow.airflow_cfg": {"path": "/opt/airflow/airflow.cfg", "sections": {}}}
    block = {"name": "B", "block": [cfg_task]}
    assert rx.rewrite_task(block, CFG)["block"][0]["dagops.airflow.airflow_cfg"]["path"] == str(CFG)


def test_whole_play_gets_the_real_server():
    play = {"name": "P", "hosts": "localhost", "module_defaults": {rx.GROUP: {
        "airflow_url": "http://127.0.0.1:8080", "airflow_password": "{{ vault_airflow_password }}",
        "validate_certs": False}}, "tasks": [{"name": "v", "dagops.airflow.airflow_variable": {
            "key": "k", "airflow_token": "t"}}]}
    rewritten = rx.rewrite_whole_play(play, SERVER, CFG)
    assert rewritten["module_defaults"][rx.GROUP] == {"validate_certs": False, "airflow_url": SERVER["url"],
                                                      "airflow_username": "admin", "airflow_password": "pw"}
    assert rewritten["tasks"][0]["dagops.airflow.airflow_variable"] == {"key": "k"}


def test_build_plays_groups_tasks_and_keeps_whole_plays():
    entries = [{"name": "t1", "dagops.airflow.airflow_variable": {"key": "a"}},
               {"name": "t2", "ansible.builtin.debug": {"msg": "x"}, "when": "false"},
               {"name": "Whole", "hosts": "localhost", "tasks": [{"name": "t3", "dagops.airflow.airflow_variable": {}}]},
               {"name": "t4", "dagops.airflow.airflow_variable": {"key": "b"}}]
    plays, expected = rx.build_plays("airflow_variable", entries, SERVER, CFG)
    assert [p["name"] for p in plays] == ["Examples of dagops.airflow.airflow_variable", "Whole",
                                          "Examples of dagops.airflow.airflow_variable (3)"]
    assert plays[0]["module_defaults"][rx.GROUP]["airflow_url"] == SERVER["url"]
    assert plays[0]["module_defaults"]["dagops.airflow.airflow_dag_run"] == {"poll_interval": 1}
    assert [(e["play"], e["task"], e["when"]) for e in expected] == [
        (plays[0]["name"], "t1", False), (plays[0]["name"], "t2", True), ("Whole", "t3", False),
        (plays[2]["name"], "t4", False)]


def test_an_unnamed_example_task_is_refused():
    with pytest.raises(ValueError, match="no name"):
        rx.build_plays("airflow_pool", [{"dagops.airflow.airflow_pool": {"name": "p"}}], SERVER, CFG)


def test_test_vars_are_random_secrets_except_the_server_password():
    values = rx.test_vars({"m": [{"x": "{{ vault_a }} {{ vault_airflow_password }}"}]}, SERVER)
    assert values["vault_airflow_password"] == "pw" and values["release_version"] == "1.2.3"
    assert values["vault_a"].startswith("ex-a-") and len(values["vault_a"]) > 16
    assert rx.secret_values(values) == [values["vault_a"]]
    assert rx.test_vars({"m": ["{{ vault_a }}"]}, SERVER)["vault_a"] != values["vault_a"]


def test_select_modules():
    installed = list(rx.ORDER)
    run, cannot = rx.select_modules(installed, [], dict(SERVER, auth_manager="simple"))
    assert "airflow_user" not in run and "airflow_role" not in run and "airflow_backfill" not in run
    assert set(cannot) == {"airflow_user", "airflow_role", "airflow_user_info", "airflow_role_info", "airflow_backfill"}
    assert rx.select_modules(installed, ["airflow_role", "airflow_user"], SERVER) == (["airflow_user", "airflow_role"], {})
    with pytest.raises(ValueError, match="not in run_examples.ORDER"):
        rx.select_modules(installed + ["airflow_new"], [], SERVER)
    with pytest.raises(ValueError, match="unknown module"):
        rx.select_modules(installed, ["airflow_nope"], SERVER)


EXPECTED = [{"module": "airflow_pool", "play": "P", "task": "create", "when": False,
             "action": "dagops.airflow.airflow_pool"},
            {"module": "airflow_pool", "play": "P", "task": "show", "when": True, "action": "ansible.builtin.debug"}]


def rec(task, status, **extra):
    return dict({"play": "P", "task": task, "status": status, "false_condition": False, "skipped_reason": None}, **extra)


def test_check_record_passes_when_every_example_ran_or_was_skipped_by_its_when():
    assert rx.check_record(EXPECTED, [rec("create", "changed"), rec("show", "ok")], ["airflow_pool"]) == []
    assert rx.check_record(EXPECTED, [rec("create", "ok"), rec("show", "skipped", false_condition=True)],
                           ["airflow_pool"]) == []


@pytest.mark.parametrize("records, problem", [
    ([rec("show", "ok")], "'create' did not run"),
    ([rec("create", "failed"), rec("show", "ok")], "'create': failed"),
    ([rec("create", "skipped", false_condition=True), rec("show", "ok")], "'create': skipped"),
    ([rec("create", "ok"), rec("show", "skipped", skipped_reason="No items in the list")],
     "'show': skipped (No items in the list)"),
])
def test_check_record_fails(records, problem):
    assert any(problem in p for p in rx.check_record(EXPECTED, records, ["airflow_pool"]))


def test_a_module_without_a_task_of_its_own_fails():
    expected = [dict(EXPECTED[1], module="airflow_info")]
    assert rx.check_record(expected, [rec("show", "ok")], ["airflow_info"]) == ["airflow_info: no task of its own ran"]


def test_scan_output(tmp_path):
    coll = tmp_path / "collections"
    mine = coll / "ansible_collections/dagops/airflow/plugins/modules/airflow_pool.py"
    other = "/elsewhere/ansible_collections/dagops/airflow/plugins/modules/airflow_dag.py"
    assert rx.scan_output("Using module file %s\nok" % mine, ["s3cret"], coll) == []
    problems = rx.scan_output("Using module file %s\nUsing module file %s\nx s3cret" % (mine, other), ["s3cret"], coll)
    assert problems == ["LEAK: a test secret appears in the output (line 3)",
                        "airflow_dag ran from %s, not from the installed collection" % other]
    assert "not -vvv" in rx.scan_output("ok", [], coll)[0]


@pytest.mark.parametrize("module_file", sorted((ROOT / "plugins" / "modules").glob("airflow_*.py")), ids=lambda p: p.stem)
def test_every_module_has_runnable_examples(module_file):
    entries = rx.read_examples(module_file)
    plays, expected = rx.build_plays(module_file.stem, entries, SERVER, CFG)
    assert plays and expected
    assert any(e["action"] == rx.PREFIX + module_file.stem for e in expected)
    assert module_file.stem in rx.ORDER
