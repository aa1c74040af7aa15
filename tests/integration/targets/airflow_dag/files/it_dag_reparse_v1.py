"""airflow_dag reparse test, version 1 of the file (version 2 adds the task 'second')."""
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

with DAG("it_dag_reparse", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["dagops-it"],
         description="version 1"):
    EmptyOperator(task_id="first")
