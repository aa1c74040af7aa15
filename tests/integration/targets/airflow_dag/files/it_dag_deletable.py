"""A DAG that the airflow_dag integration target deletes (after removing this file)."""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG

with DAG("it_dag_deletable", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["dagops-it"]):
    pass
