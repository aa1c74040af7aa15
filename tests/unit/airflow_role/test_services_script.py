"""The airflow role's process-mode control script (roles/airflow/files/dagops_airflow_services.py): its
pure logic, and one short life cycle with a stand-in for `airflow` (a shell script), no Airflow."""
import importlib.machinery
import importlib.util
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles" / "airflow" / "files" / "dagops_airflow_services.py"


def load_script():
    loader = importlib.machinery.SourceFileLoader("dagops_airflow_services", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


svc = load_script()


def config_dict(tmp_path, **extra):
    config = {"airflow_home": str(tmp_path / "home"), "venv": str(tmp_path / "venv"), "run_dir": str(tmp_path / "run"),
              "log_dir": str(tmp_path / "logs"), "services": {"scheduler": ["scheduler", "--skip-serve-logs"],
                                                              "api-server": ["api-server"]}}
    config.update(extra)
    return config


def write_config(tmp_path, **extra):
    path = tmp_path / "services.json"
    path.write_text(json.dumps(config_dict(tmp_path, **extra)))
    return path


class TestLoadConfig:
    def test_defaults(self, tmp_path):
        config = svc.load_config(write_config(tmp_path))
        assert config["environment"] == {} and config["stop_timeout"] == 30 and config["manager"] == "process"
        assert config["user"] == "" and config["group"] == ""

    def test_missing_file(self, tmp_path):
        with pytest.raises(svc.ServiceError, match="cannot read"):
            svc.load_config(tmp_path / "nope.json")

    def test_not_json(self, tmp_path):
        (tmp_path / "bad.json").write_text("{")
        with pytest.raises(svc.ServiceError, match="not valid JSON"):
            svc.load_config(tmp_path / "bad.json")

    def test_missing_keys(self, tmp_path):
        (tmp_path / "c.json").write_text(json.dumps({"venv": "/v"}))
        with pytest.raises(svc.ServiceError, match="lacks airflow_home, run_dir, log_dir, services"):
            svc.load_config(tmp_path / "c.json")

    def test_services_must_be_argument_lists(self, tmp_path):
        with pytest.raises(svc.ServiceError, match="list of airflow arguments"):
            svc.load_config(write_config(tmp_path, services={"scheduler": "scheduler"}))


class TestSelectServices:
    config = {"services": {"webserver": [], "scheduler": [], "triggerer": []}}

    def test_no_names_means_all_in_order(self):
        assert svc.select_services(self.config, []) == (["webserver", "scheduler", "triggerer"], [])

    def test_names_in_given_order_without_duplicates(self):
        assert svc.select_services(self.config, ["triggerer", "webserver", "triggerer"]) == (["triggerer", "webserver"], [])

    def test_unknown_name_refused(self):
        with pytest.raises(svc.ServiceError, match="unknown service.*api-server.*configured: webserver"):
            svc.select_services(self.config, ["api-server"])

    def test_unknown_name_reported_when_lenient(self):
        # try-restart: airflow_config's handlers name every service any version may have
        assert svc.select_services(self.config, ["api-server", "scheduler"], lenient=True) == (["scheduler"], ["api-server"])


def test_backoff_doubles_up_to_a_limit_and_resets_after_a_stable_run():
    assert svc.next_backoff(None, 0) == 1
    assert svc.next_backoff(1, 2) == 2
    assert svc.next_backoff(32, 2) == 60
    assert svc.next_backoff(60, 2) == 60
    assert svc.next_backoff(60, svc.STABLE_AFTER) == 1


def test_service_env(tmp_path):
    config = svc.load_config(write_config(tmp_path, environment={"AIRFLOW__CORE__PARALLELISM": 4, "TZ": "UTC"}))
    env = svc.service_env(config, {"PATH": "/usr/bin", "AIRFLOW__CORE__EXECUTOR": "Celery", "AIRFLOW_HOME": "/x",
                                   "HOME": "/root"})
    assert env["PATH"] == f"{tmp_path}/venv/bin:/usr/bin"
    assert env["AIRFLOW_HOME"] == f"{tmp_path}/home"
    assert "AIRFLOW__CORE__EXECUTOR" not in env  # none of the caller's Airflow settings leak in
    assert env["AIRFLOW__CORE__PARALLELISM"] == "4" and env["TZ"] == "UTC" and env["HOME"] == "/root"


def test_supervisor_cmdline():
    cmdline = b"/usr/bin/python3\0/opt/airflow/bin/" + svc.SCRIPT.name.encode() + b"\0--config\0/c.json\0_supervise\0scheduler\0"
    assert svc.is_supervisor_cmdline(cmdline, "scheduler")
    assert not svc.is_supervisor_cmdline(cmdline, "triggerer")
    assert not svc.is_supervisor_cmdline(b"/usr/bin/python3\0other.py\0_supervise\0scheduler\0", "scheduler")
    assert not svc.is_supervisor_cmdline(b"", "scheduler")  # gone, or a zombie


def test_parse_stat_with_spaces_and_parentheses_in_the_command():
    assert svc.parse_stat("42 (airflow (sched) x) S 7 42 42 0 -1") == ("S", 7, 42)


def test_descendant_groups_follow_processes_that_left_the_group():
    table = {10: (1, 10), 11: (10, 10), 12: (11, 12), 13: (12, 12), 20: (1, 20), 21: (20, 20)}
    assert svc.descendant_groups(table, {10}) == {10, 12}
    assert svc.descendant_groups(table, {99}) == set()


def test_is_changed():
    assert not svc.is_changed({"started": [], "already_running": ["scheduler"]})
    assert svc.is_changed({"restarted": ["scheduler"], "not_running": []})


def test_stale_pid_files_are_ignored_and_removed(tmp_path):
    config = svc.load_config(write_config(tmp_path))
    run = Path(config["run_dir"])
    run.mkdir()
    # Our own pid: alive, but neither a supervisor nor a process group leader running airflow.
    (run / "scheduler.pid").write_text(f"{os.getpid()}\n")
    (run / "scheduler.child.pid").write_text("999999999\n")
    service = svc.Service(config, "scheduler")
    assert not service.running()
    assert service.stop() is False
    assert not (run / "scheduler.pid").exists() and not (run / "scheduler.child.pid").exists()


FAKE_AIRFLOW = """#!/bin/sh
# A stand-in for airflow: a service that runs until it gets SIGTERM, with a child in its group.
sleep 300 &
trap 'kill $!; exit 0' TERM
while true; do sleep 0.1; done
"""


def run_script(config_path, *args):
    done = subprocess.run([sys.executable, str(SCRIPT), "--config", str(config_path), *args], capture_output=True,
                          text=True, timeout=60, check=False)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip().startswith("{") else done.stderr


def test_life_cycle_with_a_stand_in_for_airflow(tmp_path):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "airflow").write_text(FAKE_AIRFLOW)
    (venv_bin / "airflow").chmod(stat.S_IRWXU)
    (tmp_path / "home").mkdir()
    path = write_config(tmp_path, stop_timeout=5)
    try:
        rc, started = run_script(path, "start")
        assert rc == 0 and started["started"] == ["scheduler", "api-server"] and started["changed"]
        assert run_script(path, "start")[1]["already_running"] == ["scheduler", "api-server"]
        rc, status = run_script(path, "status", "scheduler")
        assert rc == 0 and status["running"] and status["services"]["scheduler"]["pid"]
        old_pid = status["services"]["scheduler"]["pid"]
        rc, restarted = run_script(path, "try-restart", "scheduler", "webserver")
        assert restarted["restarted"] == ["scheduler"] and restarted["not_configured"] == ["webserver"]
        assert run_script(path, "status", "scheduler")[1]["services"]["scheduler"]["pid"] != old_pid
        rc, stopped = run_script(path, "stop")
        assert rc == 0 and stopped["stopped"] == ["scheduler", "api-server"]
        rc, status = run_script(path, "status")
        assert rc == 3 and not status["running"]
        assert run_script(path, "try-restart")[1] == {"changed": False, "not_configured": [], "not_running":
                                                      ["scheduler", "api-server"], "restarted": []}
        assert list((tmp_path / "run").glob("*.pid")) == []
        assert "starting" in (tmp_path / "logs" / "scheduler.log").read_text()
    finally:
        run_script(path, "stop")
    time.sleep(0.2)
    leftovers = subprocess.run(["pgrep", "-f", str(venv_bin)], capture_output=True, text=True, check=False).stdout
    assert leftovers == ""


def test_systemd_mode_refuses_to_start(tmp_path):
    rc, message = run_script(write_config(tmp_path, manager="systemd"), "start")
    assert rc == 2 and "managed by systemd" in message


# A stand-in for an airflow process whose worker must be stopped its way (the scheduler's LocalExecutor
# workers, the triggerer's trigger runner): on SIGTERM it asks the worker to finish (SIGUSR1) and waits
# for it. A worker that gets a SIGTERM of its own notes it and, busy shutting down, no longer listens,
# so its parent waits for it until the stop timeout.
FAKE_AIRFLOW_WITH_WORKER = """#!{python}
import signal, subprocess, sys, time
WORKER = '''
import signal, sys, time
def on_term(*_):
    open(sys.argv[1], "a").write("worker got SIGTERM\\\\n")
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGUSR1, lambda *_: sys.exit(0))
while True:
    time.sleep(0.1)
'''
worker = subprocess.Popen([sys.executable, "-c", WORKER, "{marker}"])
def on_term(*_):
    worker.send_signal(signal.SIGUSR1)
    worker.wait()
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
while True:
    time.sleep(0.1)
"""


def test_stop_lets_airflow_stop_its_own_workers_before_the_rest_of_its_group(tmp_path):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    marker = tmp_path / "worker-signals"
    (venv_bin / "airflow").write_text(FAKE_AIRFLOW_WITH_WORKER.format(python=sys.executable, marker=marker))
    (venv_bin / "airflow").chmod(stat.S_IRWXU)
    (tmp_path / "home").mkdir()
    path = write_config(tmp_path, stop_timeout=15, services={"scheduler": ["scheduler"]})
    try:
        rc, started = run_script(path, "start")
        assert rc == 0 and started["started"] == ["scheduler"]
        time.sleep(1)  # the worker is up and has its handlers
        begun = time.monotonic()
        rc, stopped = run_script(path, "stop")
        took = time.monotonic() - begun
        assert rc == 0 and stopped["stopped"] == ["scheduler"]
        assert not marker.exists(), "the worker got a SIGTERM of its own"
        assert took < 8, "the stop waited %.1f s (the stop timeout is 15 s)" % took
    finally:
        run_script(path, "stop")
    time.sleep(0.2)
    leftovers = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True, check=False).stdout
    assert leftovers == ""


# A stand-in for an airflow process that leaves a child behind which ignores SIGTERM, and takes a
# second to exit itself (Airflow 3's api-server tears its interpreter down for seconds after its server
# has shut down).
FAKE_AIRFLOW_WITH_STUBBORN_CHILD = """#!{python}
import signal, subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                  "open({marker!r}, 'w').close(); time.sleep(300)"])
def on_term(*_):
    time.sleep(1)
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
while True:
    time.sleep(0.1)
"""


def test_the_stop_timeout_bounds_the_whole_stop_leftovers_included(tmp_path):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    marker = tmp_path / "stubborn-child-up"
    (venv_bin / "airflow").write_text(FAKE_AIRFLOW_WITH_STUBBORN_CHILD.format(python=sys.executable, marker=str(marker)))
    (venv_bin / "airflow").chmod(stat.S_IRWXU)
    (tmp_path / "home").mkdir()
    path = write_config(tmp_path, stop_timeout=2, services={"api-server": ["api-server"]})
    try:
        assert run_script(path, "start")[1]["started"] == ["api-server"]
        deadline = time.monotonic() + 10
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        begun = time.monotonic()
        rc, stopped = run_script(path, "stop")
        took = time.monotonic() - begun
        assert rc == 0 and stopped["stopped"] == ["api-server"]
        # 1 s for the airflow process, then the stubborn child gets the 1 s left, not LEFTOVER_TIMEOUT (5 s).
        assert took < 2 + svc.LEFTOVER_TIMEOUT - 1.5, "the stop took %.1f s with a stop timeout of 2 s" % took
    finally:
        run_script(path, "stop")
    time.sleep(0.2)
    leftovers = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True, check=False).stdout
    assert leftovers == ""
