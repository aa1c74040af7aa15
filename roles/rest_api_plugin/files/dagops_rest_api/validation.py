"""Validate a DAG file before it replaces anything: compile and import it with Airflow's DagBag in a
subprocess of the server's own Python, on a private copy outside the dags folder, with a time limit."""
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections import namedtuple

from dagops_rest_api.warm_validator import WarmChild, WarmUnavailable

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
        status, output = _finish(_launch(command, workdir, settings, python), settings.validation_timeout)
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


def first_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "import failed"
    # A traceback's last line says what went wrong; its first line only says "Traceback".
    return lines[-1].strip() if lines[0].startswith("Traceback") else lines[0].strip()


TreeValidation = namedtuple("TreeValidation", "dag_ids import_errors ignored")
FILES_PER_PROCESS_AT_LEAST = 50  # a process not forked warm pays for `import airflow` (seconds) once


def process_count(settings, files):
    wanted = settings.validation_processes or min(os.cpu_count() or 1, 4)
    return max(1, min(wanted, -(-files // FILES_PER_PROCESS_AT_LEAST)))


def validate_tree(tree, paths, settings, python=None):
    """A TreeValidation of `paths` (relative, in the staged tree `tree`): one DagBag per process, the
    paths split between a few processes, each with `validation_timeout`."""
    paths = sorted(paths)
    if not paths:
        return TreeValidation({}, {}, [])
    count = process_count(settings, len(paths))
    chunks = [paths[index::count] for index in range(count)]
    with tempfile.TemporaryDirectory(prefix="dagops-validate-") as workdir:
        running = []
        for index, chunk in enumerate(chunks):
            chunk_dir = os.path.join(workdir, str(index))
            os.makedirs(chunk_dir)
            paths_file, result_file = os.path.join(chunk_dir, "paths.json"), os.path.join(chunk_dir, "result.json")
            with open(paths_file, "w", encoding="utf-8") as stream:
                json.dump(chunk, stream)
            command = [python or sys.executable or "python3", CHILD_SCRIPT, "--tree", tree, paths_file, result_file,
                       settings.plugins_folder]
            running.append((chunk, result_file, _launch(command, chunk_dir, settings, python)))
        dag_ids, errors, ignored = {}, {}, []
        for chunk, result_file, process in running:
            status, output = _finish(process, settings.validation_timeout)
            result = _read_result(result_file)
            if status is None or result is None:
                text = (f"validation timed out after {settings.validation_timeout} s ([rest_api_plugin] "
                        "validation_timeout)" if status is None else
                        f"the validating process failed (exit code {status}):\n{output[-OUTPUT_TAIL:]}")
                errors.update((path, text) for path in chunk)
                continue
            dag_ids.update(result.get("dag_ids") or {})
            ignored.extend(result.get("ignored") or [])
            prefix = tree.rstrip(os.sep) + os.sep
            errors.update((path, text.replace(prefix, "")) for path, text in (result.get("import_errors") or {}).items())
    return TreeValidation(dag_ids, errors, sorted(ignored))


def _launch(command, workdir, settings, python):
    """A running validation: forked by the warm parent (warm_validator.py) when it is the server's own
    Python that validates and `validation_warm_process` is on, else a new process of `python`."""
    if python is None and getattr(settings, "validation_warm_process", False):
        try:
            return WarmChild(command[2:], workdir, settings.validation_timeout)
        except WarmUnavailable:
            pass
    return _start(command, workdir)


def _start(command, workdir):
    return subprocess.Popen(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _finish(process, timeout):
    """(exit status or None on timeout, output) of a started process; its group dies on timeout."""
    if isinstance(process, WarmChild):
        return process.finish(timeout)
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


def _read_result(result_file):
    try:
        with open(result_file, encoding="utf-8") as stream:
            result = json.load(stream)
    except (OSError, ValueError):
        return None
    return result if isinstance(result, dict) else None
