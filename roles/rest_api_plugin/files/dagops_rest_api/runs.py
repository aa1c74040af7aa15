"""DAG runs, tasks, task instances and the paused flag through Airflow's own ORM, inside the server
process (Airflow 2.11's webserver, Airflow 3's api-server): the operations that the experimental API
and the old REST API plugin's calls share.

Every function takes plain values (ids, an execution date as text, a datetime or a DateWindow) and
answers plain dicts, lists and strings; a refusal raises operation_errors.NotFound or BadRequest
with the message and the status Airflow 1.10 gave it. The differences between Airflow 2 and 3
(`execution_date` vs `logical_date`, how a manual run is created, stale DAGs) stay in this module.

A run's dict (`run_summary`): dag_id, run_id, id, state, logical_date, start_date, end_date
(aware datetimes or None), run_type, conf.
"""
# pylint: disable=import-outside-toplevel
from datetime import timezone
import inspect

from dagops_rest_api.execution_dates import BadExecutionDate, DateWindow, parse_execution_date, pick_run_date
from dagops_rest_api.operation_errors import BadRequest, NotFound

RUN_STATES = ("queued", "running", "success", "failed")


# --- pure helpers (unit-tested without Airflow) --------------------------------------------------
def enum_value(value):
    """'success' for DagRunState.SUCCESS, a plain string unchanged, None for None."""
    return getattr(value, "value", value)


def parse_conf(conf):
    """A run's conf from what a caller sent: a dict, a JSON object as text, or nothing (None)."""
    import json

    if conf is None or conf == "":
        return None
    if isinstance(conf, (bytes, str)):
        try:
            conf = json.loads(conf)
        except ValueError as error:
            raise BadRequest(f"conf is not valid JSON: {error}") from None
    if not isinstance(conf, dict):
        raise BadRequest("Dag Run conf must be a dictionary object, other types are not supported")
    return conf


def as_window(execution_date):
    """A DateWindow from text, a datetime or a DateWindow; BadRequest for text that is no date."""
    if isinstance(execution_date, DateWindow):
        return execution_date
    try:
        return parse_execution_date(execution_date)
    except BadExecutionDate as error:
        raise BadRequest(str(error)) from None


def public_fields(obj):
    """Airflow 1.10's answer for a task or a task instance: its public attributes, as text."""
    try:
        items = vars(obj).items()
    except TypeError:  # an object with __slots__
        items = ((name, getattr(obj, name, None)) for name in dir(obj))
    return {key: str(value) for key, value in items if not key.startswith("_") and not callable(value)}


def utc(moment):
    return None if moment is None else moment.astimezone(timezone.utc)


# --- the Airflow side ----------------------------------------------------------------------------
def airflow_version():
    from airflow import __version__

    return __version__


def airflow3():
    return int(airflow_version().split(".", 1)[0]) >= 3


def _session():
    from airflow.utils.session import create_session

    return create_session()


def _date_column():
    from airflow.models.dagrun import DagRun

    return DagRun.logical_date if "logical_date" in DagRun.__table__.columns else DagRun.execution_date


def _run_date(run):
    return getattr(run, "logical_date", None) if airflow3() else run.execution_date


def run_summary(run):
    return {"dag_id": run.dag_id, "run_id": run.run_id, "id": run.id, "state": enum_value(run.state),
            "logical_date": utc(_run_date(run)), "start_date": utc(run.start_date),
            "end_date": utc(run.end_date), "run_type": enum_value(run.run_type), "conf": run.conf}


def _dag_model(session, dag_id):
    """The DAG's row, or NotFound (also for a DAG whose file is gone)."""
    from airflow.models.dag import DagModel
    from sqlalchemy import select

    model = session.scalar(select(DagModel).where(DagModel.dag_id == dag_id))
    columns = DagModel.__table__.columns
    gone = model is not None and (model.is_stale if "is_stale" in columns else not model.is_active)
    if model is None or gone:
        raise NotFound(f"Dag id {dag_id} not found")
    return model


def _serialized_dag(session, dag_id):
    """The DAG as the scheduler runs it (its latest serialized version), or NotFound."""
    _dag_model(session, dag_id)
    if airflow3():
        try:
            from airflow.models.dagbag import DBDagBag
        except ImportError:  # Airflow 3.0
            from airflow.models.dagbag import DagBag

            dag = DagBag(read_dags_from_db=True).get_dag(dag_id, session=session)
        else:
            dag = DBDagBag().get_latest_version_of_dag(dag_id, session=session)
    else:
        from airflow.models.dagbag import DagBag

        dag = DagBag(read_dags_from_db=True).get_dag(dag_id, session=session)
    if dag is None:
        raise NotFound(f"Dag id {dag_id} not found")
    return dag


def _find_run(session, dag_id, execution_date):
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    window = as_window(execution_date)
    _dag_model(session, dag_id)
    column = _date_column()
    runs = session.scalars(select(DagRun).where(DagRun.dag_id == dag_id, column >= window.start,
                                                column < window.end)).all()
    chosen = pick_run_date(window, [_run_date(run) for run in runs])
    for run in runs:
        if chosen is not None and _run_date(run) == chosen:
            return run
    raise NotFound(f"Dag Run for date {window.text} not found in dag {dag_id}")


def find_run(dag_id, execution_date):
    """The run of `dag_id` at `execution_date` (see execution_dates), as run_summary."""
    with _session() as session:
        return run_summary(_find_run(session, dag_id, execution_date))


def run_state(dag_id, execution_date):
    """'queued', 'running', 'success' or 'failed'."""
    return find_run(dag_id, execution_date)["state"]


def list_runs(dag_id, state=None):
    """The DAG's runs (run_summary), oldest logical date first; `state` filters."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    if state and state.lower() not in RUN_STATES:
        raise BadRequest(f"Invalid state {state!r}: one of {', '.join(RUN_STATES)}")
    with _session() as session:
        _dag_model(session, dag_id)
        query = select(DagRun).where(DagRun.dag_id == dag_id)
        if state:
            query = query.where(DagRun.state == state.lower())
        runs = session.scalars(query.order_by(_date_column(), DagRun.id)).all()
        return [run_summary(run) for run in runs]


def latest_runs():
    """The run with the latest logical date of every DAG that has one (run_summary)."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import and_, func, select

    column = _date_column()
    latest = (select(DagRun.dag_id, func.max(column).label("latest")).where(column.isnot(None))
              .group_by(DagRun.dag_id).subquery())
    with _session() as session:
        on_latest = and_(DagRun.dag_id == latest.c.dag_id, column == latest.c.latest)
        runs = session.scalars(select(DagRun).join(latest, on_latest).order_by(DagRun.dag_id)).all()
        return [run_summary(run) for run in runs]


def trigger_run(dag_id, conf=None, execution_date=None, run_id=None, replace_microseconds=None, user_name=None):
    """Create a manual run with a logical date, as Airflow 2 gave them: `execution_date` (text,
    datetime or DateWindow: its start) or now; microseconds dropped when no date was given (one run
    per second, as in 1.10) unless `replace_microseconds` says otherwise. `conf`: a dict or JSON
    text. Answers run_summary; BadRequest when a run of that date or id exists."""
    from airflow.utils import timezone as airflow_timezone

    conf = parse_conf(conf)
    logical_date = as_window(execution_date).start if execution_date not in (None, "") else None
    if replace_microseconds is None:
        replace_microseconds = logical_date is None
    logical_date = logical_date or airflow_timezone.utcnow()
    if replace_microseconds:
        logical_date = logical_date.replace(microsecond=0)
    if run_id is not None and not str(run_id).strip():
        raise BadRequest("run_id must not be empty")
    create = _create_run_airflow3 if airflow3() else _create_run_airflow2
    created_id = create(dag_id, conf, logical_date, run_id, user_name)
    with _session() as session:
        from airflow.models.dagrun import DagRun
        from sqlalchemy import select

        return run_summary(session.scalar(select(DagRun).where(DagRun.dag_id == dag_id,
                                                               DagRun.run_id == created_id)))


def _refuse_duplicate(session, dag_id, logical_date, run_id):
    from airflow.models.dagrun import DagRun
    from sqlalchemy import or_, select

    wanted = [_date_column() == logical_date] + ([DagRun.run_id == run_id] if run_id else [])
    existing = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, or_(*wanted)).limit(1))
    if existing is None:
        return
    if run_id and existing.run_id == run_id:
        raise BadRequest(f"A Dag Run already exists for dag id {dag_id} with run id {run_id}")
    raise BadRequest(f"A Dag Run already exists for dag id {dag_id} at {logical_date.isoformat()} "
                     f"(run id {existing.run_id})")


def _create_run_airflow2(dag_id, conf, logical_date, run_id, _user_name):
    from airflow.api.common.trigger_dag import trigger_dag
    from airflow.exceptions import AirflowException

    with _session() as session:
        _dag_model(session, dag_id)
        _refuse_duplicate(session, dag_id, logical_date, run_id)
    try:
        run = trigger_dag(dag_id, run_id=run_id, conf=conf, execution_date=logical_date,
                          replace_microseconds=False)
    except AirflowException as error:
        raise (NotFound if getattr(error, "status_code", 500) == 404 else BadRequest)(str(error)) from None
    except ValueError as error:  # a date before the DAG's start_date
        raise BadRequest(str(error)) from None
    return run.run_id


def _create_run_airflow3(dag_id, conf, logical_date, run_id, user_name):
    """As Airflow 3's own `POST /api/v2/dags/{dag_id}/dagRuns` creates it (its body model computes
    the run id and data interval), with a logical date."""
    from airflow.api_fastapi.core_api.datamodels.dag_run import TriggerDAGRunPostBody
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType
    from sqlalchemy.exc import IntegrityError

    try:
        with _session() as session:
            model = _dag_model(session, dag_id)
            if getattr(model, "has_import_errors", False):
                raise BadRequest(f"Dag id {dag_id} has import errors and cannot be triggered")
            _refuse_duplicate(session, dag_id, logical_date, run_id)
            dag = _serialized_dag(session, dag_id)
            try:
                # Airflow 2's run id (Airflow 3's own names a run after its run_after).
                body = TriggerDAGRunPostBody(dag_run_id=run_id or f"manual__{logical_date.isoformat()}",
                                             logical_date=logical_date, conf=conf or {})
                params = body.validate_context(dag)
            except ValueError as error:  # pydantic's ValidationError, the DAG's params
                raise BadRequest(str(error)) from None
            wanted = dict(params, run_type=DagRunType.MANUAL, triggered_by=DagRunTriggeredByType.REST_API,
                          triggering_user_name=user_name, state=DagRunState.QUEUED, session=session)
            accepted = inspect.signature(dag.create_dagrun).parameters
            try:
                run = dag.create_dagrun(**{key: value for key, value in wanted.items() if key in accepted})
            except ValueError as error:
                raise BadRequest(str(error)) from None
            return run.run_id
    except IntegrityError:  # a run created at the same time
        raise BadRequest(f"A Dag Run already exists for dag id {dag_id} at {logical_date.isoformat()}") from None


# --- tasks and task instances --------------------------------------------------------------------
def task_info(dag_id, task_id):
    """The task's public attributes as text (Airflow 1.10's `tasks/<task_id>` answer)."""
    with _session() as session:
        dag = _serialized_dag(session, dag_id)
        if not dag.has_task(task_id):
            raise NotFound(f"Task {task_id} not found in dag {dag_id}")
        return public_fields(dag.get_task(task_id))


def _task_instance(session, dag_id, execution_date, task_id):
    from airflow.models.taskinstance import TaskInstance
    from sqlalchemy import select

    run = _find_run(session, dag_id, execution_date)
    instances = session.scalars(select(TaskInstance).where(
        TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id, TaskInstance.task_id == task_id)
        .order_by(TaskInstance.map_index)).all()
    if not instances:
        raise NotFound(f"Task {task_id} instance for date {as_window(execution_date).text} not found")
    return instances[0]  # map_index -1: an unmapped task; else the first of a mapped one


def task_instance_info(dag_id, execution_date, task_id):
    """The task instance's public attributes as text (Airflow 1.10's answer)."""
    with _session() as session:
        return public_fields(_task_instance(session, dag_id, execution_date, task_id))


def task_instance_state(dag_id, execution_date, task_id):
    """The task instance's state ('success', 'failed', ...), or None before it was scheduled."""
    with _session() as session:
        return enum_value(_task_instance(session, dag_id, execution_date, task_id).state)


# --- DAGs ------------------------------------------------------------------------------------------
def is_paused(dag_id):
    with _session() as session:
        return bool(_dag_model(session, dag_id).is_paused)


def set_paused(dag_id, paused):
    """Pause (True) or unpause (False) the DAG; answers the new value."""
    with _session() as session:
        model = _dag_model(session, dag_id)
        model.is_paused = bool(paused)
        return model.is_paused
