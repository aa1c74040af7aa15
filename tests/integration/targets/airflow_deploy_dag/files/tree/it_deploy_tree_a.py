"""airflow_deploy_dag integration target: a DAG of the directory deploy."""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG

with DAG("it_deploy_tree_a", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["dagops-it"]):
    pass
