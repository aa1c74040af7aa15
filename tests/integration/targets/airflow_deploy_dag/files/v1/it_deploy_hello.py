"""airflow_deploy_dag integration target: the first version of a small DAG (one task)."""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

with DAG("it_deploy_hello", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-it", "it-v1"]):

    @task
    def hello():
        print("hello from version 1")

    hello()
