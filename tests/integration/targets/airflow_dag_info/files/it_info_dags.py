"""DAG for the airflow_dag_info integration target: two tagged tasks, never scheduled."""
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

with DAG("it_info_dag", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-it", "it-info"], description="read by airflow_dag_info"):
    EmptyOperator(task_id="extract") >> EmptyOperator(task_id="load")
