"""Validate a DAG file before it replaces anything: compile and import it with Airflow's DagBag in a
subprocess of the server's own Python, on a private copy outside the dags folder, with a time limit."""
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections import namedtuple

CHILD_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_child.py")
OUTPUT_TAIL = 4000

Validation = namedtuple("Validation", "dag_ids import_errors")


def validate_dag_file(data, path, settings, python=None):
    """A Validation: the DAG ids `data` defines, and {path: error text} when it fails."""
    with tempfile.TemporaryDirectory(prefix="dagops-validate-") as workdir:
        copy = os.path.join(workdir, "dags", os.path.basename(path))
        os.makedirs(os.path.dirname(copy))
        with open(copy, "wb") as stream:
            stream.write(data)
        result_file = os.path.join(workdir, "result.json")
        command = [python or sys.executable or "python3", CHILD_SCRIPT, copy, result_file,
                   settings.dags_folder, settings.plugins_folder]
        status, output = _run(command, workdir, settings.validation_timeout)
        if status is None:
            return Validation([], {path: f"validation timed out after {settings.validation_timeout} s "
                                         "([rest_api_plugin] validation_timeout)"})
        try:
            with open(result_file, encoding="utf-8") as stream:
                result = json.load(stream)
        except (OSError, ValueError):
            return Validation([], {path: f"the validating process failed (exit code {status}):\n"
                                         f"{output[-OUTPUT_TAIL:]}"})
    errors = result.get("import_errors") or []
    if errors:
        # The copy's private path means nothing to the caller: name the file as they did.
        return Validation([], {path: "\n".join(errors).replace(copy, path)})
    return Validation(sorted(result.get("dag_ids") or []), {})


def _run(command, workdir, timeout):
    """(exit status or None on timeout, combined output); the whole process group dies on timeout."""
    process = subprocess.Popen(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        return None, ""
    return process.returncode, output.decode("utf-8", "replace")


def first_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "import failed"
    # A traceback's last line says what went wrong; its first line only says "Traceback".
    return lines[-1].strip() if lines[0].startswith("Traceback") else lines[0].strip()
