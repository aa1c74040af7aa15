"""Two DAGs for the airflow_dag integration target's pause tests (also matched by a dag_id_pattern)."""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG

for dag_id in ("it_dag_pausable_a", "it_dag_pausable_b"):
    with DAG(dag_id, schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["dagops-it"]):
        pass
