"""Airflow's CLI for the legacy calls that have no stable in-process API across 2.11 and 3.x:
`python -m airflow ARGS` of this server's own interpreter and environment, a fixed argument list
(never a shell), a time limit, and the process group killed when it is exceeded.

Every free value reaches the CLI as one `--option=value` token or a positional that
`positional()` checked, so a value such as `--help` or `$(touch /tmp/x);echo` is data, never an
option or a command.
"""
import os
import re
import shlex
import signal
import subprocess
import sys
from collections import namedtuple

from dagops_rest_api.legacy_calls import LegacyCallError

# Airflow's own rule for DAG and task ids (airflow.utils.helpers.KEY_REGEX).
ID_PATTERN = re.compile(r"^[\w.-]+$")
OUTPUT_LIMIT = 200000  # characters of output kept (the end, where the result and errors are)

CliResult = namedtuple("CliResult", "code output")


def positional(value, what):
    """An id that goes into argv as a positional argument: Airflow's id characters, never `-...`."""
    text = str(value)
    if not ID_PATTERN.match(text) or text.startswith("-"):
        raise LegacyCallError(400, f"{what} {value!r} is not an Airflow id (letters, digits, '_', '.', '-'; "
                                   "not starting with '-')")
    return text


def display(argv):
    """The command as the envelope's airflow_cmd shows it."""
    return "airflow " + shlex.join(argv)


def run_airflow(argv, timeout):
    """CliResult of `airflow ARGV` (stdout and stderr together), or LegacyCallError 504 after
    `timeout` seconds (the whole process group is killed)."""
    command = [sys.executable, "-m", "airflow", *argv]
    # Deprecation warnings of Airflow's own modules would bury the answer (the old plugin filtered them too).
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,  # noqa: S603
                          stderr=subprocess.STDOUT, env=env, start_new_session=True) as process:
        try:
            output = process.communicate(timeout=timeout)[0]
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise LegacyCallError(504, f"{display(argv)} did not finish within {timeout} s "
                                       "([rest_api_plugin] validation_timeout); it was stopped") from None
    text = output.decode("utf-8", "replace")
    return CliResult(process.returncode, text[-OUTPUT_LIMIT:])


def checked(result, argv):
    """The output of a CLI run that exited 0; LegacyCallError 400 with its output otherwise."""
    if result.code != 0:
        raise LegacyCallError(400, f"{display(argv)} exited with {result.code}:\n{result.output.strip()}")
    return result.output
