#!/usr/bin/env python3
"""Start and stop real local Airflow servers for integration tests, the demo and benchmarks.

  airflow_server.py start FLAVOR --state-dir DIR [--port N] [--jwt-expiration SECONDS] [--no-jwt-secret]
  airflow_server.py stop   --state-dir DIR
  airflow_server.py status --state-dir DIR            exit 0 if healthy
  airflow_server.py cli    --state-dir DIR -- ARGS... run `airflow ARGS` with that server's env

FLAVOR is 2.11 (API v1, HTTP Basic), 3.3 (API v2, simple auth manager) or 3.3-fab (API v2, FAB
auth manager); the login is always admin/admin. `start` prints DIR/server.json on stdout; human
messages go to stderr. Stdlib only: this runs on the controller's python, not in the Airflow venv.
"""
import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 180  # a cold start on 2 cores takes 30-60 s; leave a wide margin
STOP_TIMEOUT = 20
USER, PASSWORD = "admin", "admin"

FLAVORS = {
    "2.11": {"venv": "airflow-2.11.0", "api": "v1", "auth": "basic"},
    "3.3": {"venv": "airflow-3.3.2", "api": "v2", "auth": "simple"},
    "3.3-fab": {"venv": "airflow-3.3.2-fab", "api": "v2", "auth": "fab"},
}

# Fixed (test-only) secrets, so sessions, JWTs and encrypted fields survive a restart.
SECRET_KEY = "dagops-airflow-test-secret-key"
# 64+ bytes: PyJWT warns about shorter HS512 keys in every api-server log line otherwise.
JWT_SECRET = "dagops-airflow-test-jwt-secret-" + "0123456789abcdef" * 3
FERNET_KEY = base64.urlsafe_b64encode(b"dagops-airflow-test-fernet-key!!").decode()

# Bypass any http(s)_proxy of the caller: every request goes to loopback.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def say(msg):
    print(f"airflow_server: {msg}", file=sys.stderr, flush=True)


def read_json(path, default=None):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return default


def write_json(path, data):
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)  # atomic: a concurrent `status` never reads half a file


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket() as s:
        # SO_REUSEADDR as the servers set it: a port in TIME_WAIT after our own stop is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def airflow_env(flavor, home, port, jwt_expiration, jwt_secret):
    """The whole configuration, as AIRFLOW__SECTION__KEY variables (no airflow.cfg edits)."""
    url = f"http://127.0.0.1:{port}"
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__FERNET_KEY": FERNET_KEY,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
    }
    if FLAVORS[flavor]["api"] == "v1":
        env.update({
            # SQLite allows no other executor on 2.x.
            "AIRFLOW__CORE__EXECUTOR": "SequentialExecutor",
            "AIRFLOW__WEBSERVER__SECRET_KEY": SECRET_KEY,
            "AIRFLOW__WEBSERVER__BASE_URL": url,
            "AIRFLOW__API__AUTH_BACKENDS": "airflow.providers.fab.auth_manager.api.auth.backend.basic_auth,"
                                           "airflow.api.auth.backend.session",
            # Defaults are 300 s / 30 s: far too slow for tests that drop a DAG file and wait.
            "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        })
        return env
    env.update({
        # 3.x dropped SequentialExecutor; LocalExecutor is allowed on SQLite (tasks talk to the
        # execution API, not to the DB).
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # LocalExecutor forks [core] parallelism workers up front: 32 (~4 GB RSS) by default.
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__API__SECRET_KEY": SECRET_KEY,  # 3.x moved [webserver] secret_key here
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": url,
        # Task supervisors report back through this URL; the default guesses port 8080.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
    })
    if jwt_secret:
        env["AIRFLOW__API_AUTH__JWT_SECRET"] = JWT_SECRET
    if jwt_expiration:
        env["AIRFLOW__API_AUTH__JWT_EXPIRATION_TIME"] = str(jwt_expiration)
    if FLAVORS[flavor]["auth"] == "simple":
        env.update({
            "AIRFLOW__CORE__AUTH_MANAGER":
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",  # user:role
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_passwords.json"),
        })
    else:
        env["AIRFLOW__CORE__AUTH_MANAGER"] = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
    return env


def process_env(venv, airflow_vars):
    # Drop the caller's AIRFLOW* settings so nothing leaks in; put the venv first on PATH because
    # executors spawn `airflow tasks run ...` by name.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(airflow_vars)
    env.update({"PATH": f"{venv}/bin:{env.get('PATH', '/usr/bin:/bin')}", "VIRTUAL_ENV": venv,
                "PYTHONUNBUFFERED": "1"})
    return env


def http(method, url, body=None, headers=None, timeout=10):
    """Return (status, parsed JSON or None); status 0 when the server does not answer."""
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
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def check_server(url, api):
    """(ok, why not, version): health endpoint all green AND an authenticated call works."""
    status, health = http("GET", f"{url}/api/v1/health" if api == "v1" else f"{url}/api/v2/monitor/health")
    if status != 200 or not isinstance(health, dict):
        return False, f"health HTTP {status}", None
    # Only the components we run: waiting for the scheduler/DAG processor too means a DAG run
    # triggered right after `start` is picked up. (No triggerer runs, so it is never healthy.)
    for part in ("metadatabase", "scheduler") + (("dag_processor",) if api == "v2" else ()):
        state = (health.get(part) or {}).get("status")
        if state != "healthy":
            return False, f"{part} {state}", None
    if api == "v1":
        auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    else:
        status, token = http("POST", f"{url}/auth/token", {"username": USER, "password": PASSWORD})
        if status != 201 or not (token or {}).get("access_token"):
            return False, f"POST /auth/token HTTP {status}", None
        auth = f"Bearer {token['access_token']}"
    status, _ = http("GET", f"{url}/api/{api}/variables", headers={"Authorization": auth})
    if status != 200:
        return False, f"GET /api/{api}/variables HTTP {status}", None
    _, version = http("GET", f"{url}/api/{api}/version", headers={"Authorization": auth})
    return True, "", (version or {}).get("version")


def group_members(pgid):
    """Live (non-zombie) pids in process group pgid, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state ppid pgrp ...
            members.append(int(entry.name))
    return members


def ours(pid):
    # A recorded pid is trusted only while it still leads its own group and is an airflow
    # command; a recycled pid fails that test and is left alone. Once the leader is gone its
    # pgid cannot be reused while members remain, so the group itself is still safe to signal.
    try:
        if os.getpgid(pid) != pid:
            return False
        return b"airflow" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (ProcessLookupError, OSError):
        return bool(group_members(pid))


def stop_pids(pids):
    targets = {name: pid for name, pid in pids.items() if ours(pid)}
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in targets.values():
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + (STOP_TIMEOUT if sig == signal.SIGTERM else 5)
        while time.monotonic() < deadline:
            for pid in targets.values():  # reap our own children (the failed-start path)
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            targets = {n: p for n, p in targets.items() if group_members(p)}
            if not targets:
                return
            time.sleep(0.3)
        if sig == signal.SIGTERM:
            say(f"still running after {STOP_TIMEOUT} s, sending SIGKILL: {sorted(targets)}")
    if targets:
        say(f"could not stop: {targets}")


def log_tail(logs, lines=40):
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"----- {log} (last {len(text)} lines) -----", *text, sep="\n", file=sys.stderr)


def run_cli(venv, env, args, logs, name):
    with open(logs / f"{name}.log", "ab") as out:
        rc = subprocess.run([f"{venv}/bin/airflow", *args], env=env, stdout=out,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=600).returncode
    if rc:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed with exit code {rc}")


def cmd_start(a):
    state = Path(a.state_dir).resolve()
    home, logs = state / "airflow-home", state / "logs"
    flavor, spec = a.flavor, FLAVORS[a.flavor]
    for d in (home / "dags", logs):
        d.mkdir(parents=True, exist_ok=True)
    previous = read_json(state / "server.json", {})
    if previous.get("flavor", flavor) != flavor:
        say(f"{state} holds a {previous['flavor']} server; use another --state-dir")
        return 2
    if previous.get("pids"):
        if check_server(previous["url"], previous["api_version"])[0]:
            say(f"already running at {previous['url']}")
            print(json.dumps(previous, indent=2))
            return 0
        say("stopping the leftovers of a previous run")
        stop_pids(previous["pids"])
    # Keep the previous port on a restart (stable URL for the caller) when it is still free.
    port = a.port or (previous.get("port") if previous.get("port") and port_is_free(previous["port"]) else free_port())
    url = f"http://127.0.0.1:{port}"

    venv = subprocess.run([str(HERE / "venv.sh"), spec["venv"]], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    airflow_vars = airflow_env(flavor, home, port, a.jwt_expiration, not a.no_jwt_secret)
    write_json(state / "env.json", airflow_vars)
    env = process_env(venv, airflow_vars)
    if spec["auth"] == "simple":
        write_json(home / "simple_auth_passwords.json", {USER: PASSWORD})
    for stale in home.glob("airflow-*.pid"):
        stale.unlink()  # 2.x refuses to start if a (possibly recycled) pid in these is alive

    t0 = time.monotonic()
    info = {"flavor": flavor, "url": url, "username": USER, "password": PASSWORD,
            "airflow_version": None, "api_version": spec["api"], "auth_manager": spec["auth"],
            "airflow_home": str(home), "dags_folder": str(home / "dags"), "venv": venv,
            "port": port, "pids": {}}
    popens = {}
    try:
        say(f"{flavor}: airflow db migrate")
        run_cli(venv, env, ["db", "migrate"], logs, "db-migrate")
        if spec["auth"] != "simple":
            # Idempotent: prints "already exist(s)" and exits 0 on a restart.
            say(f"{flavor}: creating user {USER}")
            run_cli(venv, env, ["users", "create", "--username", USER, "--password", PASSWORD,
                                "--role", "Admin", "--firstname", "Admin", "--lastname", "User",
                                "--email", "admin@example.com"], logs, "users-create")
        # --skip-serve-logs: the log server binds 0.0.0.0:8793, which breaks the loopback-only
        # rule and collides between concurrent servers; the API reads the local log files anyway.
        if spec["api"] == "v1":
            procs = {"webserver": ["webserver", "-H", "127.0.0.1", "-p", str(port), "-w", "2"],
                     "scheduler": ["scheduler", "--skip-serve-logs"]}
        else:
            procs = {"api-server": ["api-server", "--host", "127.0.0.1", "--port", str(port), "-w", "1"],
                     "scheduler": ["scheduler", "--skip-serve-logs"],
                     "dag-processor": ["dag-processor"]}
        for name, args in procs.items():
            with open(logs / f"{name}.log", "ab") as out:
                proc = subprocess.Popen([f"{venv}/bin/airflow", *args], env=env, cwd=home, stdout=out,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
            info["pids"][name] = proc.pid
            popens[name] = proc
            write_json(state / "server.json", info)  # recorded at once, so `stop` can always clean up
        say(f"{flavor}: started {info['pids']}, waiting for {url}")
        deadline, why = time.monotonic() + START_TIMEOUT, ""
        while True:
            dead = [n for n, p in popens.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"process(es) exited during startup: {dead}")
            ok, why, version = check_server(url, spec["api"])
            if ok:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after {START_TIMEOUT} s ({why})")
            time.sleep(1)
    except BaseException as e:  # includes Ctrl-C: never leave half a server behind
        say(f"start failed: {e}")
        log_tail(logs)
        stop_pids(info["pids"])
        info["pids"] = {}
        write_json(state / "server.json", info)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    info["airflow_version"] = version
    write_json(state / "server.json", info)
    say(f"{flavor}: healthy at {url} after {time.monotonic() - t0:.1f} s")
    print(json.dumps(info, indent=2))
    return 0


def cmd_stop(a):
    path = Path(a.state_dir).resolve() / "server.json"
    info = read_json(path)
    if not info or not info.get("pids"):
        say("not running")
        return 0
    stop_pids(info["pids"])
    info["pids"] = {}
    write_json(path, info)
    say("stopped")
    return 0


def cmd_status(a):
    info = read_json(Path(a.state_dir).resolve() / "server.json")
    if not info or not info.get("pids"):
        say("not running")
        return 1
    running = {n: bool(group_members(p)) for n, p in info["pids"].items()}
    ok, why, _ = check_server(info["url"], info["api_version"])
    print(json.dumps({"healthy": ok and all(running.values()), "reason": why,
                      "processes": running, "url": info["url"]}, indent=2))
    return 0 if ok and all(running.values()) else 1


def cmd_cli(a, args):
    state = Path(a.state_dir).resolve()
    info, airflow_vars = read_json(state / "server.json"), read_json(state / "env.json")
    if not info or airflow_vars is None:
        say(f"no server was ever started in {state}")
        return 2
    env = process_env(info["venv"], airflow_vars)
    airflow = f"{info['venv']}/bin/airflow"
    os.execve(airflow, [airflow, *args], env)  # exit code passes straight through


def main(argv):
    # Everything after `--` belongs to the airflow CLI, untouched by argparse.
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start (or reuse) a server")
    start.add_argument("flavor", choices=sorted(FLAVORS))
    start.add_argument("--port", type=int, help="default: a free random port")
    start.add_argument("--jwt-expiration", type=int, metavar="SECONDS", help="[api_auth] jwt_expiration_time (3.x)")
    start.add_argument("--no-jwt-secret", action="store_true",
                       help="do not pin [api_auth] jwt_secret (3.x): leave it to Airflow")
    for name in ("start", "stop", "status", "cli"):
        p = start if name == "start" else sub.add_parser(name)
        p.add_argument("--state-dir", required=True)
    a = parser.parse_args(argv)
    if a.command == "cli":
        return cmd_cli(a, extra)
    if extra:
        parser.error("arguments after `--` are only for `cli`")
    return {"start": cmd_start, "stop": cmd_stop, "status": cmd_status}[a.command](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
