"""Benchmark: converging N Airflow variables five ways, side by side, on real local servers.

  bench.py [--n N ...] [--loops-up-to M] [--quick] [--out FILE] [FLAVOR ...]

For each flavor (default 2.11 and 3.3) and each N (default 100 and 1000) it times, from a clean
state each time:

  bulk      airflow_variable's bulk form (`variables:`), a create run then a second (no-op) run
  single    a `loop:` over airflow_variable's single form (`key:`/`value:`), both runs
  uri       the ansible.builtin.uri loop users write today (GET each, POST/PATCH where needed)
  import    `airflow variables import FILE` on the server (the CLI, straight to the database),
            run twice

Every ansible-playbook run goes through tests/reliability/faultproxy.py (no faults injected),
which counts the HTTP requests of that run. A figure is the wall time of the whole command as a
user sees it (ansible-playbook or airflow start-up included). Nothing is taken on trust: after
every run the variables are read back from the server's database and must be exactly the N
declared ones; a create run must report changed, a second ansible run must report changed=0
and send no write. Any miss stops the benchmark.

Loops cost the same per item whatever N is, and a loop of 1000 takes 5-15 minutes per run on a
2-core machine. So loops are measured for N <= --loops-up-to (default 100); above that they are
extrapolated, clearly labelled, from the largest measured N and an N=0 run (ansible-playbook
start-up): t(N) = t(0) + N/M * (t(M) - t(0)), and the same for request counts (exact for these
loops, which send a fixed number of requests per item). `--loops-up-to 1000` measures them all.

Prints the tables and writes them, with the machine and versions, to --out (docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HARNESS = HERE.parent / "harness" / "airflow_server.py"
RELIABILITY = HERE.parent / "reliability"
sys.path.insert(0, str(HARNESS.parent))
# The harness is stdlib only: bench.py uses its process_env and FLAVORS.
import airflow_server  # noqa: E402  pylint: disable=wrong-import-position

PREFIX = "bench_"
PLAYBOOKS = {"bulk": "bulk.yml", "single": "single_loop.yml", "uri": "uri_loop.yml"}
SHORT = {"bulk": "bulk", "single": "single loop", "uri": "uri loop", "import": "CLI import"}
METHODS = {  # how each way is named in the tables, in table order
    "bulk": "bulk form (`variables:`)",
    "single": "loop over the single form",
    "uri": "`ansible.builtin.uri` loop",
    "import": "`airflow variables import`",
}
PHASES = {"create": "create run", "again": "second run"}
RUN_TIMEOUT = 4 * 3600
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever http_proxy says


class BenchError(Exception):
    """A run failed or measured a wrong result: the benchmark stops."""


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


@dataclass
class Figure:
    """One measured (or extrapolated) run."""
    method: str
    phase: str
    n: int
    wall: float
    requests: int | None = None            # None: no HTTP (the CLI)
    by_method: dict = field(default_factory=dict)
    writes: int | None = None
    changed: str = ""                      # what was asserted about `changed`
    extrapolated_from: int | None = None   # the measured N this figure was extrapolated from


def expected_variables(n):
    return {"%s%d" % (PREFIX, i): "value-%d" % i for i in range(n)}


class Server:
    """A harness server, its database read and cleaned directly (never through the proxy)."""

    def __init__(self, flavor, state_dir):
        self.flavor, self.state_dir = flavor, state_dir
        self.info = None

    def start(self):
        say("starting Airflow %s" % self.flavor)
        done = subprocess.run([sys.executable, str(HARNESS), "start", self.flavor, "--state-dir", str(self.state_dir)],
                              capture_output=True, text=True, check=False, timeout=600)
        if done.returncode != 0:
            raise BenchError("Airflow %s did not start:\n%s" % (self.flavor, done.stderr[-3000:]))
        self.info = json.loads(done.stdout)

    def stop(self):
        subprocess.run([sys.executable, str(HARNESS), "stop", "--state-dir", str(self.state_dir)],
                       capture_output=True, check=False, timeout=120)

    @property
    def airflow_vars(self):
        return json.loads((self.state_dir / "env.json").read_text())

    def variables(self):
        """{key: value} of the bench variables, decrypted, read from the metadata database."""
        done = subprocess.run([self.info["venv"] + "/bin/python", str(RELIABILITY / "dbread.py"),
                               self.info["airflow_home"], self.airflow_vars["AIRFLOW__CORE__FERNET_KEY"], PREFIX],
                              capture_output=True, text=True, check=False, timeout=300)
        if done.returncode != 0:
            raise BenchError("reading the database failed:\n%s" % done.stderr[-2000:])
        return {key: var["value"] for key, var in json.loads(done.stdout)["variables"].items()}

    def expect(self, n, after):
        found = self.variables()
        want = expected_variables(n)
        if found != want:
            wrong = sorted(k for k in set(found) | set(want) if found.get(k) != want.get(k))
            raise BenchError("after %s: the server holds %d bench variables, %d expected; %d differ, e.g. %s" % (
                after, len(found), n, len(wrong), wrong[:5]))

    def clear(self):
        """Delete every bench variable straight in SQLite: fast, and not part of any figure."""
        db = sqlite3.connect(str(Path(self.info["airflow_home"]) / "airflow.db"), timeout=60)
        try:
            with db:
                db.execute("DELETE FROM variable WHERE key LIKE ? ESCAPE '\\'", (PREFIX.replace("_", "\\_") + "%",))
        finally:
            db.close()
        self.expect(0, "cleaning")


class CountingProxy:
    """tests/reliability/faultproxy.py with no faults: counts every request of a run."""

    def __init__(self, upstream, state_dir):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, str(RELIABILITY / "faultproxy.py"), "--upstream", upstream, "--state-dir", str(state_dir),
             "--max-lifetime", str(RUN_TIMEOUT * 4), "--max-requests", "10000000"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (state_dir / "proxy.json").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BenchError("the counting proxy did not start")
            time.sleep(0.1)
        self.url = json.loads((state_dir / "proxy.json").read_text())["url"]

    def control(self, what, method="GET"):
        request = urllib.request.Request("%s/_proxy/%s" % (self.url, what), method=method,
                                         data=b"{}" if method == "POST" else None)
        with _opener.open(request, timeout=30) as answer:
            return json.loads(answer.read())

    def reset(self):
        self.control("reset", "POST")

    def counts(self):
        return self.control("counts")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def by_method(counts):
    """{"GET": 12, "PATCH": 1} from the proxy's "METHOD /path" counts."""
    methods = {}
    for name, count in counts["requests"].items():
        verb = name.split(" ", 1)[0]
        methods[verb] = methods.get(verb, 0) + count
    return methods


def recap_changed(output):
    """The `changed=` count of the play recap; BenchError when there is none."""
    lines = [line for line in output.splitlines() if "changed=" in line and "ok=" in line]
    if not lines:
        raise BenchError("no play recap in the output:\n%s" % output[-2000:])
    return int(lines[-1].split("changed=")[1].split()[0])


class FlavorBench:
    """Every measurement on one server, through one counting proxy."""

    def __init__(self, server, proxy, workdir):
        self.server, self.proxy, self.workdir = server, proxy, workdir
        self.baselines = {}  # method -> its N=0 Figure, for extrapolation

    def playbook(self, method, n, phase):
        extra = self.workdir / ("vars-%s-%d.json" % (self.server.flavor, n))
        extra.write_text(json.dumps(dict(
            airflow_url=self.proxy.url, airflow_username=self.server.info["username"],
            airflow_password=self.server.info["password"], airflow_api=self.server.info["api_version"], bench_n=n)))
        env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_STDOUT_CALLBACK="default",
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                   ANSIBLE_RETRY_FILES_ENABLED="false", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), str(HERE / PLAYBOOKS[method]), "-e", "@%s" % extra]
        self.proxy.reset()
        start = time.monotonic()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, timeout=RUN_TIMEOUT)
        wall = time.monotonic() - start
        counts = self.proxy.counts()
        if done.returncode != 0:
            raise BenchError("%s (N=%d, %s) failed:\n%s\n%s" % (
                PLAYBOOKS[method], n, phase, done.stdout[-3000:], done.stderr[-2000:]))
        figure = Figure(method, phase, n, wall, counts["total"], by_method(counts), counts["writes"])
        figure.changed = self.check_changed(figure, recap_changed(done.stdout))
        say("%-6s %-6s N=%-5d %8.1f s  %6d requests  %5d writes  changed: %s" % (
            method, phase, n, wall, figure.requests, figure.writes, figure.changed))
        return figure

    def check_changed(self, figure, changed):
        label = "%s N=%d %s run" % (figure.method, figure.n, figure.phase)
        if figure.n == 0:
            return "n/a"
        if figure.phase == "create":
            if not changed or not figure.writes:
                raise BenchError("%s: changed=%d with %d writes, expected a change" % (label, changed, figure.writes))
            self.server.expect(figure.n, label)
            return "yes; %d variables verified" % figure.n
        if changed or figure.writes:
            raise BenchError("%s: changed=%d with %d writes, expected no change" % (label, changed, figure.writes))
        self.server.expect(figure.n, label)
        return "no (asserted); 0 writes"

    def ansible_pair(self, method, n):
        self.server.clear()
        return [self.playbook(method, n, "create"), self.playbook(method, n, "again")]

    def baseline(self, method):
        if method not in self.baselines:
            self.server.clear()
            self.baselines[method] = self.playbook(method, 0, "create")
        return self.baselines[method]

    def extrapolated(self, measured, n):
        """The figures of a loop at N from its figures at measured N=M and its N=0 run."""
        base = self.baseline(measured[0].method)
        figures = []
        for fig in measured:
            scale = n / fig.n

            def grow(at_m, at_0, scale=scale):
                return at_0 + scale * (at_m - at_0)
            verbs = set(fig.by_method) | set(base.by_method)
            figures.append(Figure(
                fig.method, fig.phase, n, grow(fig.wall, base.wall), round(grow(fig.requests, base.requests)),
                {verb: round(grow(fig.by_method.get(verb, 0), base.by_method.get(verb, 0))) for verb in verbs},
                round(grow(fig.writes, base.writes)), "asserted at N=%d" % fig.n, extrapolated_from=fig.n))
        return figures

    def cli_import(self, n):
        """`airflow variables import` on the server, timed alone (the file is written beforehand)."""
        self.server.clear()
        path = self.workdir / ("import-%d.json" % n)
        path.write_text(json.dumps(expected_variables(n)))
        env = airflow_server.process_env(self.server.info["venv"], self.server.airflow_vars)
        cmd = [self.server.info["venv"] + "/bin/airflow", "variables", "import", str(path)]
        figures = []
        for phase in ("create", "again"):
            start = time.monotonic()
            done = subprocess.run(cmd, env=env, cwd=self.server.info["airflow_home"], capture_output=True, text=True,
                                  check=False, timeout=RUN_TIMEOUT)
            wall = time.monotonic() - start
            if done.returncode != 0 or "%d of %d variables successfully updated" % (n, n) not in done.stdout:
                raise BenchError("airflow variables import (N=%d, %s) failed:\n%s\n%s" % (
                    n, phase, done.stdout[-2000:], done.stderr[-2000:]))
            self.server.expect(n, "variables import (%s)" % phase)
            figures.append(Figure("import", phase, n, wall, changed="not reported; %d variables verified" % n))
            say("import %-6s N=%-5d %8.1f s  (no HTTP)" % (phase, n, wall))
        self.server.clear()
        return figures


def bench_flavor(flavor, ns, loops_up_to, workdir):
    """{"version", "api", "figures": {n: [Figure]}} for one flavor."""
    server = Server(flavor, workdir / ("server-" + flavor))
    try:
        server.start()
        proxy = CountingProxy(server.info["url"], workdir / ("proxy-" + flavor))
        try:
            bench = FlavorBench(server, proxy, workdir)
            measured_loops = {}
            figures = {}
            for n in sorted(ns):
                say("Airflow %s, N=%d" % (server.info["airflow_version"], n))
                rows = bench.ansible_pair("bulk", n)
                for method in ("single", "uri"):
                    if n <= loops_up_to:
                        measured_loops[method] = bench.ansible_pair(method, n)
                        rows += measured_loops[method]
                    else:
                        rows += bench.extrapolated(measured_loops[method], n)
                rows += bench.cli_import(n)
                figures[n] = rows
            return {"flavor": flavor, "version": server.info["airflow_version"], "api": server.info["api_version"],
                    "figures": figures, "baselines": bench.baselines}
        finally:
            proxy.stop()
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------- report

def machine():
    def first(path, prefix):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
        except OSError:
            pass
        return "unknown"
    mem_kib = first("/proc/meminfo", "MemTotal")
    ram = "%.1f GiB" % (int(mem_kib.split()[0]) / 1048576) if mem_kib != "unknown" else mem_kib
    from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    return {
        "cpus": os.cpu_count(), "cpu_model": first("/proc/cpuinfo", "model name"), "ram": ram,
        "os": "%s (Linux %s, %s)" % (first("/etc/os-release", "PRETTY_NAME="), platform.release(), platform.machine()),
        "python": platform.python_version(), "ansible_core": ansible_version,
    }


def load_average():
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return float("nan")


def seconds(fig):
    text = "%.1f s" % fig.wall if fig.wall < 100 else "%.0f s" % fig.wall
    return ("≈ " + text) if fig.extrapolated_from else text


def count(value, fig):
    if value is None:
        return "0 (no HTTP)"
    return ("≈ %d" % value) if fig.extrapolated_from else "%d" % value


def ratio(fig, bulk):
    if fig is bulk:
        return "1x"
    times = fig.wall / bulk.wall
    return ("%.0fx" if times >= 10 else "%.1fx" if times >= 1 else "%.2fx") % times


def detail_table(figures):
    bulk = {fig.phase: fig for fig in figures if fig.method == "bulk"}
    lines = ["| way | run | wall time | vs bulk | HTTP requests | by method | writes | changed |",
             "|---|---|---|---|---|---|---|---|"]
    for fig in figures:
        verbs = ", ".join("%s %s" % (verb, ("≈ %d" if fig.extrapolated_from else "%d") % num)
                          for verb, num in sorted(fig.by_method.items())) or "-"
        how = ("extrapolated; " if fig.extrapolated_from else "") + fig.changed
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            METHODS[fig.method], PHASES[fig.phase], seconds(fig), ratio(fig, bulk[fig.phase]),
            count(fig.requests, fig), verbs, count(fig.writes, fig) if fig.writes is not None else "-", how))
    return lines


def overview_table(results):
    columns = [(method, phase) for method in METHODS for phase in PHASES]
    lines = ["| Airflow | N | " + " | ".join("%s, %s" % (SHORT[m], "create" if p == "create" else "2nd")
                                             for m, p in columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    for result in results:
        for n, figures in sorted(result["figures"].items()):
            cell = {(fig.method, fig.phase): seconds(fig) for fig in figures}
            lines.append("| %s | %d | %s |" % (result["version"], n, " | ".join(cell[c] for c in columns)))
    return lines


def plural(number, noun):
    return "%d %s%s" % (number, noun, "" if number == 1 else "s")


def baseline_note(result):
    if not result["baselines"]:
        return []
    runs = ", ".join("%s %s (%s)" % (SHORT[method], seconds(fig), plural(fig.requests, "request"))
                     for method, fig in sorted(result["baselines"].items()))
    return ["", "N=0 runs on Airflow %s, the base of the extrapolation: %s." % (result["version"], runs)]


def findings(results):
    """Sentences drawn from the figures, so the explanation cannot drift from them."""
    lines = []
    for result in results:
        n = max(result["figures"])
        fig = {(f.method, f.phase): f for f in result["figures"][n]}
        bulk_c, bulk_a = fig[("bulk", "create")], fig[("bulk", "again")]
        single_c, uri_a = fig[("single", "create")], fig[("uri", "again")]
        lines.append(
            "- Airflow %s (API %s), N=%d: the bulk form's create run sent %d requests (%s) in %s, its second "
            "run %d requests (no write) in %s; the single-form loop's create run sent %s requests in %s." % (
                result["version"], result["api"], n, bulk_c.requests, plural(bulk_c.writes, "write"), seconds(bulk_c),
                bulk_a.requests, seconds(bulk_a), count(single_c.requests, single_c), seconds(single_c))
            + " The uri loop's second run, reads only, took %s." % seconds(uri_a))
    return lines


INTRO = [
    "# Performance",
    "",
    "<!-- Generated by `make bench` (tests/bench/bench.py): edit bench.py, not this file. -->",
    "",
    "`make bench` converges N Airflow variables (`bench_0`..`bench_{N-1}`, value `value-<i>`) five ways, "
    "side by side in one run, on real local servers started by `tests/harness/` (127.0.0.1, SQLite), from a "
    "clean state each time: the bulk form of `dagops.airflow.airflow_variable`, a `loop:` over its single form, "
    "the `ansible.builtin.uri` loop users write today (GET each variable, then POST or PATCH where needed), and "
    "`airflow variables import` run on the server.",
]
COLUMNS = [
    "## Columns",
    "",
    "- **wall time**: the whole command as a user runs it: `ansible-playbook` (start-up, templating, every "
    "module run) or the `airflow` CLI (its start-up included), measured around the process.",
    "- **vs bulk**: the wall time divided by the bulk form's run of the same kind (create or second run).",
    "- **HTTP requests**: every request the run sent, counted at a proxy between `ansible-playbook` and the "
    "server (`tests/reliability/faultproxy.py`, injecting no fault). The CLI writes to the database and sends "
    "none.",
    "- **by method**: the same requests by HTTP method; `POST` includes the Airflow 3 token exchange "
    "(`POST /auth/token`).",
    "- **writes**: POST, PATCH, PUT and DELETE requests, the token exchange excluded.",
    "- **changed**: what was asserted. After each create run the server's database holds exactly the N "
    "declared variables with their values, and the run reported `changed`. A second `ansible-playbook` run "
    "must report `changed=0` in its play recap and send no write, and leaves the same N variables. The CLI "
    "reports no change: it overwrites every variable on every run.",
]
EXTRAPOLATION = (
    "- **≈**: extrapolated, not measured: a loop above N={m} is timed at N={m} and at N=0 (`ansible-playbook` "
    "start-up, plus the token of the uri loop), and scaled linearly: t(N) = t(0) + N/{m} x (t({m}) - t(0)); "
    "request counts the same way (exact, as these loops send a fixed number of requests per item). A loop "
    "of 1000 takes 5-15 min per run on 2 cores; `BENCH_LOOPS_UP_TO=1000 make bench` measures it (about an hour "
    "more).")
WHY_BULK_IS_FAST = [
    "## What makes the bulk form fast",
    "",
    "- **One module run per task, not one per variable.** Every loop item is a new Python process on the "
    "controller (the module's start-up), a new connection, the API version probe and a new login: a token "
    "(`POST /auth/token`) on Airflow 3, an HTTP Basic password check (PBKDF2, about 0.1 s of server CPU) on "
    "Airflow 2. The bulk form pays each once.",
    "- **Reads by the page.** It lists every variable with paged list calls (100 per page), "
    "instead of one GET per variable.",
    "- **Writes only what differs, in bulk where the API allows it.** On Airflow 3 all creates, updates and "
    "deletes go in one `PATCH /api/v2/variables` per 1000 variables. Airflow 2 has no bulk endpoint: one "
    "request per changed variable, four at a time, so its create run is the slowest bulk figure.",
    "- **A second run writes nothing.** It reads the pages, compares, and reports `changed=false`.",
    "- `airflow variables import` sends no HTTP but must run on the server, with its configuration and "
    "database credentials; its figure includes the CLI's start-up, and it rewrites every variable on every "
    "run without telling what changed.",
]
RUNNING = [
    "## Running it",
    "",
    "`make bench` runs N = 100 and 1000 on Airflow 2.11 and 3.3 and rewrites this file; run it on a quiet "
    "machine. `tests/bench/run.sh --quick 3.3` checks the benchmark itself (N = 10 and 20, loops extrapolated "
    "above 10) and only prints. Options: `--n N` (repeatable), `--loops-up-to M`, `--out FILE`, flavors; "
    "environment `BENCH_N=\"100 1000\"`, `BENCH_LOOPS_UP_TO=1000`.",
]


def machine_section(results, info, started, total_wall):
    versions = ", ".join("%s (API %s)" % (r["version"], r["api"]) for r in results)
    return [
        "## Machine",
        "",
        "- Measured: %s UTC; the whole benchmark took %.1f min." % (started.strftime("%Y-%m-%d %H:%M"), total_wall / 60),
        "- CPU: %d x %s; RAM %s." % (info["cpus"], info["cpu_model"], info["ram"]),
        "- OS: %s." % info["os"],
        "- Controller: Python %s, ansible-core %s." % (info["python"], info["ansible_core"]),
        "- Airflow: %s; scheduler (and DAG processor) running, SQLite; Airflow 2's webserver with 2 gunicorn "
        "workers, Airflow 3's api-server with 1 worker." % versions,
        "- Load average (1 min) at the start: %.2f, at the end: %.2f (the benchmark's own servers included). "
        "Figures from a busy machine are not comparable." % (info["load_start"], info["load_end"]),
    ]


def tables_section(results):
    out = ["## Wall time", ""] + overview_table(results)
    for result in results:
        for n, figures in sorted(result["figures"].items()):
            out += ["", "## Airflow %s (API %s), N = %d" % (result["version"], result["api"], n), ""]
            out += detail_table(figures)
        out += baseline_note(result)
    return out


def report(results, info, args, started, total_wall):
    extrapolated = any(fig.extrapolated_from for r in results for figs in r["figures"].values() for fig in figs)
    out = INTRO + [""] + machine_section(results, info, started, total_wall) + [""] + tables_section(results)
    out += [""] + COLUMNS + ([EXTRAPOLATION.format(m=args.loops_up_to)] if extrapolated else [])
    out += [""] + WHY_BULK_IS_FAST + ["", "From the figures:", ""] + findings(results)
    out += [""] + RUNNING + [""]
    return "\n".join(out)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--n", type=int, action="append", help="a number of variables (repeatable; default 100 1000)")
    parser.add_argument("--loops-up-to", type=int, help="measure the loops up to this N, extrapolate above (100)")
    parser.add_argument("--quick", action="store_true", help="N = 10 and 20, loops measured up to 10")
    parser.add_argument("--out", help="write the report here (default docs/performance.md; --quick: only print)")
    parser.add_argument("flavors", nargs="*", help="Airflow flavors (default 2.11 3.3)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = args.n or [10, 20]
        args.loops_up_to = args.loops_up_to or 10
    args.n = sorted(set(args.n or [100, 1000]))
    if args.out is None and not args.quick:
        args.out = str(ROOT / "docs" / "performance.md")
    args.loops_up_to = args.loops_up_to if args.loops_up_to is not None else 100
    if any(n < 1 for n in args.n):
        parser.error("--n must be at least 1")
    if not any(n <= args.loops_up_to for n in args.n):
        parser.error("no N is <= --loops-up-to %d: the loops need one measured N to extrapolate from" % args.loops_up_to)
    args.flavors = args.flavors or ["2.11", "3.3"]
    unknown = sorted(set(args.flavors) - set(airflow_server.FLAVORS))
    if unknown:
        parser.error("unknown flavors %s (known: %s)" % (unknown, ", ".join(sorted(airflow_server.FLAVORS))))
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = datetime.datetime.now(datetime.timezone.utc)
    info = machine()
    info["load_start"] = load_average()
    clock = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="dagops-bench-") as workdir:
        try:
            for flavor in args.flavors:
                results.append(bench_flavor(flavor, args.n, args.loops_up_to, Path(workdir)))
        except BenchError as err:
            sys.exit("bench: FAILED: %s" % err)
    info["load_end"] = load_average()
    text = report(results, info, args, started, time.monotonic() - clock)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
        say("wrote %s" % args.out)
    say("done in %.1f min" % ((time.monotonic() - clock) / 60))


if __name__ == "__main__":
    main()
