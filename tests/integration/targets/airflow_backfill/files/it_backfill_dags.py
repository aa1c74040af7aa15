"""DAG for the airflow_backfill integration target: daily, one task that sleeps when the run's
conf asks it to (so a backfill can be caught unfinished, to pause and cancel it)."""
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.bash import BashOperator

with DAG("it_backfill_daily", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-it"]):
    BashOperator(task_id="work", bash_command="sleep {{ dag_run.conf.get('sleep', 0) }}")
