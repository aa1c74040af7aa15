"""The old plugin's DAG listing and refresh calls, in-process: list_dags and list_tasks read what
the DAG processor stored (the metadata database, the serialized DAG), refresh_dag and
refresh_all_dags ask it to parse files now (Airflow's priority parsing requests, as its own
`parseDagFile` endpoint does)."""
# pylint: disable=import-outside-toplevel
import os

from dagops_rest_api import runs
from dagops_rest_api.files import walk_dag_files
from dagops_rest_api.legacy_calls import LegacyCallError, handler, required
from dagops_rest_api.legacy_envelope import is_set
from dagops_rest_api.legacy_subdir import check_subdir
from dagops_rest_api.paths import is_inside, relative_path

DAG_COLUMNS = ("dag_id", "fileloc", "owners", "is_paused")


def _session():
    from airflow.utils.session import create_session

    return create_session()


def known_dags(service, under=None):
    """[(dag_id, absolute fileloc, owners, is_paused)] of the DAGs Airflow knows (not stale), whose
    file is under `under` when given."""
    from airflow.models.dag import DagModel
    from sqlalchemy import select

    columns = DagModel.__table__.columns
    query = select(DagModel.dag_id, DagModel.fileloc, DagModel.owners, DagModel.is_paused)
    query = query.where(DagModel.is_stale.is_(False) if "is_stale" in columns else DagModel.is_active.is_(True))
    with _session() as session:
        rows = [tuple(row) for row in session.execute(query.order_by(DagModel.dag_id))]
    if under:
        rows = [row for row in rows if row[1] and is_inside(under, os.path.realpath(row[1]))]
    return rows


def import_errors():
    """[(file, first line of the error)] of the files Airflow failed to parse."""
    try:
        from airflow.models.errors import ParseImportError as ImportErrorModel
    except ImportError:  # before 2.10
        from airflow.models.errors import ImportError as ImportErrorModel  # pylint: disable=redefined-builtin
    from sqlalchemy import select

    with _session() as session:
        rows = session.scalars(select(ImportErrorModel).order_by(ImportErrorModel.filename)).all()
        return [(row.filename, (row.stacktrace or "").strip().splitlines()[-1:] or [""]) for row in rows]


@handler("list_dags")
def list_dags(service, envelope, call):
    under = check_subdir(service, call)
    envelope.airflow_cmd = "airflow dags list" + (f" --subdir {under}" if under else "")
    rows = known_dags(service, under)
    lines = [" | ".join(DAG_COLUMNS)]
    lines += [" | ".join([dag_id, relative_path(service.root, fileloc) if fileloc else "", str(owners or ""),
                          str(bool(paused))]) for dag_id, fileloc, owners, paused in rows]
    if is_set(call.args, "report"):
        envelope.airflow_cmd += " && airflow dags list-import-errors"
        errors = import_errors()
        lines += ["", f"DagBag loading report: {len(rows)} DAGs, {len(errors)} import errors"]
        lines += [f"{filename}: {last[0]}" for filename, last in errors]
    return "\n".join(lines)


def task_tree(dag, task_ids):
    """The 1.x `list_tasks --tree` view: each root, then its downstream tasks indented."""
    lines = []

    def walk(task_id, depth):
        lines.append("    " * depth + f"<Task({type_name(dag.get_task(task_id))}): {task_id}>")
        for child in sorted(dag.get_task(task_id).downstream_task_ids):
            walk(child, depth + 1)

    for task_id in task_ids:
        if not dag.get_task(task_id).upstream_task_ids:
            walk(task_id, 0)
    return "\n".join(lines)


def type_name(task):
    return getattr(task, "task_type", None) or getattr(task, "operator_name", None) or type(task).__name__


@handler("list_tasks")
def list_tasks(service, envelope, call):
    dag_id = required(call.args, "dag_id", call.api)
    check_subdir(service, call)
    tree = is_set(call.args, "tree")
    envelope.airflow_cmd = f"airflow tasks list {dag_id}" + (" --tree" if tree else "")
    with runs._session() as session:  # pylint: disable=protected-access
        dag = runs._serialized_dag(session, dag_id)  # pylint: disable=protected-access
        task_ids = sorted(dag.task_ids)
        return task_tree(dag, task_ids) if tree else "\n".join(task_ids)


def dag_files(service, dag_id=None):
    """[(relative, absolute)] of the DAG's file, or of every DAG file in the dags folder."""
    root = service.root
    if dag_id is None:
        return [(relative_path(root, path), path) for path in walk_dag_files(root, root)]
    for known_id, fileloc, _owners, _paused in known_dags(service):
        if known_id == dag_id and fileloc:
            path = os.path.realpath(fileloc.split(".zip" + os.sep)[0] + ".zip" if ".zip" + os.sep in fileloc
                                    else fileloc)
            if not is_inside(root, path):
                raise LegacyCallError(400, f"Dag id {dag_id} comes from {fileloc}, outside the dags folder")
            return [(relative_path(root, path), path)]
    raise LegacyCallError(404, f"Dag id {dag_id} not found")


def request_parses(service, files, what):
    if not service.store.request_parses(files):
        raise LegacyCallError(500, f"could not ask the DAG processor to parse {what}; see the server log")


@handler("refresh_dag")
def refresh_dag(service, envelope, call):
    dag_id = required(call.args, "dag_id", call.api)
    files = dag_files(service, dag_id)
    envelope.airflow_cmd = f"airflow dags reserialize (the file of {dag_id}, by the DAG processor)"
    request_parses(service, files, files[0][0])
    return f"DAG [{dag_id}] is now fresh: its file {files[0][0]} is queued for parsing by the DAG processor"


@handler("refresh_all_dags")
def refresh_all_dags(service, envelope, _call):
    files = dag_files(service)
    envelope.airflow_cmd = "airflow dags reserialize (by the DAG processor)"
    if files:
        request_parses(service, files, "the dags folder")
    return f"All DAGs are now up-to-date: {len(files)} DAG files queued for parsing by the DAG processor"
