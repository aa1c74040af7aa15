# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Run every module's EXAMPLES, as users read them, against a real Airflow.

    VENV/bin/python tests/examples/run_examples.py --venv VENV --collections COLLECTIONS_PATH \
        --server STATE/server.json [--modules airflow_user,airflow_role] [--keep DIR]

The EXAMPLES are read from the INSTALLED collection under COLLECTIONS_PATH (scripts/tarball.sh
installs the release tarball there), so what runs is what users read in the published modules.
Each module's task examples become one play (modules in ORDER); an example that is a whole play
(it has `hosts:`) runs as that play. The only changes are the rewrites listed under "Rewrites"
below. The playbook runs with VENV/bin/ansible-playbook at -vvv --diff; the run fails when

- ansible-playbook fails (a failed example task),
- an example task did not run: skipped, unless it has a `when:` whose condition was false
  (a loop over an empty list is not such a skip), or missing from the record,
- a selected module has no task of its own that ran,
- a test secret (the value of a `vault_*` variable) appears anywhere in the output, or
- a dagops.airflow module ran from anywhere but COLLECTIONS_PATH.

The files the examples name (dags/, templates/) come from tests/examples/files/.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
NAMESPACE, NAME = "dagops", "airflow"
PREFIX = "%s.%s." % (NAMESPACE, NAME)
GROUP = "group/%s.%s.%s" % (NAMESPACE, NAME, NAME)

# The order the modules' examples run in: their examples continue each other's story on one
# server. airflow_info first (it deploys dags/, the files the DAG examples use);
# airflow_deploy_dag leaves orders_etl unpaused, so airflow_dag_run can wait for its runs before
# airflow_dag's examples pause it; users before roles (deleting the built-in role Public last).
# A module missing here fails the run: add it where its examples fit.
ORDER = (
    "airflow_info",
    "airflow_cfg",
    "airflow_variable",
    "airflow_variable_info",
    "airflow_connection",
    "airflow_connection_info",
    "airflow_pool",
    "airflow_pool_info",
    "airflow_deploy_dag",
    "airflow_dag_run",
    "airflow_task_instance",
    "airflow_dag_info",
    "airflow_dag_run_info",
    "airflow_backfill",
    "airflow_dag",
    "airflow_user",
    "airflow_role",
    "airflow_user_info",
    "airflow_role_info",
)

# Modules whose examples run on no server here, and why (their integration targets cover them).
CANNOT_RUN_ANYWHERE = {
    "airflow_backfill": "a backfill needs a DAG with a periodic schedule, and the examples' DAGs have none "
                        "(Airflow 2 has no backfill API at all)",
}

# Modules whose examples cannot run on a server, by its auth manager, and why.
CANNOT_RUN = {
    "simple": {
        "airflow_user": "Airflow 3's simple auth manager has no user API (users live in airflow.cfg and a file)",
        "airflow_role": "Airflow 3's simple auth manager has no role API (its roles are fixed)",
        "airflow_user_info": "Airflow 3's simple auth manager has no user API (users live in airflow.cfg and a file)",
        "airflow_role_info": "Airflow 3's simple auth manager has no role API (its roles are fixed)",
    },
}

# ---------------------------------------------------------------------------------------------
# Rewrites: the ONLY differences between the EXAMPLES users read and the playbook that runs.
#
# 1. Per-task connection options (airflow_url, airflow_username, airflow_password,
#    airflow_token) are dropped: the examples name a made-up server; every generated play sets
#    them for the real server through module_defaults group/dagops.airflow.airflow, as the
#    airflow_variable example's whole play shows users to do.
# 2. In an example that is a whole play, the connection options of its module_defaults
#    group/dagops.airflow.airflow are set to the real server's (same reason).
# 3. airflow_cfg's `path` points at a copy of the real server's airflow.cfg: the examples name
#    /opt/airflow/airflow.cfg, and the server's own file must stay as the harness wrote it.
# 4. The variables the examples use get test values (test_vars): every `vault_*` a random
#    secret that the output scan looks for, except vault_airflow_password (the real server's
#    password); release_version is 1.2.3, the run that "Mark a stuck run failed" names.
# 5. The generated plays also set poll_interval 1 (default 3) for the modules that wait
#    (module_defaults by module name): it saves the suite's time budget, and is no example's text.
# ---------------------------------------------------------------------------------------------
CONNECTION_OPTIONS = ("airflow_url", "airflow_username", "airflow_password", "airflow_token")
WAITING_MODULES = ("airflow_deploy_dag", "airflow_dag", "airflow_dag_run")
NOT_SECRET_VARS = {"release_version": "1.2.3"}


def server_connection(server):
    return {"airflow_url": server["url"], "airflow_username": server["username"],
            "airflow_password": server["password"]}


def module_of(task):
    """The module (FQCN key) a task calls, or None for a block or a task without one."""
    names = [key for key in task if "." in key]
    return names[0] if len(names) == 1 else None


def rewrite_task(task, cfg_path):
    """Rewrites 1 and 3 on one example task (a new dict; the order of its keys is kept)."""
    task = copy.deepcopy(task)
    for key in ("block", "rescue", "always"):
        if key in task:
            task[key] = [rewrite_task(inner, cfg_path) for inner in task[key]]
    module = module_of(task)
    args = task.get(module) if module else None
    if module and module.startswith(PREFIX) and isinstance(args, dict):
        for option in CONNECTION_OPTIONS:
            args.pop(option, None)
        if module == PREFIX + "airflow_cfg" and "path" in args:
            args["path"] = str(cfg_path)
    return task


def rewrite_whole_play(play, server, cfg_path):
    """Rewrite 2 (and 1 and 3 on its tasks) on an example that is a whole play."""
    play = copy.deepcopy(play)
    group = (play.get("module_defaults") or {}).get(GROUP)
    if isinstance(group, dict):
        for option in CONNECTION_OPTIONS:
            group.pop(option, None)
        group.update(server_connection(server))
    for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
        if section in play:
            play[section] = [rewrite_task(task, cfg_path) for task in play[section]]
    return play


def generated_module_defaults(server):
    """Rewrites 1 and 5: what every generated play sets."""
    defaults = {GROUP: server_connection(server)}
    for module in WAITING_MODULES:
        defaults[PREFIX + module] = {"poll_interval": 1}
    return defaults


def test_vars(entries_by_module, server):
    """Rewrite 4: a value for every variable the examples use that nothing in them defines."""
    text = json.dumps(entries_by_module)
    values = dict(NOT_SECRET_VARS)
    for name in sorted(set(re.findall(r"\bvault_\w+", text))):
        values[name] = "ex-%s-%s" % (name[len("vault_"):], secrets.token_hex(8))
    values["vault_airflow_password"] = server["password"]
    return values


def secret_values(variables):
    return sorted(value for name, value in variables.items()
                  if name.startswith("vault_") and name != "vault_airflow_password")


# ---------------------------------------------------------------------------------------------
# Reading the EXAMPLES of the installed collection
# ---------------------------------------------------------------------------------------------
def collection_root(collections_path):
    return Path(collections_path) / "ansible_collections" / NAMESPACE / NAME


def read_examples(module_file):
    """The module's EXAMPLES, parsed (a list of tasks and plays), without importing the module."""
    tree = ast.parse(Path(module_file).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            entries = yaml.safe_load(ast.literal_eval(node.value))
            if not isinstance(entries, list) or not entries:
                raise ValueError("%s: EXAMPLES is not a non-empty YAML list" % module_file)
            return entries
    raise ValueError("%s has no EXAMPLES" % module_file)


def installed_modules(collections_path):
    modules = collection_root(collections_path) / "plugins" / "modules"
    return sorted(path.stem for path in modules.glob("*.py") if not path.name.startswith("_"))


def is_play(entry):
    return isinstance(entry, dict) and "hosts" in entry


# ---------------------------------------------------------------------------------------------
# Building the playbook and what it must show
# ---------------------------------------------------------------------------------------------
def task_leaves(tasks):
    """The tasks of a task list, blocks flattened (a block itself reports no result)."""
    for task in tasks or []:
        if any(key in task for key in ("block", "rescue", "always")):
            for key in ("block", "rescue", "always"):
                for leaf in task_leaves(task.get(key)):
                    yield dict(leaf, when=leaf.get("when") or task.get("when"))
        else:
            yield task


def build_plays(module, entries, server, cfg_path):
    """The plays for one module's examples and the tasks they must run.

    Consecutive example tasks go into one generated play; a whole-play example is its own play.
    Returns (plays, expected) where expected lists {module, play, task, when, action}.
    """
    plays, expected, pending = [], [], []

    def expect(play_name, tasks):
        for task in task_leaves(tasks):
            expected.append({"module": module, "play": play_name, "task": task.get("name"),
                             "when": bool(task.get("when")), "action": module_of(task)})

    def flush():
        if pending:
            name = "Examples of %s%s" % (PREFIX, module)
            if any(play["name"] == name for play in plays):
                name += " (%d)" % (len(plays) + 1)
            tasks = [rewrite_task(task, cfg_path) for task in pending]
            plays.append({"name": name, "hosts": "localhost", "gather_facts": False,
                          "module_defaults": generated_module_defaults(server), "tasks": tasks})
            expect(name, tasks)
            del pending[:]

    for entry in entries:
        if is_play(entry):
            flush()
            play = rewrite_whole_play(entry, server, cfg_path)
            plays.append(play)
            for section in ("pre_tasks", "tasks", "post_tasks"):
                expect(play.get("name"), play.get(section))
        else:
            pending.append(entry)
    flush()
    for item in expected:
        if not item["task"]:
            raise ValueError("%s: an example task has no name; the check needs one" % module)
    return plays, expected


def select_modules(installed, wanted, server):
    """(modules to run in ORDER, {module: why it does not run here})."""
    missing = [m for m in installed if m not in ORDER]
    if missing:
        raise ValueError("modules not in run_examples.ORDER (add them where their examples fit): %s"
                         % ", ".join(missing))
    gone = [m for m in ORDER if m not in installed]
    if gone:
        raise ValueError("ORDER names modules the collection does not have: %s" % ", ".join(gone))
    unknown = [m for m in wanted or () if m not in ORDER]
    if unknown:
        raise ValueError("unknown module(s): %s" % ", ".join(unknown))
    cannot = dict(CANNOT_RUN.get(server["auth_manager"], {}), **CANNOT_RUN_ANYWHERE)
    run = [m for m in ORDER if (not wanted or m in wanted) and m not in cannot]
    skipped = dict((m, why) for m, why in cannot.items() if not wanted or m in wanted)
    return run, skipped


# ---------------------------------------------------------------------------------------------
# Checking the run
# ---------------------------------------------------------------------------------------------
def check_record(expected, records, modules):
    """Problems found in the callback's record (an empty list when every example ran)."""
    problems = []
    by_task = {}
    for rec in records:
        by_task.setdefault((rec["play"], rec["task"]), []).append(rec)
    for exp in expected:
        results = by_task.get((exp["play"], exp["task"]))
        where = "%s: %r" % (exp["module"], exp["task"])
        if not results:
            problems.append("%s did not run" % where)
            continue
        for res in results:
            if res["status"] in ("ok", "changed"):
                continue
            if res["status"] == "skipped" and exp["when"] and res.get("false_condition"):
                continue
            why = res.get("skipped_reason") or ""
            problems.append("%s: %s%s" % (where, res["status"], " (%s)" % why if why else ""))
    for module in modules:
        own = [rec for exp in expected if exp["module"] == module and exp["action"] == PREFIX + module
               for rec in by_task.get((exp["play"], exp["task"]), []) if rec["status"] in ("ok", "changed")]
        if not own:
            problems.append("%s: no task of its own ran" % module)
    return problems


def scan_output(output, secret_list, collections_path):
    """Problems in the -vvv output: a test secret shown, a module run from another copy."""
    problems = []
    for value in secret_list:
        if value in output:
            line = next(n for n, text in enumerate(output.splitlines(), 1) if value in text)
            problems.append("LEAK: a test secret appears in the output (line %d)" % line)
    root = str(collection_root(collections_path).resolve())
    used = re.findall(r"Using module file (\S+/ansible_collections/%s/%s/\S+)" % (NAMESPACE, NAME), output)
    if not used:
        problems.append("no 'Using module file' line names a %s%s module (not -vvv?)" % (NAMESPACE, NAME))
    for path in sorted(set(used)):
        if not str(Path(path).resolve()).startswith(root + os.sep):
            problems.append("%s ran from %s, not from the installed collection" % (Path(path).stem, path))
    return problems


def summary(expected, records):
    lines = []
    for module in dict.fromkeys(exp["module"] for exp in expected):
        keys = set((exp["play"], exp["task"]) for exp in expected if exp["module"] == module)
        recs = [rec for rec in records if (rec["play"], rec["task"]) in keys]
        count = dict((status, sum(1 for rec in recs if rec["status"] == status))
                     for status in ("ok", "changed", "skipped", "failed"))
        lines.append("  %-20s %2d example tasks: %d changed, %d ok, %d skipped by when, %d failed"
                     % (module, len(keys), count["changed"], count["ok"], count["skipped"], count["failed"]))
    return lines


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------
def prepare(workdir, plays, variables, server):
    shutil.copytree(HERE / "files", workdir, dirs_exist_ok=True)
    shutil.copyfile(Path(server["airflow_home"]) / "airflow.cfg", workdir / "airflow.cfg")
    (workdir / "examples.yml").write_text(
        "---\n# Generated by tests/examples/run_examples.py from the installed collection's EXAMPLES.\n"
        + yaml.safe_dump(plays, sort_keys=False, width=200), encoding="utf-8")
    with open(workdir / "test_vars.yml", "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        yaml.safe_dump(variables, handle)
    (workdir / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}}),
        encoding="utf-8")


def run_playbook(venv, collections_path, workdir):
    env = dict(os.environ,
               ANSIBLE_COLLECTIONS_PATH=str(collections_path),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
               ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="example_record",
               EXAMPLES_RECORD=str(workdir / "record.jsonl"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="False",
               ANSIBLE_LOCAL_TEMP=str(workdir / ".ansible-tmp"))
    cmd = [str(Path(venv) / "bin" / "ansible-playbook"), "-i", "inventory.yml", "-e", "@test_vars.yml",
           "-vvv", "--diff", "examples.yml"]
    proc = subprocess.run(cmd, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False)
    output = proc.stdout.decode("utf-8", "replace")
    (workdir / "output.log").write_text(output, encoding="utf-8")
    records = []
    if (workdir / "record.jsonl").exists():
        records = [json.loads(line) for line in (workdir / "record.jsonl").read_text().splitlines() if line]
    return proc.returncode, output, records


def venv_python(venv, code):
    return subprocess.run([str(Path(venv) / "bin" / "python"), "-c", code], stdout=subprocess.PIPE,
                          check=True).stdout.decode().strip()


def ansible_core_version(venv):
    return venv_python(venv, "from ansible.release import __version__; print(__version__)")


def python_version(venv):
    return venv_python(venv, "import platform; print(platform.python_version())")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--venv", required=True, help="the ansible venv (ansible-playbook in bin/)")
    parser.add_argument("--collections", required=True, help="the collections path holding the installed collection")
    parser.add_argument("--server", required=True, help="the harness's server.json")
    parser.add_argument("--modules", default="", help="comma-separated: run only these modules' examples")
    parser.add_argument("--keep", help="build and keep the playbook in this directory")
    args = parser.parse_args(argv)

    started = time.monotonic()
    server = json.loads(Path(args.server).read_text())
    wanted = [m for m in args.modules.split(",") if m]
    modules, cannot = select_modules(installed_modules(args.collections), wanted, server)
    root = collection_root(args.collections)
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="dagops-examples-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    entries = dict((m, read_examples(root / "plugins" / "modules" / (m + ".py"))) for m in modules)
    plays, expected = [], []
    for module in modules:
        module_plays, module_expected = build_plays(module, entries[module], server, workdir / "airflow.cfg")
        plays += module_plays
        expected += module_expected
    variables = test_vars(entries, server)
    prepare(workdir, plays, variables, server)

    label = "Airflow %s with ansible-core %s on python %s" % (
        server["flavor"], ansible_core_version(args.venv), python_version(args.venv))
    for module, why in sorted(cannot.items()):
        print("examples: %s not run on %s: %s" % (module, server["flavor"], why))
    print("examples: %d tasks of %s on %s" % (len(expected), ", ".join(modules), label), flush=True)
    rc, output, records = run_playbook(args.venv, args.collections, workdir)
    problems = [] if rc == 0 else ["ansible-playbook failed (rc=%d)" % rc]
    problems += check_record(expected, records, modules)
    problems += scan_output(output, secret_values(variables), args.collections)
    print("\n".join(summary(expected, records)))
    elapsed = time.monotonic() - started
    if problems:
        tail = [line for line in output.splitlines() if not any(s in line for s in secret_values(variables))]
        print("\n".join(tail[-60:]))
        print("examples FAILED on %s after %.0f s (output kept in %s):\n  %s"
              % (label, elapsed, workdir, "\n  ".join(problems)))
        return 1
    print("examples passed on %s in %.0f s; no test secret in %d lines of -vvv output"
          % (label, elapsed, len(output.splitlines())))
    if not args.keep:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
