"""Fixtures of the reliability suite: real Airflow servers, a fault-injecting proxy in front of
each, and ansible-playbook runs whose -vvv --diff output is kept for the secret scan.

Environment (scripts/reliability.sh sets them):
  RELIABILITY_FLAVORS     servers to start, default "3.3 2.11"
  RELIABILITY_STATE       where servers, proxies and outputs live (default: a new temp dir)
  RELIABILITY_COLLECTIONS the directory holding ansible_collections/dagops/airflow (staged)
  RELIABILITY_TOOLS       the tools venv (ansible-playbook in bin/)
  RELIABILITY_KEEP        1: leave the servers running at the end (by hand, to iterate; a
                          healthy server already in RELIABILITY_STATE is reused)
"""
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HARNESS = ROOT / "tests" / "harness" / "airflow_server.py"
PLAYBOOKS = HERE / "playbooks"
# A short token lifetime on 3.3: every long module run has to renew its token. Airflow adds
# [api_auth] jwt_leeway (10 s) before it refuses an expired token.
JWT_EXPIRATION = 5
JWT_LEEWAY = 10
SERVER_OPTIONS = {"3.3": ["--jwt-expiration", str(JWT_EXPIRATION), "--no-jwt-secret", "--rest-api-plugin"],
                  "2.11": ["--rest-api-plugin"]}
# The restart test's new server: a new JWT secret again, but Airflow's default token lifetime.
RESTART_OPTIONS = {"3.3": ["--no-jwt-secret", "--rest-api-plugin"]}
PLAYBOOK_TIMEOUT = 600  # no run may hang the suite
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_json(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with _opener.open(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


class Secrets:
    """Every secret value the suite uses: fresh random strings, all scanned for at the end."""

    def __init__(self):
        self.values = []

    def new(self):
        value = "relsec%s" % secrets.token_hex(8)
        self.values.append(value)
        return value


class Server:
    """One harness server: its server.json, and its state read straight from its database."""

    def __init__(self, flavor, state_dir):
        self.flavor = flavor
        self.state_dir = state_dir
        self.info = None

    def start(self, options=None):
        command = [sys.executable, str(HARNESS), "start", self.flavor, "--state-dir", str(self.state_dir)]
        log = self.state_dir.parent / ("start-%s.log" % self.flavor)
        with open(log, "w") as out:
            rc = subprocess.run(command + (SERVER_OPTIONS[self.flavor] if options is None else options), stdout=subprocess.DEVNULL, stderr=out,
                                timeout=400, check=False).returncode
        if rc:
            raise RuntimeError("could not start Airflow %s (see %s):\n%s" % (self.flavor, log, log.read_text()[-3000:]))
        self.info = json.loads((self.state_dir / "server.json").read_text())

    def stop(self):
        subprocess.run([sys.executable, str(HARNESS), "stop", "--state-dir", str(self.state_dir)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)

    def read_state(self, prefix):
        """{"variables", "connections", "pools"} named ``prefix*``, from the database, secrets in clear."""
        fernet_key = json.loads((self.state_dir / "env.json").read_text())["AIRFLOW__CORE__FERNET_KEY"]
        out = subprocess.run([self.info["venv"] + "/bin/python", str(HERE / "dbread.py"), self.info["airflow_home"],
                              fernet_key, prefix], capture_output=True, text=True, timeout=120, check=True)
        return json.loads(out.stdout)


class Proxy:
    """A faultproxy.py process in front of one server, driven through its control endpoints."""

    def __init__(self, upstream, state_dir):
        self.state_dir = state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "faultproxy.py"), "--upstream", upstream, "--state-dir", str(state_dir),
             "--max-lifetime", "1800"], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (state_dir / "proxy.json").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the fault proxy did not start")
            time.sleep(0.1)
        self.url = json.loads((state_dir / "proxy.json").read_text())["url"]

    def control(self, what, body=None):
        return http_json("GET" if body is None and what in ("counts", "held") else "POST",
                         "%s/_proxy/%s" % (self.url, what), body if body is not None else {})

    def configure(self, **config):
        """Reset the counts and set the whole fault config (defaults for what is not given)."""
        defaults = dict(faults=[], rate=0.0, seed=0, max_in_row=2, delay=10.0, retry_after=1, hold=None,
                        hold_timeout=300.0, upstream_wait=0.0)
        defaults.update(config)
        self.control("config", defaults)
        self.control("reset", {})

    def counts(self):
        return self.control("counts")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Runner:
    """ansible-playbook at -vvv --diff, its output kept under outputs/ for the secret scan."""

    def __init__(self, state_dir, collections, tools):
        self.outputs = state_dir / "outputs"
        self.outputs.mkdir(parents=True, exist_ok=True)
        self.collections = collections
        self.tools = tools
        self.count = 0

    def command(self, name, playbook, variables, hosts=1, forks=5, check=False, extra=(), host_vars=None):
        self.count += 1
        stem = "%02d-%s" % (self.count, name)
        vars_file = self.outputs / ("%s.vars.json" % stem)
        vars_file.write_text(json.dumps(variables))
        inventory = self.outputs / ("%s.inventory" % stem)
        interpreter = "%s/bin/python" % self.tools
        lines = ["host%02d ansible_connection=local ansible_python_interpreter=%s" % (i, interpreter)
                 for i in range(1, hosts + 1)]
        for number, values in enumerate(host_vars or ()):
            lines[number] += "".join(" %s=%s" % item for item in sorted(values.items()))
        inventory.write_text("\n".join(lines) + "\n")
        command = ["%s/bin/ansible-playbook" % self.tools, str(playbook), "-i", str(inventory), "-e",
                   "@%s" % vars_file, "-vvv", "--diff", "--forks", str(forks)] + (["--check"] if check else [])
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(self.collections), ANSIBLE_NOCOLOR="1", ANSIBLE_PIPELINING="1",
                   ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOST_KEY_CHECKING="0",
                   PATH="%s/bin:%s" % (self.tools, os.environ.get("PATH", "")))
        env.pop("ANSIBLE_CONFIG", None)
        return command + list(extra), env, self.outputs / ("%s.log" % stem)

    def run(self, name, playbook, variables, **kwargs):
        """(rc, output) of one run; waits at most PLAYBOOK_TIMEOUT."""
        command, env, log = self.command(name, playbook, variables, **kwargs)
        with open(log, "w") as out:
            try:
                rc = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL,
                                    timeout=PLAYBOOK_TIMEOUT, check=False).returncode
            except subprocess.TimeoutExpired:
                rc = -1
        return rc, log.read_text(errors="replace")

    def start(self, name, playbook, variables, **kwargs):
        """A run in the background: (Popen, log path). The caller waits for it."""
        command, env, log = self.command(name, playbook, variables, **kwargs)
        out = open(log, "w")  # pylint: disable=consider-using-with  # closed by the child's exit
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
        out.close()
        return process, log


def recap(output):
    """{"ok": n, "changed": n, "failed": n, ...} summed over the hosts of PLAY RECAP."""
    totals = {}
    in_recap = False
    for line in output.splitlines():
        if line.startswith("PLAY RECAP"):
            in_recap = True
            continue
        if in_recap and ":" in line and "=" in line:
            for field in line.split(":", 1)[1].split():
                name, _sep, value = field.partition("=")
                if value.isdigit():
                    totals[name] = totals.get(name, 0) + int(value)
    return totals


@pytest.fixture(scope="session")
def state_dir():
    given = os.environ.get("RELIABILITY_STATE")
    path = Path(given) if given else Path(tempfile.mkdtemp(prefix="dagops-reliability-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def flavors():
    return os.environ.get("RELIABILITY_FLAVORS", "3.3 2.11").split()


@pytest.fixture(scope="session")
def servers(state_dir, flavors):
    """Every flavor's server, started side by side; stopped at the end whatever happened."""
    started = dict((flavor, Server(flavor, state_dir / ("server-%s" % flavor))) for flavor in flavors)
    errors = []

    def start(server):
        try:
            server.start()
        except Exception as err:  # pylint: disable=broad-exception-caught  # reported below
            errors.append(err)

    threads = [threading.Thread(target=start, args=(server,)) for server in started.values()]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        yield started
    finally:
        if os.environ.get("RELIABILITY_KEEP") != "1":
            stopping = [threading.Thread(target=server.stop) for server in started.values()]
            for thread in stopping:
                thread.start()
            for thread in stopping:
                thread.join()


@pytest.fixture(scope="session")
def proxies(servers, state_dir):
    made = {}
    try:
        for flavor, server in servers.items():
            made[flavor] = Proxy(server.info["url"], state_dir / ("proxy-%s" % flavor))
        yield made
    finally:
        for proxy in made.values():
            proxy.stop()


@pytest.fixture(scope="session")
def runner(state_dir):
    collections = os.environ.get("RELIABILITY_COLLECTIONS")
    tools = os.environ.get("RELIABILITY_TOOLS")
    if not collections or not tools:
        pytest.exit("run through scripts/reliability.sh (RELIABILITY_COLLECTIONS and RELIABILITY_TOOLS unset)", 2)
    return Runner(state_dir, Path(collections), Path(tools))


@pytest.fixture(scope="session")
def secret_values():
    return Secrets()
