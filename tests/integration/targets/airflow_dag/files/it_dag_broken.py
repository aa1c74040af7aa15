"""A DAG file that fails to import: the airflow_dag integration target expects its error text."""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG


def build_dag():
    raise RuntimeError("it_dag_broken fails to import on purpose")


with DAG("it_dag_broken", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    build_dag()
