"""orders_etl, the DAG the modules' EXAMPLES deploy, trigger and pause (tests/examples).

Only EmptyOperator tasks: the scheduler marks them successful itself, so a run ends within seconds
on Airflow 2.11 and 3.3 without the executor starting a task process.
"""
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.empty import EmptyOperator

with DAG("orders_etl", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-examples"]):
    EmptyOperator(task_id="extract") >> EmptyOperator(task_id="load")
