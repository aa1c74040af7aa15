"""DAGs for the version_profile target: one task each, so a run ends within seconds."""
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

DEFAULTS = {"retries": 0}

with DAG("it_profile_run", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args=DEFAULTS, tags=["dagops-it"]):
    EmptyOperator(task_id="work")

with DAG("it_profile_daily", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False,
         default_args=DEFAULTS, tags=["dagops-it"]):
    EmptyOperator(task_id="work")
