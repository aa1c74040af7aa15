"""Start and stop real local Airflow servers for integration tests, the demo and benchmarks.

  airflow_server.py start FLAVOR --state-dir DIR [--port N] [--jwt-expiration SECONDS] [--no-jwt-secret]
                                                 [--rest-api-plugin] [--multi-team]
  airflow_server.py stop   --state-dir DIR
  airflow_server.py status --state-dir DIR            exit 0 if healthy
  airflow_server.py cli    --state-dir DIR -- ARGS... run `airflow ARGS` with that server's env
  airflow_server.py web    --state-dir DIR [--env NAME=VALUE ...] | --stop
                                                     one more web process (webserver / api-server) of
                                                     that server with extra environment, e.g. the REST
                                                     plugin's token settings; printed as {"url", "pid"}
  airflow_server.py restart-parser --state-dir DIR [--min-file-process-interval SECONDS]
                                                 restart only the process that parses DAG files

FLAVOR is 2.11 (API v1, HTTP Basic), 3.0, 3.1, 3.2, 3.3 (API v2, simple auth manager), 3.0-fab,
3.1-fab, 3.2-fab, 3.3-fab (API v2, FAB auth manager) or 3.4 (the newest pre-release, simple auth
manager); each runs the latest patch pinned in FLAVORS. The login is always admin/admin, and
viewer/viewer is a user without admin rights.
--rest-api-plugin installs the collection's REST plugin (roles/rest_api_plugin/files) in the
server's plugins folder before the processes start. --multi-team sets [core] multi_team = True and
creates the teams dagops_team_a and dagops_team_b (Airflow 3.2+). `start` prints DIR/server.json on stdout; human
messages go to stderr. Stdlib only: this runs on the controller's python, not in the Airflow venv.
"""
import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 180  # a cold start on 2 cores takes 15-60 s; leave a wide margin
STOP_TIMEOUT = 20
USER, PASSWORD = "admin", "admin"
VIEWER, VIEWER_PASSWORD = "viewer", "viewer"  # authenticated, but no admin: for refusal tests
PLUGIN_FILES = HERE.parent.parent / "roles" / "rest_api_plugin" / "files"
PLUGIN_MAX_FILE_SIZE = 1048576  # below the plugin's default, so tests see the setting applied
PLUGIN_MAX_BATCH_SIZE = 4194304  # likewise: a batch of five 1 MB files is refused
FLAVORS = {
    "2.11": {"venv": "airflow-2.11.0", "api": "v1", "auth": "basic"},
    "3.0": {"venv": "airflow-3.0.6", "api": "v2", "auth": "simple"},
    "3.0-fab": {"venv": "airflow-3.0.6-fab", "api": "v2", "auth": "fab"},
    "3.1": {"venv": "airflow-3.1.8", "api": "v2", "auth": "simple"},
    "3.1-fab": {"venv": "airflow-3.1.8-fab", "api": "v2", "auth": "fab"},
    "3.2": {"venv": "airflow-3.2.2", "api": "v2", "auth": "simple"},
    "3.2-fab": {"venv": "airflow-3.2.2-fab", "api": "v2", "auth": "fab"},
    "3.3": {"venv": "airflow-3.3.2", "api": "v2", "auth": "simple"},
    "3.3-fab": {"venv": "airflow-3.3.2-fab", "api": "v2", "auth": "fab"},
    "3.4": {"venv": "airflow-3.4.0b2", "api": "v2", "auth": "simple"},  # pre-release: reported only
}
# Fixed test-only secrets, so sessions, JWTs and encrypted fields survive a restart.
SECRET_KEY = "dagops-airflow-test-secret-key"
JWT_SECRET = "dagops-airflow-test-jwt-secret-" + "0123456789abcdef" * 3  # PyJWT warns below 64 bytes
FERNET_KEY = base64.urlsafe_b64encode(b"dagops-airflow-test-fernet-key!!").decode()
# Every request goes to loopback: ignore any http(s)_proxy of the caller.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def say(msg):
    print(f"airflow_server: {msg}", file=sys.stderr, flush=True)


def read_json(path, default=None):
    with contextlib.suppress(OSError, ValueError):
        return json.loads(Path(path).read_text())
    return default


def write_json(path, data):
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)  # atomic: a concurrent `status` never reads half a file


def port_is_free(port):
    """The port if it can be bound on loopback (0: a random free one), else None."""
    with socket.socket() as s:
        if port:  # as the servers do, so a port in TIME_WAIT after our own stop counts as free
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return s.getsockname()[1]
        except OSError:
            return None


def airflow_env(flavor, home, port, jwt_expiration, fixed_jwt_secret, rest_api_plugin=False):
    """The whole configuration as AIRFLOW__SECTION__KEY variables; airflow.cfg is never edited."""
    url = f"http://127.0.0.1:{port}"
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__FERNET_KEY": FERNET_KEY,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
    }
    if rest_api_plugin:
        env["AIRFLOW__REST_API_PLUGIN__MAX_FILE_SIZE"] = str(PLUGIN_MAX_FILE_SIZE)
        env["AIRFLOW__REST_API_PLUGIN__MAX_BATCH_SIZE"] = str(PLUGIN_MAX_BATCH_SIZE)
    if FLAVORS[flavor]["api"] == "v1":
        env.update({
            "AIRFLOW__CORE__EXECUTOR": "SequentialExecutor",  # 2.x refuses any other one on SQLite
            "AIRFLOW__WEBSERVER__SECRET_KEY": SECRET_KEY,
            "AIRFLOW__WEBSERVER__BASE_URL": url,
            "AIRFLOW__API__AUTH_BACKENDS": "airflow.providers.fab.auth_manager.api.auth.backend.basic_auth,"
                                           "airflow.api.auth.backend.session",
            # Defaults are 300 s / 30 s: far too slow for tests that drop a DAG file and wait for it.
            "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        })
        return env
    env.update({
        # 3.x dropped SequentialExecutor and lets LocalExecutor run on SQLite (tasks write through
        # the execution API). It forks [core] parallelism workers up front: 32 (~4 GB RSS) by default.
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__API__SECRET_KEY": SECRET_KEY,  # 3.x moved [webserver] secret_key here
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": url,
        # Task supervisors call back through this URL; without it they guess port 8080.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        # Left unset, Airflow writes a generated secret into airflow.cfg at first start, so tokens
        # would survive restarts anyway. A fresh one per start (shared by all processes, or tasks
        # could not authenticate) lets tests see old tokens rejected after a restart.
        "AIRFLOW__API_AUTH__JWT_SECRET": JWT_SECRET if fixed_jwt_secret else secrets.token_urlsafe(64),
    })
    if jwt_expiration:
        env["AIRFLOW__API_AUTH__JWT_EXPIRATION_TIME"] = str(jwt_expiration)
    if FLAVORS[flavor]["auth"] == "fab":
        env["AIRFLOW__CORE__AUTH_MANAGER"] = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
    else:
        env.update({
            "AIRFLOW__CORE__AUTH_MANAGER":
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin,{VIEWER}:viewer",  # user:role
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_passwords.json"),
        })
    return env


def process_env(venv, airflow_vars):
    # None of the caller's AIRFLOW* settings may leak in. The venv goes first on PATH because
    # the 2.x executor spawns `airflow tasks run ...` by name.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(airflow_vars, PATH=f"{venv}/bin:{env.get('PATH', '/usr/bin:/bin')}", VIRTUAL_ENV=venv,
               PYTHONUNBUFFERED="1")
    return env


def http(method, url, body=None, headers=None, timeout=10):
    """(status, parsed JSON or None); status 0 when nothing answers."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with _opener.open(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except (OSError, ValueError):
        return 0, None
    with contextlib.suppress(ValueError):
        return status, json.loads(raw)
    return status, None


def check_server(url, api):
    """(ok, why not, version): every component we run is healthy AND an authenticated call works."""
    status, health = http("GET", f"{url}/api/v1/health" if api == "v1" else f"{url}/api/v2/monitor/health")
    if status != 200 or not isinstance(health, dict):
        return False, f"health HTTP {status}", None
    # Waiting for the scheduler and DAG processor too means a DAG run triggered right after
    # `start` gets picked up. No triggerer runs, so that one is never healthy: skip it.
    for part in ("metadatabase", "scheduler") + (("dag_processor",) if api == "v2" else ()):
        state = (health.get(part) or {}).get("status")
        if state != "healthy":
            return False, f"{part} {state}", None
    if api == "v1":
        auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    else:
        status, token = http("POST", f"{url}/auth/token", {"username": USER, "password": PASSWORD})
        if status != 201 or "access_token" not in (token or {}):
            return False, f"POST /auth/token HTTP {status}", None
        auth = f"Bearer {token['access_token']}"
    status = http("GET", f"{url}/api/{api}/variables", headers={"Authorization": auth})[0]
    if status != 200:
        return False, f"GET /api/{api}/variables HTTP {status}", None
    version = http("GET", f"{url}/api/{api}/version", headers={"Authorization": auth})[1]
    return True, "", (version or {}).get("version")


def live_processes():
    """{pid: (ppid, pgid)} of every live (non-zombie) process, read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):  # ValueError: /proc/self etc.
            state, ppid, pgid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            if state != "Z":
                table[int(entry.name)] = (int(ppid), int(pgid))
    return table


def group_members(pgid):
    return [pid for pid, ids in live_processes().items() if ids[1] == pgid]


def ours(pid):
    # A recorded pid is trusted while it still leads its own group and runs airflow; a recycled
    # pid fails that and is left alone. Once the leader is gone, its pgid cannot be reused while
    # members remain, so a group that still has members is still ours.
    try:
        if os.getpgid(pid) != pid:
            return False
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # ProcessLookupError included
        cmdline = b""
    return b"airflow" in cmdline if cmdline else bool(group_members(pid))  # empty: gone or zombie


def family(groups):
    """The non-empty groups among `groups` and those of their descendants: 2.x's DAG processor
    manager moves itself to a group of its own, and would outlive a SIGKILLed scheduler."""
    table = live_processes()
    pids = frontier = {pid for pid, (ppid, pgid) in table.items() if pgid in groups}
    while frontier:
        frontier = {pid for pid, (ppid, pgid) in table.items() if ppid in frontier and pid not in pids}
        pids = pids | frontier
    return {table[pid][1] for pid in pids}


def stop_pids(pids):
    groups = family({pid for pid in pids.values() if ours(pid)})
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5)):
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
        deadline = time.monotonic() + wait
        while groups and time.monotonic() < deadline:
            for pid in pids.values():  # reap our own children (failed-start path)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
            time.sleep(0.3)
            groups = family(groups)  # children orphaned meanwhile keep their group: still found
        if not groups:
            return
        say(f"still running after {sig.name}: process groups {sorted(groups)}")


def log_tail(logs, lines=40):
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"----- {log} (last {len(text)} lines) -----", *text, sep="\n", file=sys.stderr)


def run_cli(venv, env, args, log):
    with open(log, "ab") as out:
        rc = subprocess.run([f"{venv}/bin/airflow", *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, timeout=600, check=False).returncode
    if rc:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed with exit code {rc}")


def install_rest_api_plugin(plugins_folder):
    """A fresh copy of the plugin's files (the dagops_rest_api package and its registering module)."""
    plugins_folder.mkdir(parents=True, exist_ok=True)
    for source in PLUGIN_FILES.iterdir():
        target = plugins_folder / source.name
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.suffix != ".pyc":
            shutil.copy2(source, target)


def create_user(venv, env, logs, username, password, role):
    """A user in FAB's user store; on a restart `users create` says "already exist(s)" and exits 0."""
    say(f"creating user {username} ({role})")
    run_cli(venv, env, ["users", "create", "--username", username, "--password", password, "--role", role,
                        "--firstname", username.title(), "--lastname", "User", "--email", f"{username}@example.com"],
            logs / "users-create.log")


# ----- multi-team mode (--multi-team): Airflow 3.2+ -----------------------------------------------
# [core] multi_team = True and the teams TEAMS, created in the database before the processes start
# (the auth manager checks at startup that the teams it knows exist there). Teams are rows of the
# team table (`airflow teams create NAME` writes the same); one in-process call creates them all.
TEAMS = ("dagops_team_a", "dagops_team_b")
CREATE_TEAMS = """
import sys
from airflow.models.team import Team
from airflow.utils.session import create_session
with create_session() as session:
    known = {team.name for team in session.query(Team)}
    session.add_all(Team(name=name) for name in sys.argv[1:] if name not in known)
"""


def multi_team_env(flavor):
    if FLAVORS[flavor]["api"] == "v1":
        raise SystemExit("--multi-team needs Airflow 3.2 or later")
    return {"AIRFLOW__CORE__MULTI_TEAM": "True"}


def create_teams(venv, env, log):
    say(f"creating the teams {', '.join(TEAMS)}")
    with open(log, "ab") as out:
        subprocess.run([f"{venv}/bin/python", "-c", CREATE_TEAMS, *TEAMS], env=env, stdout=out,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300, check=True)
# ----- end of multi-team mode ----------------------------------------------------------------------


def cmd_start(a):
    state = Path(a.state_dir).resolve()
    home, logs, spec = state / "airflow-home", state / "logs", FLAVORS[a.flavor]
    for d in (home / "dags", logs):
        d.mkdir(parents=True, exist_ok=True)
    previous = read_json(state / "server.json", {})
    if previous.get("flavor", a.flavor) != a.flavor:
        say(f"{state} holds a {previous['flavor']} server (its DB would not fit); use another --state-dir")
        return 2
    if previous.get("pids"):
        if check_server(previous["url"], previous["api_version"])[0]:
            say(f"already running at {previous['url']} (stop it first to change options)")
            print(json.dumps(previous, indent=2))
            return 0
        say("stopping the leftovers of a previous run")
        stop_pids(previous["pids"])
    if a.port and not port_is_free(a.port):
        say(f"port {a.port} is already in use")
        return 1
    # On a restart keep the previous port while it is free, so the caller's URL stays valid.
    port = a.port or (previous.get("port") and port_is_free(previous["port"])) or port_is_free(0)
    url = f"http://127.0.0.1:{port}"

    venv = subprocess.run([str(HERE / "venv.sh"), spec["venv"]], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    airflow_vars = airflow_env(a.flavor, home, port, a.jwt_expiration, not a.no_jwt_secret, a.rest_api_plugin)
    if a.multi_team:
        airflow_vars.update(multi_team_env(a.flavor))
    write_json(state / "env.json", airflow_vars)
    env = process_env(venv, airflow_vars)
    if spec["auth"] == "simple":
        write_json(home / "simple_auth_passwords.json", {USER: PASSWORD, VIEWER: VIEWER_PASSWORD})
    if a.rest_api_plugin:
        install_rest_api_plugin(home / "plugins")
    for stale in home.glob("airflow-*.pid"):
        stale.unlink()  # 2.x refuses to start while the pid in one of these (maybe recycled) is alive

    t0 = time.monotonic()
    info = {"flavor": a.flavor, "url": url, "username": USER, "password": PASSWORD,
            "airflow_version": None, "api_version": spec["api"], "auth_manager": spec["auth"],
            "airflow_home": str(home), "dags_folder": str(home / "dags"), "venv": venv,
            "viewer_username": VIEWER, "viewer_password": VIEWER_PASSWORD,
            "plugins_folder": str(home / "plugins"), "rest_api_plugin": bool(a.rest_api_plugin),
            "port": port, "pids": {}, "teams": list(TEAMS) if a.multi_team else []}
    popens = {}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed `start` cleans up too
    try:
        # On 3.x `db migrate` also creates the FAB tables (the auth manager registers its DB
        # manager), so no separate `fab-db migrate` is needed.
        say(f"{a.flavor}: airflow db migrate")
        run_cli(venv, env, ["db", "migrate"], logs / "db-migrate.log")
        if a.multi_team:
            create_teams(venv, env, logs / "teams-create.log")
        if spec["auth"] != "simple":
            create_user(venv, env, logs, USER, PASSWORD, "Admin")
        # --skip-serve-logs: the log server binds 0.0.0.0:8793, which breaks loopback-only and
        # collides between concurrent servers; the API reads the local log files anyway.
        if spec["api"] == "v1":
            procs = {"webserver": ["webserver", "-H", "127.0.0.1", "-p", str(port), "-w", "2"],
                     "scheduler": ["scheduler", "--skip-serve-logs"]}
        else:
            procs = {"api-server": ["api-server", "--host", "127.0.0.1", "--port", str(port), "-w", "1"],
                     "scheduler": ["scheduler", "--skip-serve-logs"],
                     "dag-processor": ["dag-processor"]}
        for name, args in procs.items():
            with open(logs / f"{name}.log", "ab") as out:
                popens[name] = subprocess.Popen(
                    [f"{venv}/bin/airflow", *args], env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True)
            info["pids"][name] = popens[name].pid
            write_json(state / "server.json", info)  # at once, so `stop` can always clean up
        say(f"{a.flavor}: started {info['pids']}, waiting for {url}")
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            dead = [name for name, p in popens.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"exited during startup: {', '.join(dead)}")
            ok, why, version = check_server(url, spec["api"])
            if ok:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after {START_TIMEOUT} s ({why})")
            time.sleep(1)
        if spec["auth"] != "simple":
            # Only Admin exists until the web/api server has synced FAB's default roles.
            create_user(venv, env, logs, VIEWER, VIEWER_PASSWORD, "Viewer")
    except BaseException as e:  # Ctrl-C and SIGTERM included: never leave half a server behind
        say(f"start failed: {e!r}")
        log_tail(logs)
        stop_and_forget(state / "server.json", info)
        return 130 if isinstance(e, KeyboardInterrupt) else e.code if isinstance(e, SystemExit) else 1
    info["airflow_version"] = version
    write_json(state / "server.json", info)
    say(f"{a.flavor}: healthy at {url} after {time.monotonic() - t0:.1f} s")
    print(json.dumps(info, indent=2))
    return 0


def stop_and_forget(path, info):
    stop_pids(info["pids"])
    info["pids"] = {}
    write_json(path, info)


def cmd_stop(a):
    path = Path(a.state_dir).resolve() / "server.json"
    info = read_json(path)
    running = bool(info and info.get("pids"))
    if running:
        stop_and_forget(path, info)
    say("stopped" if running else "not running")
    return 0


def cmd_status(a):
    info = read_json(Path(a.state_dir).resolve() / "server.json")
    if not info or not info.get("pids"):
        say("not running")
        return 1
    running = {name: bool(group_members(pid)) for name, pid in info["pids"].items()}
    ok, why = check_server(info["url"], info["api_version"])[:2]
    ok = ok and all(running.values())
    print(json.dumps({"healthy": ok, "reason": why, "processes": running, "url": info["url"]}, indent=2))
    return 0 if ok else 1


# The process that parses DAG files, started as cmd_start starts it: 2.x parses inside the scheduler.
PARSER = {"v1": ("scheduler", ["scheduler", "--skip-serve-logs"]), "v2": ("dag-processor", ["dag-processor"])}


def cmd_restart_parser(a):
    """Restart the DAG-parsing process with another min_file_process_interval (a test that must
    tell a requested parse from the periodic one), or with the server's own settings again."""
    state = Path(a.state_dir).resolve()
    info, airflow_vars = read_json(state / "server.json"), read_json(state / "env.json")
    if not info or not info.get("pids"):
        say("not running")
        return 1
    name, args = PARSER[info["api_version"]]
    section = "SCHEDULER" if info["api_version"] == "v1" else "DAG_PROCESSOR"
    if a.min_file_process_interval is not None:
        airflow_vars = dict(airflow_vars, **{f"AIRFLOW__{section}__MIN_FILE_PROCESS_INTERVAL":
                                             str(a.min_file_process_interval)})
    stop_pids({name: info["pids"][name]})
    with open(state / "logs" / f"{name}.log", "ab") as out:
        proc = subprocess.Popen([f"{info['venv']}/bin/airflow", *args], env=process_env(info["venv"], airflow_vars),
                                cwd=info["airflow_home"], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    info["pids"][name] = proc.pid
    write_json(state / "server.json", info)
    time.sleep(1)  # a bad setting makes it exit within a second; the caller waits for its parses
    if proc.poll() is not None:
        say(f"{name} exited at once (exit code {proc.returncode})")
        log_tail(state / "logs")
        return 1
    interval = airflow_vars[f"AIRFLOW__{section}__MIN_FILE_PROCESS_INTERVAL"]
    say(f"{name} restarted (pid {proc.pid}), min_file_process_interval {interval} s")
    return 0


def cmd_cli(a, args):
    state = Path(a.state_dir).resolve()
    info, airflow_vars = read_json(state / "server.json"), read_json(state / "env.json")
    if not info or airflow_vars is None:
        say(f"no server was ever started in {state}")
        return 2
    airflow = f"{info['venv']}/bin/airflow"
    os.execve(airflow, [airflow, *args], process_env(info["venv"], airflow_vars))  # exit code passes through


EXTRA_WEB = "extra-web"


def cmd_web(a):
    """Start (or with --stop, stop) one more web process of a running server, on its own port, with
    `--env` added to the server's environment: settings that only some tests want (the plugin's
    token) without restarting the server the other targets use. `stop` stops it too."""
    state = Path(a.state_dir).resolve()
    info, airflow_vars = read_json(state / "server.json"), read_json(state / "env.json")
    if not info or not info.get("pids") or airflow_vars is None:
        say(f"no running server in {state}")
        return 2
    if info["pids"].get(EXTRA_WEB):
        stop_pids({EXTRA_WEB: info["pids"].pop(EXTRA_WEB)})
        write_json(state / "server.json", info)
    if a.stop:
        say("extra web process stopped")
        return 0
    extra = dict(item.split("=", 1) for item in a.env)
    port = port_is_free(0)
    url = f"http://127.0.0.1:{port}"
    airflow_vars = dict(airflow_vars, **extra)
    if info["api_version"] == "v1":
        args = ["webserver", "-H", "127.0.0.1", "-p", str(port), "-w", "1",
                "--pid", str(state / f"airflow-webserver-{port}.pid")]
    else:
        airflow_vars["AIRFLOW__API__PORT"] = str(port)
        args = ["api-server", "--host", "127.0.0.1", "--port", str(port), "-w", "1"]
    home, logs = Path(info["airflow_home"]), state / "logs"
    with open(logs / f"{EXTRA_WEB}.log", "ab") as out:
        process = subprocess.Popen([f"{info['venv']}/bin/airflow", *args], env=process_env(info["venv"], airflow_vars),
                                   cwd=home, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    info["pids"][EXTRA_WEB] = process.pid
    write_json(state / "server.json", info)
    deadline = time.monotonic() + START_TIMEOUT
    while not check_server(url, info["api_version"])[0]:
        if process.poll() is not None or time.monotonic() > deadline:
            say(f"the extra web process did not become healthy at {url}")
            log_tail(logs)
            stop_pids({EXTRA_WEB: info["pids"].pop(EXTRA_WEB)})
            write_json(state / "server.json", info)
            return 1
        time.sleep(0.5)
    print(json.dumps({"url": url, "pid": process.pid}))
    return 0


def main(argv):
    # Everything after `--` belongs to the airflow CLI, untouched by argparse.
    cut = argv.index("--") if "--" in argv else len(argv)
    argv, extra = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start a server (prints server.json; reuses a healthy one)")
    start.add_argument("flavor", choices=sorted(FLAVORS))
    start.add_argument("--port", type=int, help="default: a free random port")
    start.add_argument("--jwt-expiration", type=int, metavar="SECONDS",
                       help="[api_auth] jwt_expiration_time (3.x)")
    start.add_argument("--no-jwt-secret", action="store_true",
                       help="a new random [api_auth] jwt_secret at each start (3.x): tokens die with the server")
    start.add_argument("--rest-api-plugin", action="store_true",
                       help="install the collection's REST plugin (roles/rest_api_plugin/files) before starting")
    start.add_argument("--multi-team", action="store_true",
                       help="[core] multi_team = True with the teams %s (Airflow 3.2+)" % ", ".join(TEAMS))
    web = sub.add_parser("web", help="one more web process with extra environment (--env NAME=VALUE), or --stop")
    web.add_argument("--env", action="append", default=[], help="NAME=VALUE added to the server's environment")
    web.add_argument("--stop", action="store_true", help="stop the extra web process")
    restart_parser = sub.add_parser("restart-parser", help="restart the process that parses DAG files")
    restart_parser.add_argument("--min-file-process-interval", type=int, metavar="SECONDS",
                                help="default: the server's own setting")
    for p in (start, web, sub.add_parser("stop"), sub.add_parser("status"), restart_parser,
              sub.add_parser("cli", help="airflow CLI with the server's env: cli --state-dir DIR -- ARGS")):
        p.add_argument("--state-dir", required=True)
    a = parser.parse_args(argv)
    if a.command == "cli":
        return cmd_cli(a, extra)
    if extra:
        parser.error("arguments after `--` are only for `cli`")
    return {"start": cmd_start, "stop": cmd_stop, "status": cmd_status, "web": cmd_web,
            "restart-parser": cmd_restart_parser}[a.command](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
