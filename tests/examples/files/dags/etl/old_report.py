"""old_report, the DAG whose file the airflow_deploy_dag EXAMPLES remove (tests/examples)."""
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

with DAG("old_report", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         tags=["dagops-examples"]):
    EmptyOperator(task_id="report")
