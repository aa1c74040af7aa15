"""Time ansible-playbook converging N variables: the bulk form against an ansible.builtin.uri loop.

Each figure is the wall time of one whole `ansible-playbook` run, start-up included, as a user
sees it. Runs per server: bulk create, bulk no-op, then (after deleting them again) the uri loop's
create run and its no-op run. Prints a table; the targets are checked by eye, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESS = HERE.parent / "harness" / "airflow_server.py"
TARGET_NOOP = {"v2": 3.0, "v1": 5.0}


def playbook(path, extra, verbose=False):
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_STDOUT_CALLBACK="default",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), str(path), "-e", "@" + extra]
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        sys.exit("bench: %s failed:\n%s\n%s" % (path.name, done.stdout[-3000:], done.stderr[-2000:]))
    recap = [line for line in done.stdout.splitlines() if "changed=" in line]
    changed = recap[-1].split("changed=")[1].split()[0] if recap else "?"
    print("bench: %-14s %7.1f s  changed=%s" % (path.stem, elapsed, changed), file=sys.stderr, flush=True)
    return elapsed, changed


def bench_server(flavor, n):
    with tempfile.TemporaryDirectory(prefix="dagops-bench-") as state:
        started = subprocess.run([sys.executable, str(HARNESS), "start", flavor, "--state-dir", state],
                                 capture_output=True, text=True, check=False)
        if started.returncode != 0:
            sys.exit("bench: Airflow %s did not start:\n%s" % (flavor, started.stderr[-3000:]))
        try:
            server = json.loads(started.stdout)
            extra = Path(state) / "bench-vars.json"
            extra.write_text(json.dumps(dict(
                airflow_url=server["url"], airflow_username=server["username"], airflow_password=server["password"],
                airflow_api=server["api_version"], bench_n=n)))
            figures = dict(flavor=flavor, version=server["airflow_version"], api=server["api_version"])
            print("bench: Airflow %s, %d variables" % (server["airflow_version"], n), file=sys.stderr, flush=True)
            figures["bulk_create"], figures["bulk_create_changed"] = playbook(HERE / "bulk.yml", str(extra))
            figures["bulk_noop"], figures["bulk_noop_changed"] = playbook(HERE / "bulk.yml", str(extra))
            playbook(HERE / "clean.yml", str(extra))
            figures["uri_create"], figures["uri_create_changed"] = playbook(HERE / "uri_loop.yml", str(extra))
            figures["uri_noop"], figures["uri_noop_changed"] = playbook(HERE / "uri_loop.yml", str(extra))
            return figures
        finally:
            subprocess.run([sys.executable, str(HARNESS), "stop", "--state-dir", state], capture_output=True, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("flavors", nargs="+")
    args = parser.parse_args()
    rows = [bench_server(flavor, args.n) for flavor in args.flavors]
    print("\n%d variables; machine: %s, %d cores, python %s" % (
        args.n, platform.machine(), os.cpu_count(), platform.python_version()))
    print("%-8s %-7s %12s %12s %12s %12s %10s %10s  %s" % (
        "airflow", "api", "bulk create", "bulk no-op", "uri create", "uri no-op", "x create", "x no-op", "no-op target"))
    for r in rows:
        target = TARGET_NOOP[r["api"]]
        verdict = "met" if r["bulk_noop"] < target else "MISSED"
        print("%-8s %-7s %11.1fs %11.1fs %11.1fs %11.1fs %9.0fx %9.0fx  <%.0fs %s, changed=%s" % (
            r["version"], r["api"], r["bulk_create"], r["bulk_noop"], r["uri_create"], r["uri_noop"],
            r["uri_create"] / r["bulk_create"], r["uri_noop"] / r["bulk_noop"], target, verdict, r["bulk_noop_changed"]))


if __name__ == "__main__":
    main()
