"""The old REST API plugin's calls (`?api=<name>`): which handler answers each, the daemons it
refuses, and the checks every call shares. Framework-free; handlers that need Airflow import it
when called (legacy_airflow_*.py in-process, cli_runner.py for the CLI)."""
import logging
from collections import namedtuple

from dagops_rest_api.errors import ApiError
from dagops_rest_api.operation_errors import OperationError

log = logging.getLogger(__name__)

# api: the `api` argument; args: query and form arguments merged (form wins); upload: (file name,
# bytes) of the `dag_file` field or None; caller: legacy_auth.Caller.
LegacyRequest = namedtuple("LegacyRequest", "api args upload caller")

DAEMONS = ("kerberos", "worker", "flower", "scheduler", "serve_logs")
DAEMON_REFUSAL = ("api={api} would start a long-running Airflow service inside the web server; this plugin "
                  "does not start services: the dagops.airflow.airflow role runs them (scheduler, "
                  "dag-processor, triggerer, workers) as system services")


class LegacyCallError(Exception):
    """A call refused before or while it runs: HTTP status and the envelope's output."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def required(args, name, api):
    value = str(args.get(name) or "").strip()
    if not value:
        raise LegacyCallError(400, f"api={api} needs the argument {name}")
    return value


def optional(args, name):
    """An optional text argument: None when absent or blank."""
    value = args.get(name)
    return None if value is None or not str(value).strip() else str(value)


def cli_date(window):
    """A DateWindow's start as the CLI equivalent shows it."""
    return window.start.isoformat()


HANDLERS = {}


def handler(*names):
    """Registers a function (service, envelope, call) -> output text for the calls `names`."""
    def register(function):
        for name in names:
            HANDLERS[name] = function
        return function
    return register


def registered():
    """Every call the plugin answers, for the docs and the unit tests."""
    load_handlers()
    return sorted(set(HANDLERS) | set(DAEMONS))


def load_handlers():
    # The handler modules register themselves on import; imported here, not at the top, because
    # they import this module.
    # pylint: disable=import-outside-toplevel,unused-import,cyclic-import
    from dagops_rest_api import legacy_handlers  # noqa: F401


def answer_call(service, envelope, call):
    """(HTTP status, envelope body) for one legacy call."""
    load_handlers()
    api = call.api.strip()
    if api in DAEMONS:
        envelope.airflow_cmd = f"airflow {api}"
        return envelope.answer(400, DAEMON_REFUSAL.format(api=api))
    function = HANDLERS.get(api)
    if function is None:
        known = ", ".join(registered())
        return envelope.answer(400, f"unsupported api {api!r}: the calls are {known}" if api else
                               f"missing the argument api (one of {known})")
    try:
        result = function(service, envelope, call)
    except LegacyCallError as error:
        return envelope.answer(error.status, error.message)
    except ApiError as error:
        return envelope.answer(error.status, error.detail)
    except OperationError as error:  # runs.py, pools.py: Airflow's own refusal and status
        return envelope.answer(error.status, error.message)
    except Exception as error:  # pylint: disable=broad-except
        log.exception("dagops_rest_api: legacy api=%s failed", api)
        first = (str(error).strip().splitlines() or [""])[0]
        return envelope.answer(500, f"api={api} failed: {type(error).__name__}: {first} (see the server log)")
    if isinstance(result, tuple):  # a handler that builds its own answer (deploy_dag)
        return result
    return envelope.answer(200, result)
