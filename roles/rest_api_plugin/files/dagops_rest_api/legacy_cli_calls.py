"""The old plugin's calls carried out by Airflow's CLI (cli_runner): render, task_failed_deps,
clear, backfill, test, run. Their Python APIs differ between 2.11, 3.0 and 3.3 (clear's and
render's signatures, backfills that are scheduler objects on 3.x), the CLI is the surface both keep.
What maps to what: docs/rest_api_plugin.md, "The old REST API plugin's calls"."""
from datetime import datetime, timezone

from dagops_rest_api import runs
from dagops_rest_api.cli_runner import checked, display, positional, run_airflow
from dagops_rest_api.legacy_calls import LegacyCallError, handler, optional, required
from dagops_rest_api.legacy_envelope import is_set
from dagops_rest_api.legacy_subdir import check_subdir
from dagops_rest_api.operation_errors import NotFound

TASK_EXECUTION_OFF = ("api={api} runs a task inside the web server's host; it is off unless "
                      "[rest_api_plugin] allow_task_execution = True (role variable "
                      "rest_api_plugin_allow_task_execution)")


def airflow3(service):
    return int(service.versions[0].split(".", 1)[0]) >= 3


def ids(call, *names):
    return [positional(required(call.args, name, call.api), name) for name in names]


def subdir_options(service, call):
    """`-S <path>` on 2.11 (checked to be inside the dags folder); 3.x parses the dags-folder
    bundle, so the checked subdir adds nothing there."""
    path = check_subdir(service, call)
    return [f"--subdir={path}"] if path and not airflow3(service) else []


def run_reference(call, dag_id):
    """What the CLI's date argument gets: the run id of the run the execution_date names (so the
    README's second-precision date finds it), else the date itself (an ISO 8601 instant)."""
    window = runs.as_window(required(call.args, "execution_date", call.api))
    try:
        return runs.find_run(dag_id, window)["run_id"]
    except NotFound:
        return window.start.isoformat()


def date_option(call, name, option):
    value = optional(call.args, name)
    return [] if value is None else [f"{option}={runs.as_window(value).start.isoformat()}"]


def execute(service, envelope, argv):
    envelope.airflow_cmd = display(argv)
    return checked(run_airflow(argv, service.settings.validation_timeout), argv)


def flags(call, table):
    """CLI switches for the presence flags the call set: table is ((argument, switch), ...)."""
    return [switch for name, switch in table if is_set(call.args, name)]


@handler("render", "task_failed_deps")
def task_instance_report(service, envelope, call):
    dag_id, task_id = ids(call, "dag_id", "task_id")
    command = "render" if call.api == "render" else "failed-deps"
    argv = ["tasks", command, dag_id, task_id, run_reference(call, dag_id)] + subdir_options(service, call)
    return execute(service, envelope, argv)


@handler("clear")
def clear(service, envelope, call):
    (dag_id,) = ids(call, "dag_id")
    argv = ["tasks", "clear", dag_id, "--yes"] + subdir_options(service, call)
    regex = optional(call.args, "task_regex")
    argv += [f"--task-regex={regex}"] if regex else []
    argv += date_option(call, "start_date", "--start-date") + date_option(call, "end_date", "--end-date")
    argv += flags(call, (("upstream", "--upstream"), ("downstream", "--downstream"),
                         ("only_failed", "--only-failed"), ("only_running", "--only-running")))
    if is_set(call.args, "exclude_subdags"):
        envelope.warnings.append("exclude_subdags: Airflow 2.11 and 3.x have no SubDAGs; ignored.")
    return execute(service, envelope, argv)


def backfill_window(call, envelope):
    """(start, end) ISO dates; the README's bare `api=backfill&dag_id=...` backfills today (UTC)."""
    start, end = optional(call.args, "start_date"), optional(call.args, "end_date")
    if start is None and end is None:
        today = runs.as_window(datetime.now(timezone.utc).date().isoformat()).start
        envelope.warnings.append(f"no start_date or end_date: backfilled {today.date().isoformat()} (today, UTC).")
        start = end = today.isoformat()
    start = runs.as_window(start or end).start.isoformat()
    end = runs.as_window(end or start).start.isoformat()
    return start, end


BACKFILL_2_FLAGS = (("mark_success", "--mark-success"), ("local", "--local"), ("donot_pickle", "--donot-pickle"),
                    ("ignore_dependencies", "--ignore-dependencies"),
                    ("ignore_first_depends_on_past", "--ignore-first-depends-on-past"), ("dry_run", "--dry-run"))


@handler("backfill")
def backfill(service, envelope, call):
    (dag_id,) = ids(call, "dag_id")
    start, end = backfill_window(call, envelope)
    regex, pool = optional(call.args, "task_regex"), optional(call.args, "pool")
    if airflow3(service):
        check_subdir(service, call)
        argv = ["backfill", "create", f"--dag-id={dag_id}", f"--from-date={start}", f"--to-date={end}"]
        argv += ["--dry-run"] if is_set(call.args, "dry_run") else []
        ignored = [name for name, _switch in BACKFILL_2_FLAGS if name != "dry_run" and is_set(call.args, name)]
        ignored += [name for name, value in (("task_regex", regex), ("pool", pool)) if value]
        if ignored:
            envelope.warnings.append(f"Airflow 3 backfills whole runs through the scheduler; ignored: "
                                     f"{', '.join(ignored)}.")
        return execute(service, envelope, argv)
    argv = ["dags", "backfill", dag_id, f"--start-date={start}", f"--end-date={end}"]
    argv += subdir_options(service, call) + flags(call, BACKFILL_2_FLAGS)
    argv += ([f"--task-regex={regex}"] if regex else []) + ([f"--pool={pool}"] if pool else [])
    if is_set(call.args, "include_adhoc"):
        envelope.warnings.append("include_adhoc: Airflow 2 has no adhoc tasks; ignored.")
    return execute(service, envelope, argv)


def check_task_execution(service, call):
    if not service.settings.allow_task_execution:
        raise LegacyCallError(403, TASK_EXECUTION_OFF.format(api=call.api))


@handler("test")
def test(service, envelope, call):
    check_task_execution(service, call)
    dag_id, task_id = ids(call, "dag_id", "task_id")
    argv = ["tasks", "test", dag_id, task_id, run_reference(call, dag_id)] + subdir_options(service, call)
    params = optional(call.args, "task_params")
    argv += [f"--task-params={params}"] if params else []
    if is_set(call.args, "dryrun"):
        if airflow3(service):
            envelope.warnings.append("dryrun: Airflow 3's `tasks test` has no dry run; rendered instead.")
            argv[1] = "render"
            argv = [arg for arg in argv if not arg.startswith("--task-params=")]
        else:
            argv.append("--dry-run")
    return execute(service, envelope, argv)


RUN_2_FLAGS = (("mark_success", "--mark-success"), ("force", "--force"), ("local", "--local"),
               ("ignore_all_dependencies", "--ignore-all-dependencies"),
               ("ignore_dependencies", "--ignore-dependencies"),
               ("ignore_depends_on_past", "--depends-on-past=ignore"))


@handler("run")
def run(service, envelope, call):
    check_task_execution(service, call)
    if optional(call.args, "pickle") or is_set(call.args, "ship_dag"):
        raise LegacyCallError(400, "api=run: pickle and ship_dag are refused (a pickle is code; Airflow 2.11 "
                                   "and 3.x no longer ship DAGs to workers)")
    dag_id, task_id = ids(call, "dag_id", "task_id")
    reference = run_reference(call, dag_id)
    if airflow3(service):
        # Airflow 3 has no `tasks run`: a task instance runs when the scheduler queues it, so the
        # run's task instance is cleared and the scheduler runs it again.
        window = runs.as_window(call.args["execution_date"])
        argv = ["tasks", "clear", dag_id, "--yes", f"--task-regex=^{task_id}$",
                f"--start-date={window.start.isoformat()}", f"--end-date={window.start.isoformat()}"]
        envelope.warnings.append("Airflow 3 has no `tasks run`: the task instance was cleared, so the scheduler "
                                 "runs it.")
        return execute(service, envelope, argv)
    argv = ["tasks", "run", dag_id, task_id, reference] + subdir_options(service, call) + flags(call, RUN_2_FLAGS)
    pool = optional(call.args, "pool")
    argv += [f"--pool={pool}"] if pool else []
    cfg_path = check_subdir(service, call, "cfg_path")
    argv += [f"--cfg-path={cfg_path}"] if cfg_path else []
    return execute(service, envelope, argv)
