"""scripts/demo.sh as a newcomer meets it (issue 21): it leaves wrappers and an activate script for the
collection it installed, installs without the collections-path warning, and in check mode before the
first demo skips the playbooks instead of failing. Run in a copy of the script with stand-ins for the
tools virtualenv's ansible-galaxy and ansible-playbook, which record what they were run with."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

RECORDER = """#!/bin/sh
echo "$(basename "$0") ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-} $*" >> "%(log)s"
case "$(basename "$0") $1" in
  "ansible-galaxy collection")
    if [ "$2" = build ]; then
      while [ $# -gt 0 ]; do [ "$1" = --output-path ] && touch "$2/dagops-airflow-0.1.0.tar.gz"; shift; done
    fi ;;
  ansible-playbook*) printf 'PLAY RECAP ***\\nairflow-demo : ok=1 changed=0 failed=0\\n' ;;
esac
"""


def make_checkout(tmp_path, installed):
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "demo.sh", root / "scripts" / "demo.sh")
    harness = root / "tests" / "harness"
    harness.mkdir(parents=True)
    tools = tmp_path / "tools"
    (tools / "bin").mkdir(parents=True)
    log = tmp_path / "calls.log"
    write_executable(harness / "venv.sh", "#!/bin/sh\necho %s\n" % tools)
    for tool in ("ansible", "ansible-playbook", "ansible-doc", "ansible-galaxy", "ansible-inventory"):
        write_executable(tools / "bin" / tool, RECORDER % {"log": log})
    if installed:
        control = root / ".cache" / "demo" / "airflow" / "bin" / "dagops-airflow-services"
        control.parent.mkdir(parents=True)
        write_executable(control, "#!/bin/sh\necho '{}'\n")
    return root, log


def write_executable(path, text):
    path.write_text(text)
    path.chmod(stat.S_IRWXU)


def run_demo(root, *args):
    env = {key: value for key, value in os.environ.items() if key != "ANSIBLE_COLLECTIONS_PATH"}
    return subprocess.run(["bash", str(root / "scripts" / "demo.sh"), *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def calls(log, tool):
    return [line for line in log.read_text().splitlines() if line.startswith(tool + " ")]


def test_the_demo_leaves_wrappers_and_an_activate_script_with_the_collections_path(tmp_path):
    root, log = make_checkout(tmp_path, installed=True)
    done = run_demo(root, "-v")
    assert done.returncode == 0, done.stderr
    collections = root / ".cache" / "collections"
    install = [line for line in calls(log, "ansible-galaxy") if " collection install " in line]
    assert install and install[0].startswith("ansible-galaxy ANSIBLE_COLLECTIONS_PATH=%s " % collections)
    playbooks = calls(log, "ansible-playbook")
    assert [line.split()[-2] for line in playbooks] == [
        "playbooks/bootstrap.yml", "playbooks/site.yml", "playbooks/deploy_dags.yml", "playbooks/demo.yml"]
    assert "source .cache/activate" in done.stdout
    doc = subprocess.run([str(root / ".cache" / "bin" / "ansible-doc"), "dagops.airflow.airflow_pool"],
                         capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]})
    assert calls(log, "ansible-doc") == [
        "ansible-doc ANSIBLE_COLLECTIONS_PATH=%s dagops.airflow.airflow_pool" % collections], doc.stderr
    activated = subprocess.run(["bash", "-c", "source .cache/activate && command -v ansible-playbook && "
                                "echo $ANSIBLE_COLLECTIONS_PATH"], cwd=root, capture_output=True, text=True, check=True)
    assert activated.stdout.split() == [str(root / ".cache" / "bin" / "ansible-playbook"), str(collections)]


def test_check_mode_before_the_first_demo_skips_every_playbook(tmp_path):
    root, log = make_checkout(tmp_path, installed=False)
    done = run_demo(root, "--check", "--diff")
    assert done.returncode == 0, done.stderr
    assert calls(log, "ansible-playbook") == []
    assert done.stdout.count("skipped: check mode and no demo installed yet (run make demo)") == 4
    assert "installing Airflow" not in done.stderr and "Airflow is running" not in done.stdout
    assert not (root / ".cache" / "demo").exists()
