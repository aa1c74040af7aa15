"""DAG for the airflow_dag_run_info integration target: succeeds unless its conf says fail."""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

with DAG("it_runinfo", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-it"]):

    @task
    def work(**context):
        if context["dag_run"].conf.get("fail"):
            raise RuntimeError("asked to fail")

    work()
