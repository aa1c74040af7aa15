"""Airflow's services as supervised background processes, for hosts without systemd.

  dagops-airflow-services start|stop|restart|try-restart|status [NAME...]
  dagops-airflow-services exec NAME             run one service in the foreground (systemd's ExecStart)
  dagops-airflow-services airflow ARGS...       the airflow CLI with the services' environment and user
  dagops-airflow-services python ARGS...        the virtualenv's python, likewise

No NAME means every configured service. Each service runs under a small supervisor (its own session,
stdout and stderr appended to LOG_DIR/NAME.log) that starts `airflow ARGS` in a process group of its
own and starts it again, with a growing delay, when it dies. RUN_DIR/NAME.pid holds the supervisor's
pid, RUN_DIR/NAME.child.pid the airflow process's; a pid file whose process is gone, or whose pid now
belongs to another program (/proc/PID/cmdline), is stale: ignored and removed.
`stop` ends every service's supervisor at once; each sends SIGTERM to the airflow process alone (it
stops its own workers), SIGKILL to its process tree if it is still there after the stop timeout, and
SIGTERM, then SIGKILL, to whatever of the tree it left behind, within the same stop timeout; then
`stop` ends anything of that tree still alive. `try-restart` restarts only the running
services (systemd's meaning) and ignores names that are not configured on this host. Every command
but exec/airflow/python prints one JSON object: `started`, `stopped`, `restarted` list what changed.

The configuration is a JSON file written by the dagops.airflow.airflow role, next to this script
(dagops-airflow-services.json) unless --config or DAGOPS_AIRFLOW_SERVICES_CONFIG names another:
  {"airflow_home": ..., "venv": ..., "run_dir": ..., "log_dir": ..., "user": "", "group": "",
   "manager": "process"|"systemd", "stop_timeout": 30, "environment": {...}, "services": {NAME: [ARGS]}}
Python 3.9+ standard library only: it runs on the host's python, not in Airflow's virtualenv. The role
installs this file as AIRFLOW_HOME/bin/dagops-airflow-services with a shebang naming that python.
"""
import argparse
import contextlib
import grp
import json
import os
import pwd
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve()
DEFAULT_CONFIG = SCRIPT.parent / "dagops-airflow-services.json"
SUPERVISE = "_supervise"
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
STABLE_AFTER = 60.0  # a child that ran this long resets the backoff
START_CONFIRM_TIMEOUT = 10.0
POLL = 0.2
FAMILY_REFRESH = 5.0
LEFTOVER_TIMEOUT = 5.0  # what the stopped airflow process left behind gets this long after SIGTERM


class ServiceError(Exception):
    """A problem the caller must fix; printed without a traceback."""


# ---------------------------------------------------------------------------------------------
# Pure logic (unit-tested): configuration, service selection, backoff, results.

def load_config(path):
    try:
        config = json.loads(Path(path).read_text())
    except OSError as e:
        raise ServiceError(f"cannot read the configuration {path}: {e.strerror}") from None
    except ValueError as e:
        raise ServiceError(f"the configuration {path} is not valid JSON: {e}") from None
    missing = [key for key in ("airflow_home", "venv", "run_dir", "log_dir", "services") if key not in config]
    if missing:
        raise ServiceError(f"the configuration {path} lacks {', '.join(missing)}")
    if not isinstance(config["services"], dict) or not all(
            isinstance(args, list) and all(isinstance(arg, str) for arg in args) for args in config["services"].values()):
        raise ServiceError(f"the configuration {path}: services must map each name to a list of airflow arguments")
    config.setdefault("environment", {})
    config.setdefault("stop_timeout", 30)
    config.setdefault("manager", "process")
    config.setdefault("user", "")
    config.setdefault("group", "")
    return config


def select_services(config, names, lenient=False):
    """(the configured services among names in order, the unknown names); no names = all."""
    configured = list(config["services"])
    if not names:
        return configured, []
    unknown = [name for name in names if name not in configured]
    if unknown and not lenient:
        raise ServiceError(f"unknown service(s) {', '.join(unknown)}; configured: {', '.join(configured)}")
    chosen = []
    for name in names:
        if name in configured and name not in chosen:
            chosen.append(name)
    return chosen, unknown


def next_backoff(previous, ran_for):
    """Seconds to wait before starting a child again that ran `ran_for` seconds."""
    if previous is None or ran_for >= STABLE_AFTER:
        return BACKOFF_FIRST
    return min(previous * 2, BACKOFF_MAX)


def service_env(config, base):
    """The base environment without any AIRFLOW* variable, the venv first on PATH, then the configured one.
    The 2.x executors start `airflow tasks run` by name, so the venv's bin must come first."""
    env = {key: value for key, value in base.items() if not key.startswith("AIRFLOW")}
    env["PATH"] = f"{config['venv']}/bin:{env.get('PATH') or '/usr/local/bin:/usr/bin:/bin'}"
    env.update(VIRTUAL_ENV=config["venv"], AIRFLOW_HOME=config["airflow_home"], PYTHONUNBUFFERED="1")
    env.update({key: str(value) for key, value in config["environment"].items()})
    return env


def is_supervisor_cmdline(cmdline, name):
    parts = cmdline.split(b"\0")
    return SUPERVISE.encode() in parts and name.encode() in parts and any(
        part.endswith(SCRIPT.name.encode()) for part in parts)


def is_airflow_cmdline(cmdline):
    return b"airflow" in cmdline


def parse_stat(text):
    """(state, ppid, pgid) from /proc/PID/stat (the command may hold spaces and parentheses)."""
    state, ppid, pgid = text.rsplit(")", 1)[1].split()[:3]
    return state, int(ppid), int(pgid)


def descendant_groups(table, groups):
    """The groups among `groups` that still have members, and those of all their descendants.
    table: {pid: (ppid, pgid)}. Airflow 2's DAG processor manager leaves the scheduler's group."""
    pids = frontier = {pid for pid, (ppid, pgid) in table.items() if pgid in groups}
    while frontier:
        frontier = {pid for pid, (ppid, pgid) in table.items() if ppid in frontier and pid not in pids}
        pids = pids | frontier
    return {table[pid][1] for pid in pids}


def is_changed(result):
    return any(result.get(key) for key in ("started", "stopped", "restarted"))


# ---------------------------------------------------------------------------------------------
# Processes

def live_processes():
    """{pid: (ppid, pgid)} of every live (non-zombie) process."""
    table = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            state, ppid, pgid = parse_stat((entry / "stat").read_text())
            if state != "Z":
                table[int(entry.name)] = (ppid, pgid)
    return table


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def read_pid(path):
    with contextlib.suppress(OSError, ValueError):
        pid = int(Path(path).read_text().strip())
        return pid if pid > 0 else None
    return None


def write_pid(path, pid):
    write_text(path, f"{pid}\n")


def write_text(path, text):
    # The starter and the supervisor both write NAME.pid: a temporary file of each writer's own.
    tmp = Path(f"{path}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def tail(path, lines=20):
    with contextlib.suppress(OSError):
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    return ""


def remove(path):
    with contextlib.suppress(FileNotFoundError):
        Path(path).unlink()


class Service:
    def __init__(self, config, name):
        self.config, self.name = config, name
        run = Path(config["run_dir"])
        self.pid_file = run / f"{name}.pid"
        self.child_pid_file = run / f"{name}.child.pid"
        self.state_file = run / f"{name}.state.json"
        self.log_file = Path(config["log_dir"]) / f"{name}.log"

    def supervisor_pid(self):
        pid = read_pid(self.pid_file)
        if pid and is_supervisor_cmdline(cmdline(pid), self.name) and pid in live_processes():
            return pid
        return None

    def child_pid(self):
        """The airflow process while it lives and still leads its group; a recycled pid is not ours."""
        pid = read_pid(self.child_pid_file)
        if not pid:
            return None
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pid and is_airflow_cmdline(cmdline(pid)) and pid in live_processes():
                return pid
        return None

    def running(self):
        return bool(self.supervisor_pid() or self.child_pid())

    def forget_stale(self):
        if not self.supervisor_pid():
            remove(self.pid_file)
        if not self.child_pid():
            remove(self.child_pid_file)

    def status(self):
        supervisor, child = self.supervisor_pid(), self.child_pid()
        state = {}
        with contextlib.suppress(OSError, ValueError):
            state = json.loads(self.state_file.read_text())
        return {"running": bool(supervisor or child), "supervisor_pid": supervisor, "pid": child,
                "restarts": state.get("restarts", 0), "last_exit_code": state.get("last_exit_code"),
                "log": str(self.log_file)}

    def start(self):
        """Start the supervisor, detached; True once it has started the airflow process."""
        Path(self.config["run_dir"]).mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        remove(self.state_file)
        with open(self.log_file, "ab") as log, open(os.devnull, "rb") as devnull:
            supervisor = subprocess.Popen(
                [sys.executable, str(SCRIPT), "--config", self.config["_path"], SUPERVISE, self.name],
                stdin=devnull, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
                cwd=self.config["airflow_home"])
        write_pid(self.pid_file, supervisor.pid)
        deadline = time.monotonic() + START_CONFIRM_TIMEOUT
        while time.monotonic() < deadline:
            if supervisor.poll() is not None:
                raise ServiceError(f"the supervisor of {self.name} exited at once (code {supervisor.returncode}); "
                                   f"the end of {self.log_file}:\n{tail(self.log_file)}")
            if self.child_pid():
                return True
            time.sleep(POLL)
        return False

    def stop(self):
        """Stop the supervisor and the airflow process tree; True if anything was running."""
        return finish_stops([self.begin_stop()])[0]

    def begin_stop(self):
        """Signal the supervisor (it ends its child); what finish_stops needs to wait for."""
        supervisor, child = self.supervisor_pid(), self.child_pid()
        if not supervisor and not child:
            self.forget_stale()
            return {"service": self, "running": False}
        groups = descendant_groups(live_processes(), {child}) if child else set()
        if supervisor:
            with contextlib.suppress(ProcessLookupError):
                os.kill(supervisor, signal.SIGTERM)
        return {"service": self, "running": True, "supervisor": supervisor, "groups": groups}


def finish_stops(stops):
    """Wait for the supervisors signalled by begin_stop (each ends its child: SIGTERM, then SIGKILL after
    the stop timeout), then end whatever of the process trees is left. All services stop in parallel."""
    running = [stop for stop in stops if stop["running"]]
    if running:
        timeout = max(float(stop["service"].config["stop_timeout"]) for stop in running)
        supervisors = {stop["supervisor"] for stop in running if stop["supervisor"]}
        wait_until(lambda: not supervisors & set(live_processes()), timeout + LEFTOVER_TIMEOUT + 15)
        # An unsupervised child gets its SIGTERM here; what a supervisor left gets SIGKILL.
        orphans = set().union(*(stop["groups"] for stop in running if not stop["supervisor"]))
        terminate_groups(orphans, timeout)
        terminate_groups(set().union(*(stop["groups"] for stop in running)), 0)
        for stop in running:
            remove(stop["service"].pid_file)
            remove(stop["service"].child_pid_file)
    return [stop["running"] for stop in stops]


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL)
    return True


def terminate_groups(groups, term_timeout):
    """SIGTERM the groups (and their descendants' groups), SIGKILL what is left after term_timeout."""
    signals = ((signal.SIGTERM, term_timeout), (signal.SIGKILL, 10)) if term_timeout else ((signal.SIGKILL, 10),)
    for sig, wait in signals:
        groups = descendant_groups(live_processes(), groups)
        if not groups:
            return True
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
        # Children orphaned meanwhile keep their group, so they are still found.
        if wait_until(lambda: not descendant_groups(live_processes(), groups), wait):
            return True
    return not descendant_groups(live_processes(), groups)


def stop_child(child, groups, timeout):
    """systemd's KillMode=mixed: SIGTERM to the airflow process alone, which stops its own workers its
    own way (the scheduler tells its LocalExecutor workers to finish, the triggerer its trigger runner);
    once it is gone, SIGTERM then SIGKILL to what is left of its process tree; SIGKILL to all of it
    if it is still there after `timeout`. A SIGTERM to the whole group at once reaches those workers
    in the middle of that shutdown, and the airflow process then waits for them until it is killed.
    `timeout` bounds the whole stop, as systemd's TimeoutStopSec does: what is left of the tree gets
    LEFTOVER_TIMEOUT at most, and no more than the time that remains (an Airflow 3 api-server spends
    seconds of CPU tearing its interpreter down after its server has shut down)."""
    deadline = time.monotonic() + timeout
    family = descendant_groups(live_processes(), groups | {child.pid})
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=timeout)
    remaining = max(0.0, deadline - time.monotonic())
    terminate_groups(family, min(LEFTOVER_TIMEOUT, remaining) if child.poll() is not None else 0)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=5)


def run_as(config):
    """Popen keyword arguments that drop root to the configured user and group."""
    user = config["user"]
    if os.geteuid() != 0 or not user or user == "root":
        return {}
    entry = pwd.getpwnam(user)
    gid = grp.getgrnam(config["group"]).gr_gid if config["group"] else entry.pw_gid
    return {"user": entry.pw_uid, "group": gid, "extra_groups": os.getgrouplist(user, gid)}


def drop_privileges(config):
    ids = run_as(config)
    if ids:
        os.setgroups(ids["extra_groups"])
        os.setgid(ids["group"])
        os.setuid(ids["user"])


def airflow_argv(config, name):
    return [f"{config['venv']}/bin/airflow", *config["services"][name]]


def clear_airflow_pid_file(config, name):
    # Airflow 2's webserver refuses to start while the pid in AIRFLOW_HOME/airflow-webserver.pid is
    # alive, and a stale file may hold a recycled pid. Only our own, stopped service wrote it.
    remove(Path(config["airflow_home"]) / f"airflow-{name}.pid")


# ---------------------------------------------------------------------------------------------
# The supervisor

def supervise(config, name):
    service = Service(config, name)
    env = service_env(config, os.environ)
    stopping = {"flag": False}

    def on_signal(signum, frame):  # pylint: disable=unused-argument
        stopping["flag"] = True  # the loop below ends the child: one SIGTERM, then SIGKILL

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    write_pid(service.pid_file, os.getpid())
    backoff, restarts = None, 0
    while not stopping["flag"]:
        clear_airflow_pid_file(config, name)
        started = time.monotonic()
        say(f"{name}: starting {' '.join(airflow_argv(config, name))}")
        with open(os.devnull, "rb") as devnull:
            child = subprocess.Popen(airflow_argv(config, name), env=env, cwd=config["airflow_home"], stdin=devnull,
                                     start_new_session=True, **run_as(config))
        write_pid(service.child_pid_file, child.pid)
        # The process tree's groups, refreshed now and then: a process that left the child's group
        # (Airflow 2's DAG processor manager) is orphaned, not found by descent, once the child dies.
        groups, refreshed = {child.pid}, time.monotonic()
        while child.poll() is None and not stopping["flag"]:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.5)
            if time.monotonic() - refreshed > FAMILY_REFRESH:
                groups, refreshed = descendant_groups(live_processes(), groups | {child.pid}), time.monotonic()
        if stopping["flag"]:
            say(f"{name}: stopping")
            stop_child(child, groups, float(config["stop_timeout"]))
            break
        # The child died by itself: end what it left in its group, then start it again after a delay.
        terminate_groups(groups | {child.pid}, 5)
        remove(service.child_pid_file)
        restarts += 1
        backoff = next_backoff(backoff, time.monotonic() - started)
        write_json(service.state_file, {"restarts": restarts, "last_exit_code": child.returncode})
        say(f"{name}: exited with code {child.returncode}; starting it again in {backoff:.0f} s")
        wait_until(lambda: stopping["flag"], backoff)
    remove(service.child_pid_file)
    if read_pid(service.pid_file) == os.getpid():
        remove(service.pid_file)
    say(f"{name}: stopped")
    return 0


def write_json(path, data):
    write_text(path, json.dumps(data) + "\n")


def say(message):
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} dagops-airflow-services: {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Commands

def require_process_mode(config):
    if config["manager"] != "process":
        raise ServiceError(f"the services on this host are managed by {config['manager']} "
                           "(systemctl start|stop|restart airflow-NAME), not by this script")


def cmd_start(config, names):
    require_process_mode(config)
    chosen = select_services(config, names)[0]
    result = {"started": [], "already_running": [], "not_confirmed": []}
    for name in chosen:
        service = Service(config, name)
        if service.supervisor_pid():
            result["already_running"].append(name)
            continue
        service.stop()  # an unsupervised airflow process left by a killed supervisor, or stale files
        result["started"].append(name)
        if not service.start():
            result["not_confirmed"].append(name)
    return result


def cmd_stop(config, names):
    require_process_mode(config)
    chosen = select_services(config, names)[0]
    result = {"stopped": [], "not_running": []}
    stopped = finish_stops([Service(config, name).begin_stop() for name in chosen])
    for name, was_running in zip(chosen, stopped):
        result["stopped" if was_running else "not_running"].append(name)
    return result


def cmd_restart(config, names, only_running=False):
    require_process_mode(config)
    chosen, unknown = select_services(config, names, lenient=only_running)
    result = {"restarted": [], "not_running": [], "not_configured": unknown}
    stopped = finish_stops([Service(config, name).begin_stop() for name in chosen])
    for name, was_running in zip(chosen, stopped):
        if only_running and not was_running:
            result["not_running"].append(name)
            continue
        Service(config, name).start()
        result["restarted"].append(name)
    return result


def cmd_status(config, names):
    chosen = select_services(config, names)[0]
    if config["manager"] != "process":
        return {"manager": config["manager"], "services": {}}
    services = {name: Service(config, name).status() for name in chosen}
    return {"manager": "process", "running": all(s["running"] for s in services.values()), "services": services}


def cmd_exec(config, name):
    select_services(config, [name])
    clear_airflow_pid_file(config, name)
    os.chdir(config["airflow_home"])
    drop_privileges(config)
    os.execve(airflow_argv(config, name)[0], airflow_argv(config, name), service_env(config, os.environ))


def cmd_program(config, program, args):
    drop_privileges(config)
    path = f"{config['venv']}/bin/{program}"
    os.execve(path, [path, *args], service_env(config, os.environ))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog=SCRIPT.name, description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--config", default=os.environ.get("DAGOPS_AIRFLOW_SERVICES_CONFIG", str(DEFAULT_CONFIG)))
    parser.add_argument("command", choices=["start", "stop", "restart", "try-restart", "status", "exec", "airflow",
                                            "python", SUPERVISE])
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def main(argv):
    options = parse_args(argv)
    try:
        config = load_config(options.config)
        config["_path"] = str(Path(options.config).resolve())
        command, args = options.command, options.args
        if command == SUPERVISE:
            return supervise(config, args[0])
        if command == "exec":
            if len(args) != 1:
                raise ServiceError("exec takes one service name")
            return cmd_exec(config, args[0])
        if command in ("airflow", "python"):
            return cmd_program(config, command, args[1:] if args[:1] == ["--"] else args)
        result = {"start": cmd_start, "stop": cmd_stop, "status": cmd_status,
                  "restart": cmd_restart,
                  "try-restart": lambda c, n: cmd_restart(c, n, only_running=True)}[command](config, args)
    except ServiceError as e:
        print(f"{SCRIPT.name}: {e}", file=sys.stderr)
        return 2
    result["changed"] = is_changed(result)
    print(json.dumps(result, sort_keys=True))
    if command == "status":
        return 0 if result.get("running", True) else 3  # systemctl's code for "not running"
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
