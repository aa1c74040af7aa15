"""A DAG's stored records beyond its runs, through Airflow's own ORM in the server process (2.11 and
3.x): its code as Airflow stored it, the lineage XComs of a run, deleting its metadata. Refusals
raise operation_errors.NotFound or BadRequest, as in runs.py.
"""
# pylint: disable=import-outside-toplevel,protected-access
from dagops_rest_api.operation_errors import BadRequest, NotFound
from dagops_rest_api.runs import _dag_model, _find_run, _session, airflow3

# The XCom keys under which Airflow 1.10/2.x lineage stored a task's inlets and outlets.
LINEAGE_KEYS = {"pipeline_inlets": "inlets", "pipeline_outlets": "outlets"}


def delete_dag(dag_id):
    """Delete the DAG's records (runs, task instances...; not its file); answers how many."""
    from airflow.api.common.delete_dag import delete_dag as airflow_delete_dag
    from airflow.exceptions import AirflowException

    with _session() as session:
        _dag_model(session, dag_id)
    try:
        return airflow_delete_dag(dag_id)
    except AirflowException as error:  # a task instance still running (409 on 3.x)
        raise BadRequest(str(error)) from None


def dag_code(dag_id):
    """The source of the DAG's file as Airflow stored it."""
    from airflow.models.dagcode import DagCode

    with _session() as session:
        model = _dag_model(session, dag_id)
        fileloc = model.fileloc
    try:
        if airflow3():
            return DagCode.code(dag_id)
        return DagCode.get_code_by_fileloc(fileloc)
    except Exception as error:  # pylint: disable=broad-except
        raise NotFound(f"Error {error} while reading Dag id {dag_id} Code") from None


def lineage(dag_id, execution_date):
    """{"task_ids": {task_id: {"inlets": ..., "outlets": ...}}} from the run's lineage XComs."""
    with _session() as session:
        run = _find_run(session, dag_id, execution_date)
        found = {}
        for task_id, key, value in _lineage_xcoms(session, dag_id, run.run_id):
            found.setdefault(task_id, {})[LINEAGE_KEYS[key]] = value
        return {"task_ids": found}


def _lineage_xcoms(session, dag_id, run_id):
    from sqlalchemy import select

    try:
        from airflow.models.xcom import XComModel as XCom  # Airflow 3
    except ImportError:
        from airflow.models.xcom import XCom
    rows = session.scalars(select(XCom).where(XCom.dag_id == dag_id, XCom.run_id == run_id,
                                              XCom.key.in_(list(LINEAGE_KEYS)))
                           .order_by(XCom.task_id, XCom.key)).all()
    # Airflow 2's XCom decodes its value when the row is loaded; Airflow 3's stores JSON to decode.
    return [(row.task_id, row.key, XCom.deserialize_value(row) if airflow3() else row.value) for row in rows]
