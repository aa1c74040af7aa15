"""The DAG of the rest_api_experimental integration target: one tiny task that records lineage the
way Airflow 1.10/2.x lineage did (XComs `pipeline_inlets` / `pipeline_outlets`), so the
experimental API's `lineage` endpoint has something to answer. Runs in seconds on 2.11 and 3.3."""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, get_current_context, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task
    from airflow.operators.python import get_current_context

with DAG("it_experimental", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-it"]):

    @task
    def emit_lineage():
        task_instance = get_current_context()["ti"]
        task_instance.xcom_push(key="pipeline_inlets", value=["it_source_table"])
        task_instance.xcom_push(key="pipeline_outlets", value=["it_target_table"])

    emit_lineage()
