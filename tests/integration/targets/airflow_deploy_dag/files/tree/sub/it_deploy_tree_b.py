"""airflow_deploy_dag integration target: a DAG in a sub-directory that imports a helper deployed with it."""
from datetime import datetime

from it_deploy_tree.sub.it_deploy_helpers import TAG

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG

with DAG("it_deploy_tree_b", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=[TAG]):
    pass
