"""A DAG whose one task runs long enough for the airflow_dag target to try deleting the DAG
while it runs (Airflow answers 409); the target then marks the run failed, which stops it."""
import time
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

with DAG("it_dag_busy", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-it"]):

    @task
    def sleep():
        time.sleep(120)

    sleep()
