"""Benchmark, GitOps section: airflow_deploy_dag syncing a generated folder of N DAG files.

  gitops.py [--gitops-n N ...] [--quick] [--out FILE] [FLAVOR ...]

For each flavor (default 2.11 and 3.3) and each N (default 100 and 1000) it starts a harness server
with the REST plugin and times, as a user sees them (ansible-playbook included), the sync of a folder
of N generated files (one DAG, three tasks each; `src: dir/`, `dest: gitops_N`, `exclusive: true`,
`wait: false`, tests/bench/gitops.yml):

  first      the first deploy (every file added)
  no-op      the same folder again (nothing sent but the listing)
  one file   one file changed
  broken     50 files changed, one of them broken: refused, and nothing may change

beside the limits measured in the same run: `cp -r` of the folder, and one DagBag parse of the whole
folder in one process (the server's Python, `import airflow` included). Every figure is checked: the
listing after a run must hold exactly the expected files and SHA-256 (after the broken batch: the
same files, bytes and mtimes as before). Writes its section into --out (docs/performance.md),
between the markers below, keeping the rest of the file.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HARNESS = HERE.parent / "harness" / "airflow_server.py"
START, END = "<!-- gitops-bench:start -->", "<!-- gitops-bench:end -->"
TARGETS = {"first": 30.0, "noop": 3.0, "one": 5.0, "broken": 10.0}  # Airflow 3.3, N=1000; 2.11: twice these
PHASES = [("first", "first deploy"), ("noop", "no-op"), ("one", "one file changed"),
          ("broken", "50-file batch, one broken (refused)")]
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

DAG = '''"""gitops bench DAG {i}"""
from datetime import datetime

try:
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.empty import EmptyOperator
except ImportError:
    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

with DAG("gitops_{n}_{i:04d}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["{tag}"]):
    EmptyOperator(task_id="extract") >> EmptyOperator(task_id="transform") >> EmptyOperator(task_id="load")
'''


class BenchError(Exception):
    pass


def say(msg):
    print("bench gitops: " + msg, file=sys.stderr, flush=True)


class Server:
    def __init__(self, flavor, state_dir):
        self.flavor, self.state_dir, self.info = flavor, state_dir, None

    def start(self):
        say("starting Airflow %s with the REST plugin" % self.flavor)
        done = subprocess.run([sys.executable, str(HARNESS), "start", self.flavor, "--rest-api-plugin",
                               "--state-dir", str(self.state_dir)], capture_output=True, text=True, check=False,
                              timeout=900)
        if done.returncode != 0:
            raise BenchError("Airflow %s did not start:\n%s" % (self.flavor, done.stderr[-3000:]))
        self.info = json.loads(done.stdout)

    def stop(self):
        subprocess.run([sys.executable, str(HARNESS), "stop", "--state-dir", str(self.state_dir)],
                       capture_output=True, check=False, timeout=120)

    def listing(self, prefix):
        auth = base64.b64encode(("%s:%s" % (self.info["username"], self.info["password"])).encode()).decode()
        headers = {"Authorization": "Basic " + auth}
        if self.info["api_version"] == "v2":
            token = _opener.open(urllib.request.Request(
                self.info["url"] + "/auth/token", method="POST", headers={"Content-Type": "application/json"},
                data=json.dumps({"username": self.info["username"], "password": self.info["password"]}).encode()),
                timeout=60)
            headers = {"Authorization": "Bearer " + json.loads(token.read())["access_token"]}
        request = urllib.request.Request(self.info["url"] + "/rest_api/v1/dag-files?prefix=" + prefix + "/",
                                         headers=headers)
        body = json.loads(_opener.open(request, timeout=300).read())
        return dict((f["path"], (f["sha256"], f["mtime"])) for f in body["files"])


def generate(folder, n, tag="gitops"):
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / ("gitops_%04d.py" % i)).write_text(DAG.format(i=i, n=n, tag=tag))


def expected(folder, dest):
    return dict(("%s/%s" % (dest, p.name), hashlib.sha256(p.read_bytes()).hexdigest()) for p in folder.glob("*.py"))


class FlavorBench:
    def __init__(self, server, workdir):
        self.server, self.workdir = server, workdir

    def playbook(self, src, dest, expect_failure=False):
        extra = self.workdir / "gitops-vars.json"
        extra.write_text(json.dumps(dict(airflow_url=self.server.info["url"], airflow_username=self.server.info["username"],
                                         airflow_password=self.server.info["password"], gitops_src=str(src),
                                         gitops_dest=dest)))
        env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_STDOUT_CALLBACK="default",
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                   ANSIBLE_RETRY_FILES_ENABLED="false", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), str(HERE / "gitops.yml"), "-e", "@%s" % extra]
        start = time.monotonic()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, timeout=3600)
        wall = time.monotonic() - start
        if (done.returncode != 0) != expect_failure:
            raise BenchError("gitops.yml (%s) %s:\n%s\n%s" % (dest, "succeeded, a failure was expected"
                             if expect_failure else "failed", done.stdout[-3000:], done.stderr[-2000:]))
        return wall, done.stdout

    def check(self, dest, want, what):
        found = dict((path, sha) for path, (sha, _mtime) in self.server.listing(dest).items())
        if found != want:
            wrong = sorted(p for p in set(found) | set(want) if found.get(p) != want.get(p))
            raise BenchError("after %s: %d files listed under %s, %d expected; %d differ, e.g. %s"
                             % (what, len(found), dest, len(want), len(wrong), wrong[:5]))

    def run(self, n):
        dest = "gitops_%d" % n
        src = self.workdir / ("src-%d" % n)
        generate(src, n)
        figures = {}
        wall, _out = self.playbook(src, dest)
        self.check(dest, expected(src, dest), "the first deploy")
        figures["first"] = wall
        wall, out = self.playbook(src, dest)
        if "changed=0" not in out:
            raise BenchError("the no-op run reported a change:\n" + out[-2000:])
        figures["noop"] = wall
        (src / "gitops_0000.py").write_text(DAG.format(i=0, n=n, tag="gitops-changed"))
        wall, _out = self.playbook(src, dest)
        self.check(dest, expected(src, dest), "one changed file")
        figures["one"] = wall
        before = self.server.listing(dest)
        for i in range(1, 50):
            (src / ("gitops_%04d.py" % i)).write_text(DAG.format(i=i, n=n, tag="gitops-batch"))
        (src / "gitops_0050.py").write_text("import gitops_module_that_does_not_exist  # airflow dag\n")
        wall, out = self.playbook(src, dest, expect_failure=True)
        if "gitops_module_that_does_not_exist" not in out or self.server.listing(dest) != before:
            raise BenchError("the broken batch did not fail with its import error, or it changed files:\n" + out[-2000:])
        figures["broken"] = wall
        for phase, label in (("first", "first"), ("noop", "no-op"), ("one", "one file"), ("broken", "broken")):
            say("N=%-5d %-9s %7.1f s" % (n, label, figures[phase]))
        figures["cp"] = self.copy_time(src)
        figures["dagbag"] = self.dagbag_time(src, n)
        say("N=%-5d cp -r %7.2f s   DagBag %7.1f s" % (n, figures["cp"], figures["dagbag"]))
        return figures

    def copy_time(self, src):
        target = Path(self.server.info["dags_folder"]).parent / "gitops-cp"
        shutil.rmtree(target, ignore_errors=True)
        start = time.monotonic()
        subprocess.run(["cp", "-r", str(src), str(target)], check=True)
        wall = time.monotonic() - start
        shutil.rmtree(target, ignore_errors=True)
        return wall

    def dagbag_time(self, src, n):
        """One DagBag of the whole folder in one process; the broken file (gitops_0050) is in it."""
        script = ("import inspect, sys\ntry:\n    from airflow.dag_processing.dagbag import DagBag\nexcept ImportError:\n"
                  "    from airflow.models.dagbag import DagBag\n"
                  "options = {'dag_folder': sys.argv[1], 'safe_mode': False}\n"
                  "if 'include_examples' in inspect.signature(DagBag.__init__).parameters:\n"
                  "    options['include_examples'] = False\n"
                  "bag = DagBag(**options)\n"
                  "print(len(bag.dags), len(bag.import_errors))\n")
        env = json.loads((self.server.state_dir / "env.json").read_text())
        env = dict(os.environ, **env)
        start = time.monotonic()
        done = subprocess.run([self.server.info["venv"] + "/bin/python", "-c", script, str(src)], env=env,
                              capture_output=True, text=True, check=False, timeout=3600)
        wall = time.monotonic() - start
        last = (done.stdout.strip().splitlines() or [""])[-1]  # Airflow logs to stdout before it
        if done.returncode != 0 or last.split() != [str(n - 1), "1"]:
            raise BenchError("the DagBag parse failed or found the wrong DAGs: %s\n%s" % (done.stdout, done.stderr[-2000:]))
        return wall


def bench_flavor(flavor, ns, workdir):
    server = Server(flavor, workdir / ("server-" + flavor))
    try:
        server.start()
        bench = FlavorBench(server, workdir)
        return {"flavor": flavor, "version": server.info["airflow_version"],
                "figures": dict((n, bench.run(n)) for n in sorted(ns))}
    finally:
        server.stop()


def section(results, started, wall):
    lines = [START, "## GitOps: airflow_deploy_dag syncing a folder of DAG files", "",
             "Measured by `make bench` (`tests/bench/gitops.py`) on %s, %s, %d cores, load average at the end %s; "
             "%.0f min in all. Each figure is the wall time of `ansible-playbook tests/bench/gitops.yml` "
             "(ansible start-up included): `src: <folder>/`, `dest: gitops_N`, `exclusive: true`, `wait: false`, "
             "N generated files of one DAG with three tasks each. Every run is checked against the plugin's listing "
             "(the broken batch: same files, bytes and mtimes as before)." % (
                 started.strftime("%Y-%m-%d %H:%M UTC"), platform.platform(terse=True), os.cpu_count() or 0,
                 " ".join("%.2f" % x for x in os.getloadavg()), wall / 60), ""]
    for result in results:
        lines += ["### Airflow %s" % result["version"], "",
                  "| N | %s | `cp -r` | one DagBag parse |" % " | ".join(label for _k, label in PHASES),
                  "|---|%s---|---|" % ("---|" * len(PHASES))]
        factor = 2 if result["flavor"].startswith("2.") else 1
        for n, fig in sorted(result["figures"].items()):
            cells = []
            for key, _label in PHASES:
                mark = ""
                if n == 1000:
                    mark = " (target < %g s: %s)" % (TARGETS[key] * factor, "met" if fig[key] < TARGETS[key] * factor
                                                     else "missed")
                cells.append("%.1f s%s" % (fig[key], mark))
            lines.append("| %d | %s | %.2f s | %.1f s |" % (n, " | ".join(cells), fig["cp"], fig["dagbag"]))
        lines.append("")
    lines += ["Targets (issue 17) apply to N = 1000 on Airflow 3.3; Airflow 2.11 within twice them. "
              "The DagBag column is one process parsing the whole folder (`import airflow` included): the floor "
              "for validating every file; a deploy validates only the files it writes.", END]
    return "\n".join(lines) + "\n"


def write(out, text):
    current = out.read_text() if out.exists() else ""
    if START in current and END in current:
        head, rest = current.split(START, 1)
        current = head + text.rstrip("\n") + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text
    out.write_text(current)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gitops-n", type=int, action="append", dest="ns")
    parser.add_argument("--quick", action="store_true", help="N = 10 and 60 (a check, not figures to publish)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("flavors", nargs="*")
    args, _unknown = parser.parse_known_args(argv)
    ns = args.ns or ([10, 60] if args.quick else [100, 1000])
    flavors = args.flavors or ["2.11", "3.3"]
    started, t0 = datetime.datetime.now(datetime.timezone.utc), time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="dagops-bench-gitops-") as workdir:
        for flavor in flavors:  # written after each flavor, so a long run leaves what it measured
            results.append(bench_flavor(flavor, ns, Path(workdir)))
            text = section(results, started, time.monotonic() - t0)
            write(Path(args.out), text)
    print(text)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        say("FAILED: %s" % error)
        sys.exit(1)
