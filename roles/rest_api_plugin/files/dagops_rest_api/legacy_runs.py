"""The old plugin's run and DAG-state calls, in-process through runs.py (shared with the
experimental API): trigger_dag, dag_state, task_state, pause, unpause."""
import json

from dagops_rest_api import runs
from dagops_rest_api.legacy_calls import cli_date, handler, optional, required
from dagops_rest_api.legacy_subdir import check_subdir


def _dag_id(service, call):
    check_subdir(service, call)
    return required(call.args, "dag_id", call.api)


@handler("trigger_dag")
def trigger_dag(_service, envelope, call):
    dag_id = required(call.args, "dag_id", call.api)
    run_id, conf = optional(call.args, "run_id"), optional(call.args, "conf")
    execution_date = optional(call.args, "exec_date") or optional(call.args, "execution_date")
    envelope.airflow_cmd = " ".join(["airflow dags trigger", dag_id] + (["-r", run_id] if run_id else [])
                                    + (["-c", conf] if conf else [])
                                    + (["-e", execution_date] if execution_date else []))
    run = runs.trigger_run(dag_id, conf=conf, execution_date=execution_date, run_id=run_id,
                           user_name=call.caller.name or None)
    return (f"Created <DagRun {run['dag_id']} @ {run['logical_date'].isoformat()}: {run['run_id']}, "
            f"state:{run['state']}, externally triggered: True>")


@handler("dag_state")
def dag_state(service, envelope, call):
    dag_id = _dag_id(service, call)
    window = runs.as_window(required(call.args, "execution_date", call.api))
    envelope.airflow_cmd = f"airflow dags state {dag_id} {cli_date(window)}"
    run = runs.find_run(dag_id, window)
    return run["state"] if not run["conf"] else f"{run['state']}, {json.dumps(run['conf'])}"


@handler("task_state")
def task_state(service, envelope, call):
    dag_id = _dag_id(service, call)
    task_id = required(call.args, "task_id", call.api)
    window = runs.as_window(required(call.args, "execution_date", call.api))
    envelope.airflow_cmd = f"airflow tasks state {dag_id} {task_id} {cli_date(window)}"
    return str(runs.task_instance_state(dag_id, window, task_id))


@handler("pause", "unpause")
def pause(service, envelope, call):
    dag_id = _dag_id(service, call)
    wanted = call.api == "pause"
    envelope.airflow_cmd = f"airflow dags {call.api} {dag_id}"
    runs.set_paused(dag_id, wanted)
    return f"Dag: {dag_id}, paused: {wanted}"
